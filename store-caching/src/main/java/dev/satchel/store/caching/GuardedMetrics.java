package dev.satchel.store.caching;

import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shields the cache from a user's {@link CacheMetrics}: an exception it throws is logged the first time
 * and then ignored, so a broken counter neither fails a request nor floods the log.
 */
final class GuardedMetrics implements CacheMetrics {

    private static final Logger LOG = LoggerFactory.getLogger(GuardedMetrics.class);

    private final CacheMetrics delegate;
    private final AtomicBoolean reported = new AtomicBoolean();

    private GuardedMetrics(CacheMetrics delegate) {
        this.delegate = delegate;
    }

    /** {@code metrics} behind a guard, unless it is one of ours, which cannot throw. */
    static CacheMetrics guard(CacheMetrics metrics) {
        return metrics instanceof DisabledMetrics || metrics instanceof CountingMetrics
                || metrics instanceof GuardedMetrics ? metrics : new GuardedMetrics(metrics);
    }

    @Override
    public void recordHits(int count) {
        try {
            delegate.recordHits(count);
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    @Override
    public void recordNegativeHits(int count) {
        try {
            delegate.recordNegativeHits(count);
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    @Override
    public void recordMisses(int count) {
        try {
            delegate.recordMisses(count);
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    @Override
    public void recordLoadSuccess(long loadTimeNanos) {
        try {
            delegate.recordLoadSuccess(loadTimeNanos);
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    @Override
    public void recordLoadFailure(long loadTimeNanos) {
        try {
            delegate.recordLoadFailure(loadTimeNanos);
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    @Override
    public void recordEviction(int weight) {
        try {
            delegate.recordEviction(weight);
        } catch (RuntimeException e) {
            failed(e);
        }
    }

    @Override
    public CacheStats snapshot() {
        try {
            CacheStats stats = delegate.snapshot();
            return stats == null ? CacheStats.empty() : stats;
        } catch (RuntimeException e) {
            failed(e);
            return CacheStats.empty();
        }
    }

    private void failed(RuntimeException e) {
        if (reported.compareAndSet(false, true)) {
            LOG.warn("The cache metrics threw; ignoring this and any later failure of {}",
                    delegate.getClass().getName(), e);
        }
    }
}
