package dev.satchel.store.caching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Invalidations;
import dev.satchel.Session;
import dev.satchel.SessionStoreUnavailableException;
import dev.satchel.testkit.MutableClock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What the cache believes when others write the same store, when the parent fails half-way, and when a
 * slow lookup overlaps a write.
 */
class CoherenceTest extends CacheFixture {


    private static String storedSession(CachingSessionManager through) {
        return stored(through, Duration.ofHours(12)).id();
    }

    // ------------------------------------------------------------------ staleness: two nodes, one store

    @Test
    @DisplayName("another node's change is seen once maxStaleness has passed, not before")
    void anotherNodesChangeIsSeenAfterMaxStaleness() {
        cache = overParent().maxStaleness(Duration.ofSeconds(30)).build();
        try (CachingSessionManager otherNode = CachingSessionManager.over(parent.store).clock(clock).build()) {
            String sid = storedSession(cache);
            assertEquals(1, cache.get(sid).orElseThrow().get("n"));
            Session there = otherNode.get(sid).orElseThrow();
            there.put("n", 2);
            assertTrue(otherNode.put(there));
            clock.advance(Duration.ofSeconds(30).minusMillis(1));
            assertEquals(1, cache.get(sid).orElseThrow().get("n"), "trusted for maxStaleness");
            clock.advance(Duration.ofMillis(1));
            assertEquals(2, cache.get(sid).orElseThrow().get("n"), "re-read from the store after it");
        }
    }

    @Test
    @DisplayName("a logout on another node is honoured here within maxStaleness, with the default of one second")
    void anotherNodesRemovalIsSeenWithinTheDefaultStaleness() {
        cache = overParent().build();
        String sid = storedSession(cache);
        assertTrue(cache.exists(sid));
        parent.store.remove(sid); // the other node
        clock.advance(Duration.ofMillis(999));
        assertTrue(cache.exists(sid), "still trusted");
        clock.advance(Duration.ofMillis(1));
        assertFalse(cache.exists(sid));
        assertTrue(cache.get(sid).isEmpty());
    }

    @Test
    @DisplayName("staleness counts from when the record was read, however often it is used meanwhile")
    void readsDoNotExtendTrust() {
        cache = overParent().maxStaleness(Duration.ofSeconds(10)).build();
        String sid = storedSession(cache);
        for (int i = 0; i < 9; i++) {
            clock.advance(Duration.ofSeconds(1));
            assertTrue(cache.get(sid).isPresent());
        }
        int lookups = parent.gets.get();
        clock.advance(Duration.ofSeconds(1));
        assertTrue(cache.get(sid).isPresent());
        assertEquals(lookups + 1, parent.gets.get());
    }

    // ------------------------------------------------------------------ invalidations

    /** A parent that can push changes, as a Redis store can. */
    static final class FeedingParent extends ScriptedParent implements Invalidations {
        volatile Listener listener;
        final AtomicInteger subscriptionsClosed = new AtomicInteger();

        FeedingParent(MutableClock clock) {
            super(clock);
        }

        @Override
        public Subscription subscribe(Listener l) {
            this.listener = l;
            return subscriptionsClosed::incrementAndGet;
        }
    }

    @Test
    @DisplayName("a parent's invalidations drop one session, or everything after a gap; close ends the subscription")
    void invalidationsFromTheParent() {
        FeedingParent feeding = new FeedingParent(clock);
        try (CachingSessionManager fed = CachingSessionManager.over(feeding).clock(clock).build()) {
            assertNotNull(feeding.listener, "subscribed when built");
            String a = storedSession(fed);
            String b = storedSession(fed);
            assertNotNull(fed.cachedRecord(a));
            feeding.listener.invalidate(a);
            assertNull(fed.cachedRecord(a));
            assertNotNull(fed.cachedRecord(b));
            feeding.listener.invalidate("not an id"); // ignored, never an exception
            feeding.listener.invalidate(null);
            fed.get(a);
            assertNotNull(fed.cachedRecord(a), "read again from the parent");
            feeding.listener.invalidateAll();
            assertNull(fed.cachedRecord(a));
            assertNull(fed.cachedRecord(b));
            assertEquals(0, feeding.subscriptionsClosed.get());
        }
        assertEquals(1, feeding.subscriptionsClosed.get());
    }

    @Test
    @DisplayName("with an invalidation feed the default staleness is one minute, a backstop")
    void feedRaisesTheDefaultStaleness() {
        FeedingParent feeding = new FeedingParent(clock);
        try (CachingSessionManager fed = CachingSessionManager.over(feeding).clock(clock).build()) {
            String sid = storedSession(fed);
            clock.advance(Duration.ofSeconds(59));
            assertNotNull(fed.cachedRecord(sid));
            clock.advance(Duration.ofSeconds(1));
            assertNull(fed.cachedRecord(sid));
        }
    }

    @Test
    @DisplayName("withoutInvalidations ignores the parent's feed; invalidationsFrom subscribes to another")
    void feedCanBeRefusedOrReplaced() {
        FeedingParent feeding = new FeedingParent(clock);
        CachingSessionManager ignoring = CachingSessionManager.over(feeding).clock(clock).withoutInvalidations().build();
        try {
            assertNull(feeding.listener);
            String sid = storedSession(ignoring);
            clock.advance(Duration.ofSeconds(1));
            assertNull(ignoring.cachedRecord(sid), "without a feed the default staleness is one second");
        } finally {
            ignoring.close();
        }
        FeedingParent other = new FeedingParent(clock);
        cache = overParent().invalidationsFrom(other).build();
        assertNotNull(other.listener);
        String sid = storedSession(cache);
        other.listener.invalidate(sid);
        assertNull(cache.cachedRecord(sid));
        other.listener.invalidateAll();
        cache.close();
        assertEquals(1, other.subscriptionsClosed.get());
        cache = null;
    }

