package dev.satchel.store.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Session;
import dev.satchel.SessionManager;
import dev.satchel.spi.SessionAccess;
import dev.satchel.store.caching.CachingSessionManager;
import dev.satchel.testkit.Await;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.args.ClientType;
import redis.clients.jedis.params.ClientKillParams;

/**
 * Several application nodes, simulated in this JVM, over one Redis: each node is a
 * Redis manager under a {@link CachingSessionManager} that the invalidation feed keeps
 * coherent. Writer threads on two nodes update their own counter attributes and one shared attribute of
 * a few sessions, reading through their node's cache; reader threads on two other nodes keep reading the
 * same sessions through theirs. Half-way, every subscriber connection is killed.
 *
 * <p>Checked: nothing is lost (every counter ends at exactly the number of increments made), and no node
 * ever serves a record older than the documented bound — {@linkplain RedisSessionManager.Builder#invalidationHeartbeat
 * three heartbeat intervals} — that is, a read that starts at {@code t} never returns a version older than one
 * whose write had completed by {@code t - bound}. Readers go on until they have seen every final version,
 * so a node that missed invalidations would fail the bound rather than pass unnoticed.
 */
class RedisCachingConcurrencyIT {

    private static final Duration HEARTBEAT = RedisSessionManager.DEFAULT_INVALIDATION_HEARTBEAT;
    private static final long BOUND_NANOS = 3 * HEARTBEAT.toNanos();
    private static final int NODES = 4;
    private static final int WRITER_NODES = 2;
    private static final int WRITERS_PER_NODE = 2;
    private static final int SESSIONS = 4;
    private static final int ROUNDS = 300;

    @Test
    @DisplayName("cached nodes fed by invalidations: per-attribute updates from all nodes, nothing lost, none too stale")
    void cachedNodesStayCoherent() throws Exception {
        try (RedisServer redis = RedisServer.start(); Jedis admin = redis.admin()) {
            List<StoreAndManager> stores = new ArrayList<>();
            List<CachingSessionManager> nodes = new ArrayList<>();
            ExecutorService threads = Executors.newCachedThreadPool();
            try {
                for (int n = 0; n < NODES; n++) {
                    StoreAndManager store = StoreAndManager.build(RedisSessionManager.builder().uri(redis.uri()));
                    stores.add(store);
                    nodes.add(CachingSessionManager.over(store.manager).build());
                }
                for (StoreAndManager store : stores) {
                    Await.until("every node's feed is subscribed", RedisServer.STARTUP, store::feedSubscribed);
                }
                List<String> sids = new ArrayList<>();
                List<ConcurrentSkipListMap<Long, Long>> completed = new ArrayList<>();
                for (int k = 0; k < SESSIONS; k++) {
                    Session s = nodes.get(0).newSession();
                    s.put("shared", "none");
                    assertTrue(nodes.get(0).put(s));
                    sids.add(s.id());
                    ConcurrentSkipListMap<Long, Long> log = new ConcurrentSkipListMap<>();
                    log.put(System.nanoTime(), SessionAccess.record(s).version());
                    completed.add(log);
                }
                ConcurrentLinkedQueue<String> violations = new ConcurrentLinkedQueue<>();
                AtomicBoolean writing = new AtomicBoolean(true);
                CountDownLatch halfway = new CountDownLatch(1);
                List<Future<?>> writers = new ArrayList<>();
                for (int n = 0; n < WRITER_NODES; n++) {
                    for (int t = 0; t < WRITERS_PER_NODE; t++) {
                        CachingSessionManager node = nodes.get(n);
                        String counter = "counter-" + n + "-" + t;
                        boolean first = n == 0 && t == 0;
                        writers.add(threads.submit(() -> {
                            for (int r = 0; r < ROUNDS; r++) {
                                int k = r % SESSIONS;
                                long start = System.nanoTime();
                                Session s = node.get(sids.get(k)).orElseThrow();
                                check(violations, completed.get(k), s, start);
                                Integer value = s.get(counter, Integer.class);
                                s.put(counter, value == null ? 1 : value + 1);
                                s.put("shared", counter);
                                assertTrue(node.put(s), "session lost");
                                completed.get(k).merge(System.nanoTime(), SessionAccess.record(s).version(), Math::max);
                                if (first && r == ROUNDS / 2) {
                                    halfway.countDown();
                                }
                            }
                            return null;
                        }));
                    }
                }
                List<Future<Integer>> readers = new ArrayList<>();
                for (int n = WRITER_NODES; n < NODES; n++) {
                    CachingSessionManager node = nodes.get(n);
                    readers.add(threads.submit(() -> readUntilFinal(node, sids, completed, writing, violations)));
                }
                assertTrue(halfway.await(5, TimeUnit.MINUTES));
                long killed = admin.clientKill(new ClientKillParams().type(ClientType.PUBSUB));
                assertEquals(NODES, killed, "one subscriber connection per node");
                for (Future<?> w : writers) {
                    w.get(5, TimeUnit.MINUTES);
                }
                writing.set(false);
                int reads = 0;
                for (Future<Integer> r : readers) {
                    reads += r.get(5, TimeUnit.MINUTES);
                }
                assertTrue(violations.isEmpty(), () -> "reads older than the bound, e.g. " + violations.peek());
                assertTrue(reads > 0);

                try (SessionManager uncached = RedisSessionManager.builder().uri(redis.uri()).build()) {
                    int increments = ROUNDS / SESSIONS;
                    for (String sid : sids) {
                        Session s = uncached.get(sid).orElseThrow();
                        for (int n = 0; n < WRITER_NODES; n++) {
                            for (int t = 0; t < WRITERS_PER_NODE; t++) {
                                assertEquals(increments, s.get("counter-" + n + "-" + t), "counter of writer " + n + "-" + t);
                            }
                        }
                        assertEquals(1 + WRITER_NODES * WRITERS_PER_NODE * increments, SessionAccess.record(s).version(),
                                "one version per write");
                        assertTrue(((String) s.get("shared")).startsWith("counter-"));
                    }
                }
            } finally {
                threads.shutdownNow();
                nodes.forEach(CachingSessionManager::close); // closes each store too
            }
        }
    }

