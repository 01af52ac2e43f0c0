package dev.satchel.store.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Invalidations;
import dev.satchel.Session;

import dev.satchel.testkit.Await;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ClientType;
import redis.clients.jedis.params.ClientKillParams;

/**
 * The invalidation feed on a standalone Redis: every change and removal made through any manager reaches
 * every listener, and a listener is told to trust nothing whenever the feed may have missed something —
 * at subscription, when the subscriber connection is killed, when the server freezes (detected by the
 * heartbeat, and repeated every interval until it answers), and across a restart.
 */
@SuppressWarnings("try") // a subscription is held open by try-with-resources without being read
class RedisInvalidationIT {

    private static final Duration HEARTBEAT = Duration.ofMillis(200);
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    @DisplayName("changes and removals through any manager reach the listener; the first subscription resets it")
    void changesAreDelivered() {
        try (RedisServer redis = RedisServer.start();
                StoreAndManager listening = manager(redis, InvalidationMode.PUBLISH);
                StoreAndManager writing = manager(redis, InvalidationMode.PUBLISH)) {
            Recorder heard = new Recorder();
            try (Invalidations.Subscription sub = listening.invalidations().subscribe(heard)) {
                awaitSubscribed(listening);
                // Redis lists the subscription before the feed's thread has handled its confirmation: wait for it.
                Await.until("the listener is told to trust nothing it saw before the subscription", WAIT,
                        () -> heard.resets.get() >= 1);

                Session s = stored(writing, null);
                assertFalse(heard.ids.contains(s.id()), "a new session invalidates nothing");
                changeOf(writing, s.id());
                awaitHeard(heard, s.id());

                Session other = stored(writing, null);
                writing.manager.remove(other.id());
                awaitHeard(heard, other.id());

                Session own = stored(listening, null);
                changeOf(listening, own.id());
                awaitHeard(heard, own.id());

                Session alice = stored(writing, "alice");
                assertEquals(1, writing.index().removeByPrincipal("alice"));
                awaitHeard(heard, alice.id());
            }
        }
    }

    @Test
    @DisplayName("a killed subscriber connection: the listener resets, the feed resubscribes and delivers again")
    void killedConnection() {
        survives((redis, m, heard) -> {
            int before = heard.resets.get();
            try (Jedis admin = redis.admin()) {
                assertEquals(1, admin.clientKill(new ClientKillParams().type(ClientType.PUBSUB)));
            }
            Await.until("the listener is reset", WAIT, () -> heard.resets.get() > before);
        });
    }

    @Test
    @DisplayName("a frozen server: the heartbeat resets the listener, every interval until the server answers")
    void frozenServer() {
        survives((redis, m, heard) -> {
            int before = heard.resets.get();
            redis.pause();
            try {
                Await.until("the silence is detected", WAIT, () -> !m.feedSubscribed());
                // The feed marks itself unsubscribed, then resets its listeners: wait for the reset too.
                Await.until("the listener is reset", WAIT, () -> heard.resets.get() > before);
                int detected = heard.resets.get();
                Await.until("the listener is reset again while it lasts", WAIT,
                        () -> heard.resets.get() >= detected + 2);
            } finally {
                redis.resume();
            }
        });
    }

    @Test
    @DisplayName("a restarted server: the listener is reset during the outage and the feed comes back")
    void restartedServer() {
        survives((redis, m, heard) -> {
            int before = heard.resets.get();
            redis.kill();
            Await.until("the listener is reset", WAIT, () -> heard.resets.get() > before);
            redis.restart();
        });
    }

    @Test
    @DisplayName("InvalidationMode.NONE publishes nothing, and its manager offers no feed")
    void noneMode() {
        try (RedisServer redis = RedisServer.start();
                StoreAndManager silent = manager(redis, InvalidationMode.NONE);
                StoreAndManager listening = manager(redis, InvalidationMode.PUBLISH)) {
            assertFalse(silent.manager instanceof Invalidations, "no feed offered, so no cache can trust one");
            Recorder heard = new Recorder();
            try (Invalidations.Subscription sub = listening.invalidations().subscribe(heard)) {
                awaitSubscribed(listening);
                Session quiet = stored(silent, null);
                changeOf(silent, quiet.id());
                silent.manager.remove(quiet.id());
                Session loud = stored(listening, null);
                changeOf(listening, loud.id());
                awaitHeard(heard, loud.id());
                assertFalse(heard.ids.contains(quiet.id()), "published in order, so it would have come first");
            }
        }
    }

    @Test
    @DisplayName("close ends the feed's threads; a closed manager refuses listeners")
    void closeStopsTheFeed() {
        try (RedisServer redis = RedisServer.start()) {
            StoreAndManager m = manager(redis, InvalidationMode.PUBLISH);
            m.invalidations().subscribe(new Recorder());
            awaitSubscribed(m);
            m.close();
            Await.until("the feed's threads are gone", WAIT, () -> Thread.getAllStackTraces().keySet().stream()
                    .noneMatch(t -> t.getName().startsWith("satchel-redis-invalidations")));
            assertThrows(IllegalStateException.class, () -> m.invalidations().subscribe(new Recorder()));
            m.close();
        }
    }

    private static StoreAndManager manager(RedisServer redis, InvalidationMode mode) {
        return StoreAndManager.build(RedisSessionManager.builder().uri(redis.uri()).invalidationMode(mode)
                .invalidationHeartbeat(HEARTBEAT).socketTimeout(Duration.ofMillis(500))
                .connectTimeout(Duration.ofMillis(500)));
    }

    private static Session stored(StoreAndManager m, String principal) {
        Session s = m.manager.newSession();
        s.put("n", 0);
        s.setPrincipal(principal);
        assertTrue(m.manager.put(s));
        return s;
    }

    private static void changeOf(StoreAndManager m, String sid) {
        Session s = m.manager.get(sid).orElseThrow();
        s.put("n", 1);
        assertTrue(m.manager.put(s));
    }

    /** Something done to a server under a subscribed feed. */
    private interface Disruption {
        void apply(RedisServer redis, StoreAndManager m, Recorder heard);
    }

    /** Subscribes, applies {@code disruption}, and checks the feed is subscribed and delivering again. */
    private static void survives(Disruption disruption) {
        try (RedisServer redis = RedisServer.start();
                StoreAndManager m = manager(redis, InvalidationMode.PUBLISH)) {
            Recorder heard = new Recorder();
            try (Invalidations.Subscription sub = m.invalidations().subscribe(heard)) {
                awaitSubscribed(m);
                disruption.apply(redis, m, heard);
                awaitSubscribed(m);
                assertDelivers(m, heard);
            }
        }
    }

    private static void awaitSubscribed(StoreAndManager m) {
        Await.until("the feed is subscribed", WAIT, m::feedSubscribed);
    }

    /** A change made through {@code m} now reaches {@code heard}. */
    private static void assertDelivers(StoreAndManager m, Recorder heard) {
        Session s = stored(m, null);
        changeOf(m, s.id());
        awaitHeard(heard, s.id());
    }

    private static void awaitHeard(Recorder heard, String sid) {
        Await.until("the change is heard", WAIT, () -> heard.ids.contains(sid));
    }

    /** Remembers what the feed said. */
    static final class Recorder implements Invalidations.Listener {
        final Set<String> ids = ConcurrentHashMap.newKeySet();
        final AtomicInteger resets = new AtomicInteger();

        @Override
        public void invalidate(String sid) {
            ids.add(sid);
        }

        @Override
        public void invalidateAll() {
            resets.incrementAndGet();
        }
    }
}
