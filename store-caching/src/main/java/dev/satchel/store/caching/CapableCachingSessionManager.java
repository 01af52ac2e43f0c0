package dev.satchel.store.caching;

import dev.satchel.ExpiryEvents;
import dev.satchel.Invalidations;
import dev.satchel.PrincipalIndex;
import dev.satchel.Session;
import java.util.List;
import java.util.function.Consumer;

/**
 * The {@link CachingSessionManager}s over a parent with capabilities: each implements exactly those its
 * parent implements, so {@code instanceof PrincipalIndex} and {@code instanceof ExpiryEvents} tell the truth.
 */
final class CapableCachingSessionManager {

    private CapableCachingSessionManager() {}

    /** The parent's index stays the parent's; what it removes leaves the cache too. */
    private interface IndexMixin extends PrincipalIndex {
        CachingSessionManager cache();

        PrincipalIndex parentIndex();

        /** Asks the parent; the sessions found are not cached. */
        @Override
        default List<Session> findByPrincipal(String principal) {
            cache().checkOpen();
            return parentIndex().findByPrincipal(principal);
        }

        /**
         * Removes the sessions in the parent, then drops every cached record of {@code principal} — also when
         * the parent fails part-way, since what it removed before failing stays removed.
         */
        @Override
        default int removeByPrincipal(String principal) {
            cache().checkOpen();
            if (principal == null) {
                return parentIndex().removeByPrincipal(null);
            }
            try {
                return parentIndex().removeByPrincipal(principal);
            } finally {
                cache().forgetPrincipal(principal);
            }
        }
    }

    /** The parent's expiry events, each first dropping the cached record. */
    private interface ExpiryMixin extends ExpiryEvents {
        CachingSessionManager cache();

        ExpiryEvents parentEvents();

        @Override
        default Invalidations.Subscription onExpired(Consumer<Session> listener) {
            return cache().forwardExpiry(parentEvents(), listener);
        }
    }

    static final class Indexed extends CachingSessionManager implements IndexMixin {
        private final PrincipalIndex index;

        Indexed(Builder b) {
            super(b);
            this.index = (PrincipalIndex) b.parent();
        }

        @Override
        public CachingSessionManager cache() {
            return this;
        }

        @Override
        public PrincipalIndex parentIndex() {
            return index;
        }
    }

    static final class Expiring extends CachingSessionManager implements ExpiryMixin {
        private final ExpiryEvents events;

        Expiring(Builder b) {
            super(b);
            this.events = (ExpiryEvents) b.parent();
        }

        @Override
        public CachingSessionManager cache() {
            return this;
        }

        @Override
        public ExpiryEvents parentEvents() {
            return events;
        }
    }

    static final class IndexedExpiring extends CachingSessionManager implements IndexMixin, ExpiryMixin {
        private final PrincipalIndex index;
        private final ExpiryEvents events;

        IndexedExpiring(Builder b) {
            super(b);
            this.index = (PrincipalIndex) b.parent();
            this.events = (ExpiryEvents) b.parent();
        }

        @Override
        public CachingSessionManager cache() {
            return this;
        }

        @Override
        public PrincipalIndex parentIndex() {
            return index;
        }

        @Override
        public ExpiryEvents parentEvents() {
            return events;
        }
    }
}