    /**
     * Reads every session through {@code node} until the writers are done and this node has served each
     * session's final version, checking each read against the bound. Returns the number of reads.
     */
    private static int readUntilFinal(CachingSessionManager node, List<String> sids,
            List<ConcurrentSkipListMap<Long, Long>> completed, AtomicBoolean writing, ConcurrentLinkedQueue<String> violations) {
        int reads = 0;
        long deadline = Long.MAX_VALUE;
        boolean allFinal = false;
        while (writing.get() || !allFinal) {
            if (!writing.get() && deadline == Long.MAX_VALUE) {
                deadline = System.nanoTime() + RedisServer.STARTUP.toNanos();
            }
            if (System.nanoTime() > deadline) {
                violations.add("a reader never saw the final versions");
                break;
            }
            allFinal = true;
            for (int k = 0; k < sids.size(); k++) {
                long start = System.nanoTime();
                Session s = node.get(sids.get(k)).orElseThrow();
                reads++;
                check(violations, completed.get(k), s, start);
                allFinal &= SessionAccess.record(s).version() >= completed.get(k).lastEntry().getValue();
            }
        }
        return reads;
    }

    /** Records a violation if {@code served} is older than a write that completed a bound before {@code readStart}. */
    private static void check(ConcurrentLinkedQueue<String> violations, ConcurrentSkipListMap<Long, Long> completed,
            Session served, long readStart) {
        long required = 0;
        for (Map.Entry<Long, Long> e : completed.headMap(readStart - BOUND_NANOS).entrySet()) {
            required = Math.max(required, e.getValue());
        }
        if (SessionAccess.record(served).version() < required && violations.size() < 100) {
            violations.add("served version " + SessionAccess.record(served).version() + ", but version " + required
                    + " had been written more than " + TimeUnit.NANOSECONDS.toMillis(BOUND_NANOS) + " ms before");
        }
    }
}
