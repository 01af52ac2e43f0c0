package dev.satchel.store.caching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Session;
import dev.satchel.spi.SessionAccess;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Invalidations that carry the version written: a copy at least that new is kept, an older one dropped, and
 * with none cached a floor keeps a lookup or write from caching anything older.
 */
class VersionedInvalidationTest extends CacheFixture {

    private final CoherenceTest.FeedingParent feeding = new CoherenceTest.FeedingParent(clock);

    private CachingSessionManager fed() {
        cache = CachingSessionManager.over(feeding).clock(clock).executor(Runnable::run).build();
        return cache;
    }

    private static long cachedVersion(CachingSessionManager c, String sid) {
        return c.cachedRecord(sid).version();
    }

    @Test
    @DisplayName("a copy at the invalidated version or newer is kept; an older one is dropped")
    void keepsOwnVersion() {
        CachingSessionManager c = fed();
        String sid = stored(c, Duration.ofHours(1)).id();
        long v = cachedVersion(c, sid);
        feeding.listener.invalidate(sid, v);
        assertNotNull(c.cachedRecord(sid), "the node's own write, reported back");
        feeding.listener.invalidate(sid, v - 1);
        assertNotNull(c.cachedRecord(sid), "an older report");
        feeding.listener.invalidate(sid, v + 1);
        assertNull(c.cachedRecord(sid), "another node's newer write");
    }

    @Test
    @DisplayName("the report of a write that arrives before the write's own caching does not stop it")
    void reportBeforeCaching() {
        CachingSessionManager c = fed();
        String sid = stored(c, Duration.ofHours(1)).id();
        Session s = c.get(sid).orElseThrow();
        long next = SessionAccess.record(s).version() + 1;
        s.put("n", 2);
        feeding.listener.invalidate(sid, next); // the feed won the race with put's return
        assertNull(c.cachedRecord(sid));
        assertTrue(c.put(s));
        assertEquals(next, cachedVersion(c, sid), "the put cached what it wrote");
        long misses = c.stats().misses();
        assertEquals(2, c.get(sid).orElseThrow().get("n"));
        assertEquals(misses, c.stats().misses());
    }

    @Test
    @DisplayName("with nothing cached, a lookup that finds an older version than reported caches nothing")
    void floorStopsOlderLoads() {
        CachingSessionManager c = fed();
        String sid = stored(c, Duration.ofHours(1)).id();
        long v = cachedVersion(c, sid);
        feeding.listener.invalidate(sid, v + 1); // a write elsewhere not yet visible to this node's reads
        assertEquals(1, c.get(sid).orElseThrow().get("n"));
        assertNull(c.cachedRecord(sid), "version " + v + " is below the floor");
        Session there = feeding.store.get(sid).orElseThrow();
        there.put("n", 3);
        assertTrue(feeding.store.put(there)); // now at v + 1
        assertEquals(3, c.get(sid).orElseThrow().get("n"));
        assertEquals(v + 1, cachedVersion(c, sid), "the floor is reached: cached again");
    }

    @Test
    @DisplayName("a report without a version (a removal) always drops the copy")
    void removalsAlwaysDrop() {
        CachingSessionManager c = fed();
        String sid = stored(c, Duration.ofHours(1)).id();
        feeding.listener.invalidate(sid);
        assertNull(c.cachedRecord(sid));
        feeding.listener.invalidate("not an id", 3); // ignored, never an exception
        feeding.listener.invalidate(null, 3);
    }
}
