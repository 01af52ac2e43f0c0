package dev.satchel.store.caching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Session;
import dev.satchel.spi.SessionAccess;
import dev.satchel.spi.SessionCodec;
import dev.satchel.spi.SessionRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The cache stays within its bound, weighs records like their stored documents, and expires with them. */
class BoundsAndExpiryTest extends CacheFixture {


    private String store(String attribute, Object value) {
        Session s = cache.newSession();
        s.put(attribute, value);
        assertTrue(cache.put(s));
        return s.id();
    }

    @Test
    @DisplayName("a size bound holds; evicted sessions are still served by the parent and evictions are counted")
    void sizeBound() {
        cache = overParent().maximumSize(10).recordStats().build();
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            ids.add(store("i", i));
        }
        assertTrue(cache.cachedCount() <= 10, "cached " + cache.cachedCount());
        assertTrue(cache.stats().evictions() >= 90, "evictions " + cache.stats().evictions());
        for (int i = 0; i < 100; i++) {
            assertEquals(i, cache.get(ids.get(i)).orElseThrow().get("i"));
        }
        assertTrue(cache.cachedCount() <= 10);
    }

    @Test
    @DisplayName("a weight bound holds in bytes of stored documents; a record heavier than the bound is not kept")
    void weightBound() {
        cache = overParent().maximumWeight(100_000).recordStats().build();
        String tenKb = "x".repeat(10_000);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            ids.add(store("blob", tenKb + i));
        }
        long kept = cache.cachedCount();
        assertTrue(kept >= 1 && kept <= 9, "about ten 10 KB documents fit in 100 KB, kept " + kept);
        assertTrue(cache.stats().evictionWeight() >= 40 * 10_000L);
        String huge = store("blob", "y".repeat(200_000));
        cache.cachedCount();
        assertNull(cache.cachedRecord(huge));
        assertEquals(200_000, ((String) cache.get(huge).orElseThrow().get("blob")).length());
        for (String sid : ids) {
            assertTrue(cache.get(sid).isPresent());
        }
    }

    @Test
    @DisplayName("the weight estimate is close to the real stored document, Unicode included, and never below it by much")
    void weightMatchesTheStoredDocument() {
        cache = overParent().build();
        Session s = cache.newSession();
        s.setPrincipal("alice");
        s.put("ascii", "hello world");
        s.put("accents", "é".repeat(1000));
        s.put("cjk", "中".repeat(1000));
        s.put("emoji", "😀".repeat(1000));
        s.put("list", List.of(1, 2, 3, Map.of("k", "v")));
        assertTrue(cache.put(s));
        SessionRecord record = SessionAccess.record(s);
        int estimate = CachedRecord.weigh(record);
        int actual = SessionCodec.encode(record).length;
        assertTrue(estimate >= actual, "estimate " + estimate + " >= actual " + actual);
        assertTrue(estimate <= actual + 128, "estimate " + estimate + " close to actual " + actual);
        assertEquals(9000 + 11 + 5, CachedRecord.utf8Length("é".repeat(1000)) + CachedRecord.utf8Length("中".repeat(1000))
                + CachedRecord.utf8Length("😀".repeat(1000)) + CachedRecord.utf8Length("hello world")
                + CachedRecord.utf8Length("alice"));
    }

    @Test
    @DisplayName("an entry lives no longer than its session: idle timeout and absolute deadline")
    void entriesExpireWithTheirSession() {
        cache = overParent().maxStaleness(Duration.ofDays(1)).build();
        Session idle = stored(cache, Duration.ofMinutes(10));
        Session deadline = cache.newSession();
        deadline.setIdleTimeout(Duration.ofHours(1));
        deadline.setAbsoluteTimeout(Duration.ofMinutes(5));
        deadline.put("a", 1);
        assertTrue(cache.put(deadline));
        clock.advance(Duration.ofMinutes(5).minusMillis(1));
        assertNotNull(cache.cachedRecord(deadline.id()));
        clock.advance(Duration.ofMillis(1));
        assertNull(cache.cachedRecord(deadline.id()), "gone at its absolute deadline");
        assertTrue(cache.get(deadline.id()).isEmpty());
        assertNotNull(cache.cachedRecord(idle.id()));
        clock.advance(Duration.ofMinutes(5));
        assertNull(cache.cachedRecord(idle.id()), "gone at its idle expiry");
        assertTrue(cache.get(idle.id()).isEmpty());
    }

    @Test
    @DisplayName("an entry expiring in the cache is read again: another node may have kept the session alive")
    void expiryInTheCacheRereadsTheParent() {
        cache = overParent().maxStaleness(Duration.ofDays(1)).build();
        Session s = stored(cache, Duration.ofMinutes(10));
        clock.advance(Duration.ofMinutes(9));
        assertTrue(parent.store.put(parent.store.get(s.id()).orElseThrow()), "touched on another node");
        clock.advance(Duration.ofMinutes(1));
        assertEquals(1, cache.get(s.id()).orElseThrow().get("n"), "alive: re-read, not declared expired");
        assertEquals(clock.instant().minus(Duration.ofMinutes(1)), cache.get(s.id()).orElseThrow().lastAccessedAt());
    }

    @Test
    @DisplayName("a touch written through the cache moves the cached entry's expiry with it")
    void touchExtendsTheCachedEntry() {
        cache = overParent().maxStaleness(Duration.ofDays(1)).build();
        Session s = stored(cache, Duration.ofMinutes(10));
        clock.advance(Duration.ofMinutes(9));
        assertTrue(cache.put(cache.get(s.id()).orElseThrow()));
        clock.advance(Duration.ofMinutes(9));
        int lookups = parent.gets.get();
        assertTrue(cache.get(s.id()).isPresent());
        assertEquals(lookups, parent.gets.get(), "served from the cache, 18 minutes after creation");
    }
}
