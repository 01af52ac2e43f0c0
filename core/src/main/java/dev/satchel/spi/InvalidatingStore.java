package dev.satchel.spi;

import dev.satchel.Invalidations;

/**
 * A store that can tell every node when a session changed (Redis keyspace messages, say), so caches in
 * front of any manager over it drop stale copies early. The manager built over such a store implements
 * {@link Invalidations} by delegating to {@link #subscribe}. A store that knows the record version a write
 * stored reports the change with {@link Invalidations.Listener#invalidate(String, long)}, so a cache keeps
 * the copy its own node just wrote; removals go through {@link Invalidations.Listener#invalidate(String)}.
 */
public interface InvalidatingStore extends SessionStore {

    /** See {@link Invalidations#subscribe}. */
    Invalidations.Subscription subscribe(Invalidations.Listener listener);
}
