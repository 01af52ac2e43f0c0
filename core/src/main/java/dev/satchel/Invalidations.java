package dev.satchel;

/**
 * A capability of managers that can tell every node when a session changed, so caches in front of them
 * (such as {@code CachingSessionManager}) drop stale copies without waiting for them to age out.
 *
 * <p>Delivery is asynchronous and may be lost (a dropped connection, a restarted server). A source that
 * knows it may have lost messages calls {@link Listener#invalidateAll()} once it is connected again, so a
 * listener never keeps trusting a feed that has a gap.
 */
public interface Invalidations {

    /**
     * Registers {@code listener} for changes made through any manager over the same store, including this
     * one, until the returned subscription is closed.
     */
    Subscription subscribe(Listener listener);

    /** Receives invalidations. Called from the source's own thread; implementations must be quick and must not throw. */
    interface Listener {

        /** Session {@code sid} was changed or removed: drop any copy of it. */
        void invalidate(String sid);

        /**
         * Session {@code sid} was changed, and the write stored {@code version} (its
         * {@link dev.satchel.spi.SessionRecord#version() record version}). A listener may keep a copy whose
         * version is at least {@code version} — typically the one its own node just wrote — and must drop
         * an older one. Removals are always reported through {@link #invalidate(String)}. Sources call this
         * only when they know the version written; the default treats it as {@link #invalidate(String)}, so
         * listeners written before it existed keep working.
         */
        default void invalidate(String sid, long version) {
            invalidate(sid);
        }

        /** Messages may have been lost: nothing seen so far can be trusted. */
        void invalidateAll();
    }

    /** An active registration. */
    interface Subscription extends AutoCloseable {

        /** Stops delivery to the listener. Idempotent. */
        @Override
        void close();
    }
}
