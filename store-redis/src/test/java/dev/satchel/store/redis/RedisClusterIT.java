package dev.satchel.store.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.HttpSessions;
import dev.satchel.Invalidations;
import dev.satchel.Session;
import dev.satchel.SessionManager;
import dev.satchel.SessionStoreException;
import dev.satchel.SessionStoreTimeoutException;
import dev.satchel.SessionStoreUnavailableException;
import dev.satchel.SigningKeys;
import dev.satchel.testkit.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.util.JedisClusterCRC16;

/**
 * What is special about Cluster: id rotation across slots, invalidations that reach a subscriber on any
 * node, and a master killed under a running manager — sessions written with {@link Durability#REPLICATED}
 * are all there after the failover, and only the documented exceptions surface while it happens.
 */
@ExtendWith(RedisClusterFixture.Shared.class)
class RedisClusterIT {

    private static final Duration HANG = Duration.ofSeconds(30);
    private static RedisClusterFixture cluster;

    @BeforeAll
    static void joinCluster(RedisClusterFixture shared) {
        cluster = shared;
    }

    @Test
    @DisplayName("rotateId through HttpSessions moves a session between slots: create new, remove old")
    void rotateIdAcrossSlots() {
        try (StoreAndManager m = StoreAndManager.build(RedisSessionManager.builder().cluster(cluster.seeds())
                .namespace("rotate"))) {
            HttpSessions http = HttpSessions.builder().manager(m.manager).signingKeys(SigningKeys.of(new byte[32])).build();
            Session s = http.open(null);
            s.put("cart", List.of("book"));
            String cookie = http.commit(s).orElseThrow();
            String oldId = s.id();
            s.setPrincipal("alice");
            assertTrue(http.rotateId(s));
            String newCookie = http.commit(s).orElseThrow();
            assertNotEquals(JedisClusterCRC16.getSlot(m.sessionKey(oldId)), JedisClusterCRC16.getSlot(m.sessionKey(s.id())),
                    "this test needs ids in different slots (a 1 in 16384 coincidence otherwise)");
            assertFalse(m.manager.exists(oldId));
            Session reopened = http.open(cookieValue(newCookie));
            assertEquals(s.id(), reopened.id());
            assertEquals(List.of("book"), reopened.get("cart"));
            assertEquals("alice", reopened.principal().orElseThrow());
            assertNotEquals(oldId, http.open(cookieValue(cookie)).id(), "the old cookie gives a fresh session");
            assertEquals(1, m.index().removeByPrincipal("alice"));
        }
    }

    @Test
    @DisplayName("a change written on any master reaches a subscriber connected to any node")
    void invalidationsCrossTheCluster() {
        try (StoreAndManager listening = StoreAndManager.build(RedisSessionManager.builder().cluster(cluster.seeds())
                        .namespace("inv"));
                StoreAndManager writing = StoreAndManager.build(RedisSessionManager.builder().cluster(cluster.seeds())
                        .namespace("inv"))) {
            Set<String> heard = ConcurrentHashMap.newKeySet();
            Invalidations.Subscription subscription = listening.invalidations().subscribe(new Invalidations.Listener() {
                @Override
                public void invalidate(String sid) {
                    heard.add(sid);
                }

                @Override
                public void invalidateAll() {}
            });
            try {
                Await.until("the feed is subscribed", HANG, listening::feedSubscribed);
                Set<String> changed = new HashSet<>();
                Set<Integer> slots = new HashSet<>();
                for (int i = 0; i < 30; i++) {
                    Session s = writing.manager.newSession();
                    s.put("n", i);
                    assertTrue(writing.manager.put(s));
                    Session loaded = writing.manager.get(s.id()).orElseThrow();
                    loaded.put("n", i + 1);
                    assertTrue(writing.manager.put(loaded));
                    changed.add(s.id());
                    slots.add(JedisClusterCRC16.getSlot(writing.sessionKey(s.id())));
                }
                assertTrue(slots.size() > 20, "spread over the cluster");
                Await.until("every change is heard", HANG, () -> heard.containsAll(changed));
            } finally {
                subscription.close();
            }
        }
    }

    @Test
    @DisplayName("a killed master: documented exceptions during the failover, then every replicated write is there")
    void failoverKeepsReplicatedWrites() {
        try (SessionManager m = RedisSessionManager.builder().cluster(cluster.seeds()).namespace("failover")
                .durability(Durability.REPLICATED).replicaAcknowledgements(1, Duration.ofMillis(500))
                .build()) {
            String keyPrefix = "failover:session:{";
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 30; i++) {
                Session s = m.newSession();
                s.put("n", i);
                assertTrue(m.put(s));
                Session loaded = m.get(s.id()).orElseThrow();
                loaded.put("updated", i);
                assertTrue(m.put(loaded));
                ids.add(s.id());
            }
            String probe = ids.get(0);
            RedisServer victim = cluster.masterOf(keyPrefix + probe + "}");
            victim.kill();
            try {
                List<SessionStoreException> failures = new ArrayList<>();
                Await.until("the cluster has failed over", Duration.ofSeconds(60), () -> {
                    try {
                        return assertTimeoutPreemptively(HANG, () -> m.get(probe)).isPresent();
                    } catch (SessionStoreException e) {
                        failures.add(e);
                        return false;
                    }
                });
                for (SessionStoreException e : failures) {
                    assertTrue(e instanceof SessionStoreUnavailableException || e instanceof SessionStoreTimeoutException,
                            () -> "during a failover: " + e);
                }
                for (int i = 0; i < ids.size(); i++) {
                    Session s = m.get(ids.get(i)).orElseThrow(() -> new AssertionError("lost in the failover"));
                    assertEquals(i, s.get("n"));
                    assertEquals(i, s.get("updated"));
                }
                // The promoted master has no replica yet: REPLICATED writes to it report that they are not safe.
                Session unsafe = m.get(probe).orElseThrow();
                unsafe.put("while", "degraded");
                SessionStoreException e = assertThrows(SessionStoreTimeoutException.class, () -> m.put(unsafe));
                assertTrue(e.getMessage().contains("only 0 of 1 replicas"), e.getMessage());
            } finally {
                victim.restart(); // rejoins as a replica of the promoted master
                cluster.awaitHealthy();
            }
            // The rejoined replica acknowledges writes once it has caught up; until then REPLICATED writes keep
            // reporting that they are not safe. The manager needs nothing to recover: a write just succeeds.
            Await.until("replicated writes are acknowledged again", Duration.ofSeconds(60), () -> {
                Session s = m.get(probe).orElseThrow();
                s.put("after", "recovery");
                try {
                    return m.put(s);
                } catch (SessionStoreTimeoutException notYet) {
                    return false;
                }
            });
            assertEquals("recovery", m.get(probe).orElseThrow().get("after"));
        }
    }

    private static String cookieValue(String setCookie) {
        return setCookie.substring(0, setCookie.indexOf(';'));
    }
}
