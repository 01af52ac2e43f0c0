package dev.satchel.store.caching;

import dev.satchel.PrincipalIndex;
import dev.satchel.Session;
import java.util.List;

/**
 * A {@link CachingSessionManager} over a parent with a {@link PrincipalIndex}: the index stays the
 * parent's, and what it removes leaves the cache too.
 */
final class IndexedCachingSessionManager extends CachingSessionManager implements PrincipalIndex {

    private final PrincipalIndex index;

    IndexedCachingSessionManager(Builder b, PrincipalIndex index) {
        super(b);
        this.index = index;
    }

    /** Asks the parent; the sessions found are not cached. */
    @Override
    public List<Session> findByPrincipal(String principal) {
        return index.findByPrincipal(principal);
    }

    /**
     * Removes the sessions in the parent, then drops every cached record of {@code principal} — also when
     * the parent fails part-way, since what it removed before failing stays removed.
     */
    @Override
    public int removeByPrincipal(String principal) {
        if (principal == null) {
            return index.removeByPrincipal(null);
        }
        try {
            return index.removeByPrincipal(principal);
        } finally {
            forgetPrincipal(principal);
        }
    }
}