    @Test
    @DisplayName("an invalidation also clears a remembered miss: the session was created elsewhere")
    void invalidationClearsAMiss() {
        FeedingParent feeding = new FeedingParent(clock);
        try (CachingSessionManager fed = CachingSessionManager.over(feeding).clock(clock).build()) {
            Session s = feeding.store.newSession();
            assertTrue(fed.get(s.id()).isEmpty());
            s.put("a", 1);
            assertTrue(feeding.store.put(s)); // another node creates it
            feeding.listener.invalidate(s.id());
            assertTrue(fed.get(s.id()).isPresent());
        }
    }

    // ------------------------------------------------------------------ the parent failing half-way

    @Test
    @DisplayName("a put that fails before writing is rethrown and the cached record is dropped")
    void putFailingBeforeWriting() {
        cache = overParent().build();
        String sid = storedSession(cache);
        Session s = cache.get(sid).orElseThrow();
        s.put("n", 2);
        SessionStoreUnavailableException down = new SessionStoreUnavailableException("down", null);
        parent.failNextPut = down;
        assertSame(down, assertThrows(SessionStoreUnavailableException.class, () -> cache.put(s)));
        assertNull(cache.cachedRecord(sid), "state unknown: nothing cached");
        assertEquals(1, cache.get(sid).orElseThrow().get("n"), "the parent's state, read again");
    }

    @Test
    @DisplayName("a put that fails after the parent wrote never leaves the old state cached")
    void putFailingAfterWriting() {
        cache = overParent().build();
        String sid = storedSession(cache);
        Session s = cache.get(sid).orElseThrow();
        s.put("n", 2);
        parent.failNextPutAfterWriting = new SessionStoreUnavailableException("reply lost", null);
        assertThrows(SessionStoreUnavailableException.class, () -> cache.put(s));
        assertNull(cache.cachedRecord(sid));
        assertEquals(2, cache.get(sid).orElseThrow().get("n"), "what the parent holds, not what was cached");
    }

    @Test
    @DisplayName("a remove that fails after removing is rethrown and the session is not served from the cache")
    void removeFailingAfterRemoving() {
        cache = overParent().build();
        String sid = storedSession(cache);
        parent.failNextRemoveAfterRemoving = new SessionStoreUnavailableException("reply lost", null);
        assertThrows(SessionStoreUnavailableException.class, () -> cache.remove(sid));
        assertNull(cache.cachedRecord(sid));
        assertFalse(cache.remembersMiss(sid), "the outcome is unknown: not remembered either way");
        assertTrue(cache.get(sid).isEmpty());
    }

    @Test
    @DisplayName("a failing lookup is rethrown unchanged and caches nothing, not even a miss")
    void lookupFailureCachesNothing() {
        cache = overParent().build();
        String sid = storedSession(cache);
        parent.store.remove(sid);
        clock.advance(Duration.ofSeconds(1)); // the cached record ages out
        SessionStoreUnavailableException down = new SessionStoreUnavailableException("down", null);
        parent.failNextGet = down;
        assertSame(down, assertThrows(SessionStoreUnavailableException.class, () -> cache.get(sid)));
        assertFalse(cache.remembersMiss(sid));
        assertTrue(cache.get(sid).isEmpty());
        assertTrue(cache.remembersMiss(sid));
    }

    // ------------------------------------------------------------------ slow lookups overlapping writes

    @Test
    @DisplayName("a lookup that read the session before a concurrent remove does not cache it afterwards")
    void lookupOverlappingARemoveCachesNothing() throws Exception {
        cache = overParent().maxStaleness(Duration.ofHours(1)).build();
        String sid = storedSession(cache);
        clock.advance(Duration.ofHours(1)); // age the cached record out
        CountDownLatch read = new CountDownLatch(1);
        parent.getRead = read;
        CompletableFuture<Optional<Session>> slow = CompletableFuture.supplyAsync(() -> cache.get(sid));
        assertTrue(read.await(1, TimeUnit.MINUTES), "the lookup reached the parent");
        cache.remove(sid); // logout while the lookup is under way
        parent.resumeGet.countDown();
        assertTrue(slow.get(1, TimeUnit.MINUTES).isPresent(), "the lookup itself saw the session");
        assertNull(cache.cachedRecord(sid), "but did not cache what was removed meanwhile");
        assertTrue(cache.get(sid).isEmpty());
    }

    @Test
    @DisplayName("a lookup that read an old version before a concurrent put does not overwrite the newer one")
    void lookupOverlappingAPutKeepsTheNewerVersion() throws Exception {
        cache = overParent().maxStaleness(Duration.ofHours(1)).build();
        String sid = storedSession(cache);
        Session writer = cache.get(sid).orElseThrow();
        clock.advance(Duration.ofHours(1)); // age the cached record out
        CountDownLatch read = new CountDownLatch(1);
        parent.getRead = read;
        CompletableFuture<Optional<Session>> slow = CompletableFuture.supplyAsync(() -> cache.get(sid));
        assertTrue(read.await(1, TimeUnit.MINUTES));
        writer.put("n", 2);
        assertTrue(cache.put(writer));
        parent.resumeGet.countDown();
        assertEquals(1, slow.get(1, TimeUnit.MINUTES).orElseThrow().get("n"));
        assertEquals(2, cache.get(sid).orElseThrow().get("n"), "the newer state wins");
    }
}
