package dev.satchel.store.caching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Session;
import dev.satchel.spi.SessionAccess;
import dev.satchel.spi.SessionRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.RepeatedTest;

/**
 * Threads reading, changing and removing a few sessions at once through one cache, which alone writes its
 * store and trusts records for an hour. Each thread counts its own increments: a stale cached record would
 * make a thread read an old count and lose an increment. Once they stop, whatever the cache holds must be
 * exactly what the store holds — no old version, no removed session still served, no stale miss.
 */
class ConcurrentCoherenceTest extends CacheFixture {

    private static final int THREADS = 8;
    private static final int OPERATIONS = 3_000;
    private static final int SESSIONS = 4;

    @RepeatedTest(3)
    @DisplayName("concurrent gets, puts and removes lose no increment, and afterwards the cache agrees with the store")
    void cacheAgreesWithTheStoreAfterConcurrentWork() throws Exception {
        cache = overParent().maxStaleness(Duration.ofHours(1)).negativeCacheTtl(Duration.ofHours(1)).build();
        parent.pauseAfterStoreCalls = true;
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < SESSIONS; i++) {
            ids.add(stored(cache, Duration.ofHours(1)).id());
        }
        int[][] increments = new int[THREADS][SESSIONS]; // row t written by thread t only
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            CyclicBarrier start = new CyclicBarrier(THREADS);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                SplittableRandom random = new SplittableRandom(t);
                String counter = "counter-" + t;
                int[] mine = increments[t];
                done.add(pool.submit(() -> {
                    start.await();
                    for (int op = 0; op < OPERATIONS; op++) {
                        int i = random.nextInt(SESSIONS);
                        String sid = ids.get(i);
                        int kind = random.nextInt(100);
                        if (kind < 60) {
                            cache.get(sid);
                        } else if (kind < 98) {
                            Optional<Session> s = cache.get(sid);
                            if (s.isPresent()) {
                                Integer n = s.get().get(counter, Integer.class);
                                s.get().put(counter, n == null ? 1 : n + 1);
                                if (cache.put(s.get())) {
                                    mine[i]++;
                                }
                            }
                        } else {
                            cache.remove(ids.get(SESSIONS - 1)); // one session is logged out; the rest live on
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(2, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        for (int i = 0; i < SESSIONS; i++) {
            String sid = ids.get(i);
            Optional<Session> inStore = parent.store.get(sid);
            SessionRecord cached = cache.cachedRecord(sid);
            if (inStore.isEmpty()) {
                assertEquals(null, cached, "a removed session is not cached");
            } else {
                assertFalse(cache.remembersMiss(sid), "a live session is not remembered as missing");
                for (int t = 0; t < THREADS; t++) {
                    Integer n = inStore.get().get("counter-" + t, Integer.class);
                    assertEquals(increments[t][i], n == null ? 0 : n,
                            "no increment lost to a stale read: thread " + t + ", session " + i);
                }
                if (cached != null) {
                    assertEquals(SessionAccess.record(inStore.get()).version(), cached.version(), "the cached version is current");
                    assertEquals(SessionAccess.record(inStore.get()).attributes(), cached.attributes());
                }
            }
            assertEquals(inStore.isPresent(), cache.exists(sid));
        }
    }
}
