package dev.satchel.store.caching;

/** Records nothing; {@link #snapshot()} is always empty. */
enum DisabledMetrics implements CacheMetrics {
    INSTANCE;

    @Override
    public void recordHits(int count) {}

    @Override
    public void recordNegativeHits(int count) {}

    @Override
    public void recordMisses(int count) {}

    @Override
    public void recordLoadSuccess(long loadTimeNanos) {}

    @Override
    public void recordLoadFailure(long loadTimeNanos) {}

    @Override
    public void recordEviction(int weight) {}
}
