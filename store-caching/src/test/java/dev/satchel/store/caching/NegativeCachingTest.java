package dev.satchel.store.caching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Session;
import dev.satchel.spi.SessionIds;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Misses are remembered briefly and boundedly, so forged ids cost the parent one lookup per interval. */
class NegativeCachingTest extends CacheFixture {


    @Test
    @DisplayName("a flood of one forged id costs the parent one lookup per negative-cache interval")
    void repeatedMissesCostOneLookupPerInterval() {
        cache = overParent().build();
        String forged = SessionIds.newId();
        for (int i = 0; i < 1000; i++) {
            assertTrue(cache.get(forged).isEmpty());
            assertFalse(cache.exists(forged));
        }
        assertEquals(1, parent.gets.get());
        clock.advance(Duration.ofMillis(999));
        assertTrue(cache.get(forged).isEmpty());
        assertEquals(1, parent.gets.get(), "still remembered just before the default second is over");
        clock.advance(Duration.ofMillis(1));
        assertTrue(cache.get(forged).isEmpty());
        assertEquals(2, parent.gets.get(), "asked again once the second is over");
    }

    @Test
    @DisplayName("invalid ids reach neither the cache nor the parent")
    void invalidIdsReachNothing() {
        cache = overParent().recordStats().build();
        for (String id : new String[] {null, "", "../../etc/passwd", "A".repeat(10_000), "AAAAAAAAAAAAAAAAAAAAA\u00e9"}) {
            assertTrue(cache.get(id).isEmpty());
            assertFalse(cache.exists(id));
            cache.remove(id);
        }
        assertEquals(0, parent.gets.get() + parent.existsCalls.get() + parent.removes.get());
        assertEquals(0, cache.missCount());
        assertEquals(0, cache.stats().requestCount());
    }

    @Test
    @DisplayName("the first put of a new session clears a miss remembered for its id")
    void putOfANewSessionClearsTheMiss() {
        cache = overParent().negativeCacheTtl(Duration.ofHours(1)).build();
        Session fresh = cache.newSession();
        assertTrue(cache.get(fresh.id()).isEmpty());
        assertTrue(cache.remembersMiss(fresh.id()));
        fresh.put("a", 1);
        assertTrue(cache.put(fresh));
        assertFalse(cache.remembersMiss(fresh.id()));
        assertEquals(1, cache.get(fresh.id()).orElseThrow().get("a"));
    }

    @Test
    @DisplayName("a remove, and a put the parent refuses, are remembered as misses")
    void removalsAreRememberedAsMisses() {
        cache = overParent().build();
        Session s = cache.newSession();
        s.put("a", 1);
        assertTrue(cache.put(s));
        Session stale = cache.get(s.id()).orElseThrow();
        cache.remove(s.id());
        assertTrue(cache.remembersMiss(s.id()));
        int lookups = parent.gets.get();
        assertTrue(cache.get(s.id()).isEmpty());
        assertEquals(lookups, parent.gets.get(), "the removal itself told the cache");
        clock.advance(Duration.ofSeconds(1));
        stale.put("b", 2);
        assertFalse(cache.put(stale), "no resurrection");
        assertTrue(cache.remembersMiss(s.id()));
        assertEquals(null, cache.cachedRecord(s.id()));
    }

    @Test
    @DisplayName("the remembered misses are bounded: a flood of distinct ids cannot grow memory")
    void missesAreBounded() {
        cache = overParent().negativeCacheSize(100).build();
        List<String> forged = new ArrayList<>();
        for (int i = 0; i < 2_000; i++) {
            forged.add(SessionIds.newId());
        }
        forged.forEach(cache::get);
        assertTrue(cache.missCount() <= 100, "remembered " + cache.missCount());
        assertEquals(2_000, parent.gets.get(), "each distinct id costs one lookup");
    }

    @Test
    @DisplayName("a zero negative-cache ttl remembers nothing")
    void zeroTtlTurnsNegativeCachingOff() {
        cache = overParent().negativeCacheTtl(Duration.ZERO).build();
        String forged = SessionIds.newId();
        for (int i = 0; i < 5; i++) {
            cache.get(forged);
        }
        assertEquals(5, parent.gets.get());
        assertFalse(cache.remembersMiss(forged));
    }

    @Test
    @DisplayName("a forged-id flood cannot evict live sessions")
    void missesDoNotEvictRecords() {
        cache = overParent().maximumSize(10).build();
        List<String> live = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            Session s = cache.newSession();
            s.put("i", i);
            assertTrue(cache.put(s));
            live.add(s.id());
        }
        for (int i = 0; i < 1_000; i++) {
            cache.get(SessionIds.newId());
        }
        for (String sid : live) {
            assertTrue(cache.cachedRecord(sid) != null, "live session still cached");
        }
    }
}
