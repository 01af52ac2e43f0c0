package dev.satchel.store.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Invalidations;
import dev.satchel.Session;
import dev.satchel.spi.SessionAccess;
import dev.satchel.store.caching.CacheStats;
import dev.satchel.store.caching.CachingSessionManager;
import dev.satchel.testkit.Await;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The cache over Redis with versioned invalidations (issue 17): a node's own write comes back over the
 * feed carrying the version it stored and keeps the copy the node just cached; another node's write drops
 * it; a removal always drops it. Each check waits until the feed has delivered the write's message to a
 * listener subscribed after the cache's (listeners are called in order, so the cache has handled it too),
 * then reads, and asserts on the cache's stats.
 */
@SuppressWarnings("try") // subscriptions are held open by try-with-resources without being read
class RedisCachedWritesIT {

    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    @DisplayName("one node writing on every request: each read after its own write is a cache hit")
    void ownWritesStayCached() {
        try (RedisServer redis = RedisServer.start(); Node a = new Node(redis)) {
            Session s = a.cache.newSession();
            s.put("n", 0);
            assertTrue(a.cache.put(s)); // a new session: created, nothing published
            CacheStats before = a.cache.stats();
            for (int i = 1; i <= 5; i++) {
                Session read = a.cache.get(s.id()).orElseThrow();
                assertEquals(i - 1, (int) read.get("n", Integer.class));
                read.put("n", i);
                assertTrue(a.cache.put(read));
                a.awaitHeard(s.id(), SessionAccess.record(read).version());
            }
            assertEquals(5, (int) read(a, s.id()).get("n", Integer.class));
            CacheStats after = a.cache.stats();
            assertEquals(6, after.hits() - before.hits(), "every read after an own write hits");
            assertEquals(0, after.misses() - before.misses(), "no read after an own write misses");
        }
    }

    @Test
    @DisplayName("two nodes: B's write drops A's copy, and A then reads B's value")
    void otherNodesWritesEvict() {
        try (RedisServer redis = RedisServer.start(); Node a = new Node(redis); Node b = new Node(redis)) {
            Session s = a.cache.newSession();
            s.put("who", "a");
            assertTrue(a.cache.put(s)); // a new session: created, nothing published
            assertEquals("a", read(a, s.id()).get("who", String.class));

            Session atB = b.cache.get(s.id()).orElseThrow();
            atB.put("who", "b");
            assertTrue(b.cache.put(atB));
            long written = SessionAccess.record(atB).version();
            a.awaitHeard(s.id(), written);

            long missesBefore = a.cache.stats().misses();
            Session atA = read(a, s.id());
            assertEquals("b", atA.get("who", String.class));
            assertEquals(written, SessionAccess.record(atA).version());
            assertEquals(missesBefore + 1, a.cache.stats().misses(), "A's older copy was dropped");
        }
    }

    @Test
    @DisplayName("a removal always drops the copy, even one at the newest version")
    void removalsAlwaysEvict() {
        try (RedisServer redis = RedisServer.start(); Node a = new Node(redis); Node b = new Node(redis)) {
            Session s = a.cache.newSession();
            s.put("k", "v");
            assertTrue(a.cache.put(s)); // a new session: created, nothing published
            assertTrue(a.cache.get(s.id()).isPresent());

            b.cache.remove(s.id());
            a.awaitRemoved(s.id());
            assertFalse(a.cache.get(s.id()).isPresent(), "the removal reached A's cache");
        }
    }

    private static Session read(Node node, String sid) {
        return node.cache.get(sid).orElseThrow();
    }

    /** One application node: a Redis manager under a cache, and a listener that hears what the cache hears. */
    private static final class Node implements AutoCloseable {
        final StoreAndManager store;
        final CachingSessionManager cache;
        final Map<String, Long> versions = new ConcurrentHashMap<>();
        final Set<String> removed = ConcurrentHashMap.newKeySet();
        final Invalidations.Subscription heard;

        Node(RedisServer redis) {
            store = StoreAndManager.build(RedisSessionManager.builder().uri(redis.uri()));
            cache = CachingSessionManager.over(store.manager).recordStats().executor(Runnable::run).build();
            heard = store.invalidations().subscribe(new Invalidations.Listener() {
                @Override
                public void invalidate(String sid) {
                    removed.add(sid);
                }

                @Override
                public void invalidate(String sid, long version) {
                    versions.merge(sid, version, Math::max);
                }

                @Override
                public void invalidateAll() {}
            });
            Await.until("the feed is subscribed", RedisServer.STARTUP, store::feedSubscribed);
            // The subscription's reset (invalidateAll) may still be on its way; it comes before any message
            // published after the subscription, so once a probe's change is heard, the reset is behind us.
            Session probe = cache.newSession();
            probe.put("probe", true);
            assertTrue(cache.put(probe));
            Session changed = cache.get(probe.id()).orElseThrow();
            changed.put("probe", false);
            assertTrue(cache.put(changed));
            awaitHeard(probe.id(), SessionAccess.record(changed).version());
        }

        void awaitHeard(String sid, long version) {
            Await.until("the write's invalidation is heard", WAIT, () -> versions.getOrDefault(sid, -1L) >= version);
        }

        void awaitRemoved(String sid) {
            Await.until("the removal is heard", WAIT, () -> removed.contains(sid));
        }

        @Override
        public void close() {
            heard.close();
            cache.close();
        }
    }
}
