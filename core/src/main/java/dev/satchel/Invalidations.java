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

        /** Session {@code sid} was changed or removed. */
        void invalidate(String sid);

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
