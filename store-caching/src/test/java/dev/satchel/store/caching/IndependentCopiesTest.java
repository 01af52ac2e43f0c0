package dev.satchel.store.caching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Session;
import dev.satchel.spi.SessionRecord;
import dev.satchel.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Many threads reading the same cached session each get a working copy of their own: a change made in
 * one copy is seen by no other copy and not by the cached record, until it is put.
 */
class IndependentCopiesTest {

    private static final int THREADS = 8;
    private static final int ROUNDS = 500;

    private final MutableClock clock = MutableClock.at(Instant.parse("2030-01-01T00:00:00Z"));
    private final ScriptedParent parent = new ScriptedParent(clock);
    private final CachingSessionManager cache =
            CachingSessionManager.over(parent).clock(clock).maxStaleness(Duration.ofHours(1)).build();

    @AfterEach
    void close() {
        cache.close();
    }

    @Test
    @DisplayName("concurrent readers of one cached session never share mutable state")
    void concurrentCopiesAreIndependent() throws Exception {
        Session created = cache.newSession();
        created.put("shared", "original");
        created.put("list", List.of(1, 2, 3));
        assertTrue(cache.put(created));
        String sid = created.id();
        SessionRecord cached = cache.cachedRecord(sid);
        int lookupsBefore = parent.gets.get();
        Set<Session> seen = Collections.synchronizedSet(Collections.newSetFromMap(new IdentityHashMap<>()));
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            CyclicBarrier start = new CyclicBarrier(THREADS);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                String mine = "thread-" + t;
                done.add(pool.submit(() -> {
                    start.await();
                    for (int r = 0; r < ROUNDS; r++) {
                        Session s = cache.get(sid).orElseThrow();
                        assertTrue(seen.add(s), "a copy handed out twice");
                        assertEquals("original", s.get("shared"), "another thread's change leaked in");
                        assertFalse(s.contains("thread-0") || s.contains("thread-" + (THREADS - 1)));
                        s.put("shared", mine);
                        s.put(mine, r);
                        @SuppressWarnings("unchecked")
                        List<Object> list = (List<Object>) s.get("list");
                        list.add("mutated"); // a read value is the caller's own
                        assertEquals(mine, s.get("shared"));
                        assertEquals(r, s.get(mine));
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
        assertEquals(THREADS * ROUNDS, seen.size());
        assertEquals(lookupsBefore, parent.gets.get(), "every read was a cache hit");
        assertSame(cached, cache.cachedRecord(sid), "the cached record was never replaced");
        Map<String, String> attributes = cached.attributes();
        assertEquals(Map.of("shared", "\"original\"", "list", "[1,2,3]"), attributes);
        assertEquals(List.of(1, 2, 3), cache.get(sid).orElseThrow().get("list"));
    }
}
