package dev.satchel.store.caching;

import java.util.concurrent.atomic.LongAdder;

/** Counts every event in {@link LongAdder}s, which stay cheap under contention. */
final class CountingMetrics implements CacheMetrics {

    private final LongAdder hits = new LongAdder();
    private final LongAdder negativeHits = new LongAdder();
    private final LongAdder misses = new LongAdder();
    private final LongAdder loadSuccesses = new LongAdder();
    private final LongAdder loadFailures = new LongAdder();
    private final LongAdder totalLoadNanos = new LongAdder();
    private final LongAdder evictions = new LongAdder();
    private final LongAdder evictionWeight = new LongAdder();

    @Override
    public void recordHits(int count) {
        hits.add(count);
    }

    @Override
    public void recordNegativeHits(int count) {
        negativeHits.add(count);
    }

    @Override
    public void recordMisses(int count) {
        misses.add(count);
    }

    @Override
    public void recordLoadSuccess(long loadTimeNanos) {
        loadSuccesses.increment();
        totalLoadNanos.add(loadTimeNanos);
    }

    @Override
    public void recordLoadFailure(long loadTimeNanos) {
        loadFailures.increment();
        totalLoadNanos.add(loadTimeNanos);
    }

    @Override
    public void recordEviction(int weight) {
        evictions.increment();
        evictionWeight.add(weight);
    }

    @Override
    public CacheStats snapshot() {
        return new CacheStats(hits.sum(), negativeHits.sum(), misses.sum(), loadSuccesses.sum(),
                loadFailures.sum(), totalLoadNanos.sum(), evictions.sum(), evictionWeight.sum());
    }
}
