package dev.satchel.store.caching;

import java.util.concurrent.atomic.AtomicLongArray;

/**
 * Striped counters of writes, which keep a slow parent lookup from caching what a concurrent write made
 * stale. Every write (put, remove, invalidation) bumps the counter of its session's stripe after it
 * reached the parent and before it touches the cache; a lookup reads the counter before asking the parent
 * and caches its answer only if the counter is unchanged, checked atomically with the cache update. So an
 * answer is cached only if no write to that stripe finished in between — and a write that finishes after
 * the answer was cached clears it itself. Sessions sharing a stripe only cost each other a cache fill.
 */
final class WriteCounters {

    static final int STRIPES = 1024;
    private static final int MASK = STRIPES - 1;

    private final AtomicLongArray counters = new AtomicLongArray(STRIPES);

    /** The stripe of session {@code sid}. */
    static int stripe(String sid) {
        int h = sid.hashCode();
        return (h ^ (h >>> 16)) & MASK;
    }

    /** The current count of {@code stripe}. */
    long read(int stripe) {
        return counters.get(stripe);
    }

    /** Counts a write to {@code stripe} and returns the new count. */
    long bump(int stripe) {
        return counters.incrementAndGet(stripe);
    }

    /** Counts a write to every stripe, for invalidations that concern every session. */
    void bumpAll() {
        for (int i = 0; i < STRIPES; i++) {
            counters.incrementAndGet(i);
        }
    }

    /** Whether {@code stripe} still has count {@code expected}: no write finished since it was read. */
    boolean unchanged(int stripe, long expected) {
        return counters.get(stripe) == expected;
    }
}
