package dev.satchel.store.caching;

/**
 * An immutable snapshot of a {@link CachingSessionManager}'s counters (see {@link CacheMetrics} for what
 * each event means). All counts are totals since the manager was built.
 *
 * @param hits requests answered from a cached record
 * @param negativeHits requests answered "absent" from the remembered misses
 * @param misses requests that asked the parent
 * @param loadSuccesses parent lookups that answered (found or not)
 * @param loadFailures parent lookups that threw
 * @param totalLoadNanos time spent in parent lookups, in nanoseconds
 * @param evictions records dropped to keep within the size or weight bound
 * @param evictionWeight the estimated bytes of those records; 0 when the cache is bounded by count
 */
public record CacheStats(long hits, long negativeHits, long misses, long loadSuccesses, long loadFailures,
        long totalLoadNanos, long evictions, long evictionWeight) {

    private static final CacheStats EMPTY = new CacheStats(0, 0, 0, 0, 0, 0, 0, 0);

    /**
     * Checks the counts.
     *
     * @throws IllegalArgumentException if any count is negative
     */
    public CacheStats {
        if (hits < 0 || negativeHits < 0 || misses < 0 || loadSuccesses < 0 || loadFailures < 0
                || totalLoadNanos < 0 || evictions < 0 || evictionWeight < 0) {
            throw new IllegalArgumentException("cache statistics must not be negative");
        }
    }

    /** A snapshot with every count zero. */
    public static CacheStats empty() {
        return EMPTY;
    }

    /** Every request counted: hits, negative hits and misses. */
    public long requestCount() {
        return hits + negativeHits + misses;
    }

    /** The share of requests answered without the parent (hits and negative hits); 1.0 when there were none. */
    public double hitRate() {
        long requests = requestCount();
        return requests == 0 ? 1.0 : (double) (hits + negativeHits) / requests;
    }

    /** The mean time of a parent lookup in nanoseconds; 0.0 when there was none. */
    public double averageLoadNanos() {
        long loads = loadSuccesses + loadFailures;
        return loads == 0 ? 0.0 : (double) totalLoadNanos / loads;
    }
}
