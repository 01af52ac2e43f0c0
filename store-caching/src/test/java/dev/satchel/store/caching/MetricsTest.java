package dev.satchel.store.caching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Session;
import dev.satchel.SessionStoreUnavailableException;
import dev.satchel.spi.SessionIds;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Every request is counted exactly once; a user's metrics can neither break the cache nor be bypassed. */
class MetricsTest extends CacheFixture {


    private String stored() {
        Session s = cache.newSession();
        s.put("a", 1);
        assertTrue(cache.put(s));
        return s.id();
    }

    @Test
    @DisplayName("hits, negative hits, misses and loads are counted; the snapshot is immutable")
    void countsEveryKindOfRequest() {
        cache = overParent().recordStats().build();
        String sid = stored();
        String forged = SessionIds.newId();
        for (int i = 0; i < 3; i++) {
            cache.get(sid);
        }
        cache.exists(sid);
        cache.get(forged);
        cache.get(forged);
        cache.exists(forged);
        parent.failNextGet = new SessionStoreUnavailableException("down", null);
        String other = SessionIds.newId();
        assertThrows(SessionStoreUnavailableException.class, () -> cache.get(other));
        CacheStats before = cache.stats();
        assertEquals(4, before.hits());
        assertEquals(2, before.negativeHits());
        assertEquals(2, before.misses());
        assertEquals(1, before.loadSuccesses());
        assertEquals(1, before.loadFailures());
        assertEquals(8, before.requestCount());
        assertEquals(0.75, before.hitRate());
        assertTrue(before.totalLoadNanos() >= 0);
        assertEquals(0, before.evictions());
        cache.get(sid);
        assertEquals(4, before.hits(), "a snapshot does not move");
        assertEquals(5, cache.stats().hits());
    }

    @Test
    @DisplayName("a user's metrics receive every event and supply the snapshot")
    void userMetricsReceiveEvents() {
        AtomicInteger hits = new AtomicInteger();
        AtomicInteger misses = new AtomicInteger();
        AtomicInteger negative = new AtomicInteger();
        AtomicInteger loads = new AtomicInteger();
        CacheMetrics metrics = new CacheMetrics() {
            @Override public void recordHits(int count) { hits.addAndGet(count); }
            @Override public void recordNegativeHits(int count) { negative.addAndGet(count); }
            @Override public void recordMisses(int count) { misses.addAndGet(count); }
            @Override public void recordLoadSuccess(long nanos) { loads.incrementAndGet(); }
            @Override public void recordLoadFailure(long nanos) { loads.incrementAndGet(); }
            @Override public void recordEviction(int weight) {}
            @Override public CacheStats snapshot() {
                return new CacheStats(hits.get(), negative.get(), misses.get(), loads.get(), 0, 0, 0, 0);
            }
        };
        cache = overParent().metrics(metrics).build();
        String sid = stored();
        cache.get(sid);
        String forged = SessionIds.newId();
        cache.get(forged);
        cache.get(forged);
        assertEquals(new CacheStats(1, 1, 1, 1, 0, 0, 0, 0), cache.stats());
    }

    @Test
    @DisplayName("metrics that throw on every call do not break a single request")
    void throwingMetricsAreContained() {
        CacheMetrics broken = new CacheMetrics() {
            @Override public void recordHits(int count) { throw new IllegalStateException("boom"); }
            @Override public void recordNegativeHits(int count) { throw new IllegalStateException("boom"); }
            @Override public void recordMisses(int count) { throw new IllegalStateException("boom"); }
            @Override public void recordLoadSuccess(long nanos) { throw new IllegalStateException("boom"); }
            @Override public void recordLoadFailure(long nanos) { throw new IllegalStateException("boom"); }
            @Override public void recordEviction(int weight) { throw new IllegalStateException("boom"); }
            @Override public CacheStats snapshot() { throw new IllegalStateException("boom"); }
        };
        cache = overParent().metrics(broken).maximumSize(1).build();
        String first = stored();
        String second = stored();
        assertEquals(1, cache.get(first).orElseThrow().get("a"));
        assertEquals(1, cache.get(second).orElseThrow().get("a"));
        String forged = SessionIds.newId();
        assertTrue(cache.get(forged).isEmpty());
        assertTrue(cache.get(forged).isEmpty());
        parent.failNextGet = new SessionStoreUnavailableException("down", null);
        assertThrows(SessionStoreUnavailableException.class, () -> cache.get(SessionIds.newId()),
                "the parent's exception, not the metrics'");
        assertEquals(CacheStats.empty(), cache.stats());
    }

    @Test
    @DisplayName("statistics refuse negative counts and derive rates safely")
    void statsValues() {
        assertThrows(IllegalArgumentException.class, () -> new CacheStats(-1, 0, 0, 0, 0, 0, 0, 0));
        assertEquals(1.0, CacheStats.empty().hitRate());
        assertEquals(0.0, CacheStats.empty().averageLoadNanos());
        assertEquals(50.0, new CacheStats(0, 0, 2, 1, 1, 100, 0, 0).averageLoadNanos());
    }
}
