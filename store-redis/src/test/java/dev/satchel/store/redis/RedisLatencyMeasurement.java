package dev.satchel.store.redis;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Invalidations;
import dev.satchel.Session;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import redis.clients.jedis.Jedis;

/**
 * The numbers in the README, measured on real servers: one thread, one operation after another, latency
 * per operation (median and 99th percentile) — what a request waits. Not a benchmark harness (JMH comes
 * with the benchmarks module); excluded from the normal build. Run:
 *
 * <pre>
 * mvn -B -o -pl store-redis verify -Dsurefire.excludedGroups= -Dtest=RedisLatencyMeasurement
 * </pre>
 */
@Tag("measure")
@ExtendWith(RedisClusterFixture.Shared.class)
class RedisLatencyMeasurement {

    private static final int WARMUP = 3_000;
    private static final int OPS = 10_000;

    @Test
    @DisplayName("standalone: get, put (change), create, remove; ASYNC and REPLICATED")
    void standalone() {
        try (RedisServer master = RedisServer.start();
                RedisServer replica = RedisServer.start("--replicaof", "127.0.0.1", Integer.toString(master.port()))) {
            RedisServer.await("the replica is in sync", RedisServer.STARTUP, () -> {
                try (Jedis j = replica.admin()) {
                    return j.info("replication").contains("master_link_status:up");
                }
            });
            try (RedisSessionManager async = RedisSessionManager.builder().uri(master.uri()).build();
                    RedisSessionManager none = RedisSessionManager.builder().uri(master.uri())
                            .invalidationMode(InvalidationMode.NONE).build();
                    RedisSessionManager replicated = RedisSessionManager.builder().uri(master.uri())
                            .durability(Durability.REPLICATED).build()) {
                operations(new String[] {"standalone ASYNC", "standalone ASYNC, InvalidationMode.NONE",
                    "standalone REPLICATED (1 replica)"}, async, none, replicated);
            }
            try (RedisSessionManager listening = RedisSessionManager.builder().uri(master.uri()).build();
                    RedisSessionManager writing = RedisSessionManager.builder().uri(master.uri()).build()) {
                delivery("standalone", listening, writing);
            }
        }
    }

    @Test
    @DisplayName("cluster 3+3: put with and without PUBLISH, invalidation delivery")
    void cluster(RedisClusterFixture cluster) {
        try (RedisSessionManager publish = RedisSessionManager.builder().cluster(cluster.seeds()).namespace("measure").build();
                RedisSessionManager none = RedisSessionManager.builder().cluster(cluster.seeds()).namespace("measure")
                        .invalidationMode(InvalidationMode.NONE).build()) {
            operations(new String[] {"cluster ASYNC, PUBLISH", "cluster ASYNC, InvalidationMode.NONE"}, publish, none);
        }
        try (RedisSessionManager listening = RedisSessionManager.builder().cluster(cluster.seeds()).namespace("measure").build();
                RedisSessionManager writing = RedisSessionManager.builder().cluster(cluster.seeds()).namespace("measure").build()) {
            delivery("cluster", listening, writing);
        }
    }

    /**
     * Each operation on every manager in turn, op by op, so a busy moment of this shared machine hits every
     * setup alike; then one report line per setup and operation.
     */
    private static void operations(String[] setups, RedisSessionManager... managers) {
        List<List<String>> ids = new ArrayList<>();
        for (RedisSessionManager m : managers) {
            List<String> mine = new ArrayList<>();
            for (int i = 0; i < 1_000; i++) {
                Session s = m.newSession();
                s.put("user", "user-" + i);
                s.put("cart", List.of(1, 2, 3));
                s.put("theme", "dark");
                assertTrue(m.put(s));
                mine.add(s.id());
            }
            ids.add(mine);
        }
        measure(setups, "get", managers.length, (j, i) -> {
            RedisSessionManager m = managers[j];
            String sid = ids.get(j).get(i % 1_000);
            long start = System.nanoTime();
            m.get(sid).orElseThrow();
            return System.nanoTime() - start;
        });
        measure(setups, "put (one attribute changed)", managers.length, (j, i) -> {
            RedisSessionManager m = managers[j];
            Session s = m.get(ids.get(j).get(i % 1_000)).orElseThrow();
            s.put("theme", i % 2 == 0 ? "light" : "dark");
            long start = System.nanoTime();
            assertTrue(m.put(s));
            return System.nanoTime() - start;
        });
        measure(setups, "put (new session)", managers.length, (j, i) -> {
            RedisSessionManager m = managers[j];
            Session s = m.newSession();
            s.put("user", "x");
            long start = System.nanoTime();
            assertTrue(m.put(s));
            long took = System.nanoTime() - start;
            m.remove(s.id());
            return took;
        });
        measure(setups, "remove", managers.length, (j, i) -> {
            RedisSessionManager m = managers[j];
            Session s = m.newSession();
            s.put("user", "x");
            assertTrue(m.put(s));
            long start = System.nanoTime();
            m.remove(s.id());
            return System.nanoTime() - start;
        });
    }

    /** One timed operation: setup {@code j}, iteration {@code i}; returns nanoseconds. */
    private interface Op {
        long run(int j, int i);
    }

    private static void measure(String[] setups, String what, int n, Op op) {
        for (int i = 0; i < WARMUP; i++) {
            for (int j = 0; j < n; j++) {
                op.run(j, i);
            }
        }
        long[][] t = new long[n][OPS];
        for (int i = 0; i < OPS; i++) {
            for (int j = 0; j < n; j++) {
                t[j][i] = op.run(j, i);
            }
        }
        for (int j = 0; j < n; j++) {
            report(setups[j], what, t[j]);
        }
    }

    /** Time from a put returning on one manager to its id reaching another manager's listener. */
    private static void delivery(String setup, RedisSessionManager listening, RedisSessionManager writing) {
        ConcurrentHashMap<String, Long> heardAt = new ConcurrentHashMap<>();
        Invalidations.Subscription sub = listening.subscribe(new Invalidations.Listener() {
            @Override
            public void invalidate(String sid) {
                heardAt.putIfAbsent(sid, System.nanoTime());
            }

            @Override
            public void invalidateAll() {}
        });
        try {
            RedisServer.await("subscribed", RedisServer.STARTUP, listening::feedSubscribed);
            int n = 2_000;
            long[] latencies = new long[n];
            for (int i = 0; i < n; i++) {
                Session s = writing.newSession();
                s.put("a", 1);
                assertTrue(writing.put(s));
                Session loaded = writing.get(s.id()).orElseThrow();
                loaded.put("a", 2);
                assertTrue(writing.put(loaded));
                long done = System.nanoTime();
                RedisServer.await("heard", Duration.ofSeconds(10), () -> heardAt.containsKey(s.id()));
                latencies[i] = Math.max(0, heardAt.get(s.id()) - done);
                writing.remove(s.id());
            }
            report(setup, "invalidation delivered after put returned", latencies);
        } finally {
            sub.close();
        }
    }

    private static void report(String setup, String what, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        System.out.println(String.format(Locale.ROOT, "MEASURE | %-40s | %-42s | median %7.1f µs | p99 %8.1f µs | n=%d",
                setup, what, sorted[sorted.length / 2] / 1e3, sorted[(int) (sorted.length * 0.99)] / 1e3, sorted.length));
    }
}
