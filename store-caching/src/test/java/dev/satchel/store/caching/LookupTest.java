package dev.satchel.store.caching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Session;
import dev.satchel.spi.SessionIds;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The hot path of HttpSessions.open: a lookup by an id inside the Cookie header. */
class LookupTest extends CacheFixture {

    @Test
    @DisplayName("a cached session is found by an id inside a header, counted as a hit, without asking the parent")
    void findsCachedSessionsInsideAHeader() {
        cache = overParent().recordStats().maxStaleness(Duration.ofHours(1)).build();
        String sid = stored(cache, Duration.ofMinutes(30)).id();
        int parentGets = parent.gets.get();
        String header = "a=b; SID=" + sid + "!" + "x".repeat(43);
        Session s = cache.lookup(header, header.indexOf(sid));
        assertNotNull(s);
        assertEquals(sid, s.id());
        assertEquals(1, s.get("n"));
        assertEquals(parentGets, parent.gets.get());
        assertEquals(1, cache.stats().hits());
    }

    @Test
    @DisplayName("an uncached id is loaded once, then cached; an unknown one is remembered as missing")
    void loadsAndRemembersMisses() {
        cache = overParent().maxStaleness(Duration.ofHours(1)).build();
        Session s = parent.newSession();
        s.put("n", 2);
        assertTrue(parent.put(s));
        String header = "SID=" + s.id();
        assertEquals(2, cache.lookup(header, 4).get("n"));
        assertEquals(2, cache.lookup(header, 4).get("n"));
        assertEquals(1, parent.gets.get(), "the second lookup is a hit");
        String unknown = "SID=" + SessionIds.newId();
        assertNull(cache.lookup(unknown, 4));
        assertNull(cache.lookup(unknown, 4));
        assertEquals(2, parent.gets.get(), "the second miss is remembered");
        assertNull(cache.lookup("SID=AAAAAAAAAAAAAAAAAAAA.A", 4));
        assertNull(cache.lookup("SID=short", 4));
        assertEquals(2, parent.gets.get(), "invalid ids reach nothing");
    }

    @Test
    @DisplayName("a cache hit allocates one small object: the Session")
    void aHitAllocatesOnlyTheSession() {
        cache = overParent().maxStaleness(Duration.ofHours(1)).build();
        String sid = stored(cache, Duration.ofMinutes(30)).id();
        String header = "theme=dark; SID=" + sid + "!" + "x".repeat(43);
        int start = header.indexOf(sid);
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().getId();
        int found = 0;
        for (int i = 0; i < 50_000; i++) { // warm up: the measured loop runs compiled
            found += cache.lookup(header, start) != null ? 1 : 0;
        }
        int n = 100_000;
        long before = threads.getThreadAllocatedBytes(tid);
        for (int i = 0; i < n; i++) {
            found += cache.lookup(header, start) != null ? 1 : 0;
        }
        long perLookup = (threads.getThreadAllocatedBytes(tid) - before) / n;
        assertEquals(150_000, found);
        assertTrue(perLookup <= 32, "a hit allocated " + perLookup + " bytes");
    }
}
