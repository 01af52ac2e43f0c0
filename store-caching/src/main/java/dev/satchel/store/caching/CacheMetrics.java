package dev.satchel.store.caching;

/**
 * Receives the events of a {@link CachingSessionManager}, to count them or forward them to a metrics
 * system — the shape of Caffeine's {@code StatsCounter}, with no dependency on any metrics library.
 *
 * <p>Every {@code get} or {@code exists} for a well-formed id is exactly one of: a <b>hit</b> (answered
 * from a cached record), a <b>negative hit</b> (answered "absent" from the remembered misses) or a
 * <b>miss</b> (the parent was asked). Each miss ends in a <b>load success</b> (the parent answered,
 * found or not) or a <b>load failure</b> (the parent threw), with the time the parent took. An
 * <b>eviction</b> is a record dropped to keep the cache within its size or weight bound — not one that
 * expired, was invalidated or was removed.
 *
 * <p>Implementations must be thread-safe and quick: they are called on the request path. An exception
 * thrown by an implementation is caught, logged once and otherwise ignored, so a broken counter cannot
 * break the cache.
 */
public interface CacheMetrics {

    /** Records {@code count} requests answered from a cached record. */
    void recordHits(int count);

    /** Records {@code count} requests answered "absent" from the remembered misses, without the parent. */
    void recordNegativeHits(int count);

    /** Records {@code count} requests that had to ask the parent. */
    void recordMisses(int count);

    /** Records that the parent answered a lookup (found or not) after {@code loadTimeNanos}. */
    void recordLoadSuccess(long loadTimeNanos);

    /** Records that a lookup in the parent threw after {@code loadTimeNanos}. */
    void recordLoadFailure(long loadTimeNanos);

    /**
     * Records that a record of estimated {@code weight} bytes (0 when the cache is bounded by count) was
     * evicted to respect the bound.
     */
    void recordEviction(int weight);

    /**
     * Returns the counts so far, for {@link CachingSessionManager#stats()}. The default returns
     * {@link CacheStats#empty()}, for implementations that only forward events elsewhere.
     */
    default CacheStats snapshot() {
        return CacheStats.empty();
    }

    /** The metrics that record nothing: the default of {@link CachingSessionManager.Builder}. */
    static CacheMetrics disabled() {
        return DisabledMetrics.INSTANCE;
    }
}
