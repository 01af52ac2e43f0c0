package dev.satchel.benchmarks;

import dev.satchel.Invalidations;
import dev.satchel.Session;
import dev.satchel.SessionManager;
import dev.satchel.store.redis.Durability;
import dev.satchel.store.redis.InvalidationMode;
import dev.satchel.store.redis.RedisSessionManager;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The latency table of {@code store-redis/README.md}: what one request waits for each operation of the Redis
 * store — one thread, one operation after another, median and 99th percentile — on real servers it starts
 * itself on free loopback ports (a standalone master with one replica, then a Cluster of three masters and
 * three replicas made with {@code redis-cli --cluster create}) and stops at the end. A measurement, not a JMH
 * benchmark: JMH's averages hide the tail this is about. Prints one line per setup and operation.
 *
 * <pre>
 * mvn -B -q -Pbenchmarks -DskipTests package -pl benchmarks -am
 * java -cp benchmarks/target/benchmarks.jar dev.satchel.benchmarks.RedisLatencyMeasurement            # both
 * java -cp benchmarks/target/benchmarks.jar dev.satchel.benchmarks.RedisLatencyMeasurement standalone # or cluster
 * </pre>
 * Needs {@code redis-server} and {@code redis-cli}.
 */
public final class RedisLatencyMeasurement {

    private static final int WARMUP = 3_000;
    private static final int OPS = 10_000;
    private static final int SESSIONS = 1_000;
    private static final long STARTUP_NANOS = TimeUnit.SECONDS.toNanos(60);

    private RedisLatencyMeasurement() {}

    public static void main(String[] args) throws Exception {
        requireTools();
        List<String> which = args.length == 0 ? List.of("standalone", "cluster") : Arrays.asList(args);
        for (String w : which) {
            switch (w) {
                case "standalone":
                    standalone();
                    break;
                case "cluster":
                    cluster();
                    break;
                default:
                    throw new IllegalArgumentException("usage: RedisLatencyMeasurement [standalone] [cluster]");
            }
        }
    }

    /** Standalone: get, put (change), create, remove with ASYNC, ASYNC without publishing, REPLICATED. */
    private static void standalone() throws Exception {
        try (Server master = Server.start(false);
                Server replica = Server.start(false, "--replicaof", "127.0.0.1", Integer.toString(master.port))) {
            await("the replica is in sync", () -> replica.info("replication").contains("master_link_status:up")
                    && master.info("replication").contains("state=online"));
            String uri = "redis://" + master.address();
            try (SessionManager async = RedisSessionManager.builder().uri(uri).build();
                    SessionManager none = RedisSessionManager.builder().uri(uri)
                            .invalidationMode(InvalidationMode.NONE).build();
                    SessionManager replicated = RedisSessionManager.builder().uri(uri)
                            .durability(Durability.REPLICATED).build()) {
                operations(new String[] {"standalone ASYNC", "standalone ASYNC, InvalidationMode.NONE",
                    "standalone REPLICATED (1 replica)"}, async, none, replicated);
            }
            try (SessionManager listening = RedisSessionManager.builder().uri(uri).build();
                    SessionManager writing = RedisSessionManager.builder().uri(uri).build()) {
                delivery("standalone", listening, writing);
            }
        }
    }

    /** Cluster 3 + 3: get, put and remove with and without publishing; invalidation delivery. */
    private static void cluster() throws Exception {
        List<Server> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < 6; i++) {
                nodes.add(Server.start(true, "--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf",
                        "--cluster-node-timeout", "1000"));
            }
            List<String> create = new ArrayList<>(List.of("redis-cli", "--cluster", "create"));
            nodes.forEach(n -> create.add(n.address()));
            create.addAll(List.of("--cluster-replicas", "1", "--cluster-yes"));
            Process p = new ProcessBuilder(create).redirectErrorStream(true)
                    .redirectOutput(nodes.get(0).dir.resolve("cluster-create.log").toFile()).start();
            if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
                throw new IllegalStateException("redis-cli --cluster create failed; see "
                        + nodes.get(0).dir.resolve("cluster-create.log"));
            }
            await("the cluster serves every slot", () -> nodes.stream().allMatch(n -> {
                String info = n.clusterInfo();
                return info.contains("cluster_state:ok") && info.contains("cluster_slots_ok:16384");
            }));
            String[] seeds = nodes.stream().map(Server::address).toArray(String[]::new);
            try (SessionManager publish = RedisSessionManager.builder().cluster(seeds).namespace("measure").build();
                    SessionManager none = RedisSessionManager.builder().cluster(seeds).namespace("measure")
                            .invalidationMode(InvalidationMode.NONE).build()) {
                operations(new String[] {"cluster ASYNC, PUBLISH", "cluster ASYNC, InvalidationMode.NONE"}, publish, none);
            }
            try (SessionManager listening = RedisSessionManager.builder().cluster(seeds).namespace("measure").build();
                    SessionManager writing = RedisSessionManager.builder().cluster(seeds).namespace("measure").build()) {
                delivery("cluster", listening, writing);
            }
        } finally {
            nodes.forEach(Server::close);
        }
    }

    /**
     * Each operation on every manager in turn, op by op, so a busy moment of a shared machine hits every
     * setup alike; then one report line per setup and operation.
     */
    private static void operations(String[] setups, SessionManager... managers) {
        List<List<String>> ids = new ArrayList<>();
        for (SessionManager m : managers) {
            List<String> mine = new ArrayList<>();
            for (int i = 0; i < SESSIONS; i++) {
                Session s = m.newSession();
                s.put("user", "user-" + i);
                s.put("cart", List.of(1, 2, 3));
                s.put("theme", "dark");
                require(m.put(s), "a session was stored");
                mine.add(s.id());
            }
            ids.add(mine);
        }
        measure(setups, "get", managers.length, (j, i) -> {
            String sid = ids.get(j).get(i % SESSIONS);
            long start = System.nanoTime();
            managers[j].get(sid).orElseThrow();
            return System.nanoTime() - start;
        });
        measure(setups, "put (one attribute changed)", managers.length, (j, i) -> {
            Session s = managers[j].get(ids.get(j).get(i % SESSIONS)).orElseThrow();
            s.put("theme", i % 2 == 0 ? "light" : "dark");
            long start = System.nanoTime();
            require(managers[j].put(s), "a change was stored");
            return System.nanoTime() - start;
        });
        measure(setups, "put (new session)", managers.length, (j, i) -> {
            Session s = managers[j].newSession();
            s.put("user", "x");
            long start = System.nanoTime();
            require(managers[j].put(s), "a session was stored");
            long took = System.nanoTime() - start;
            managers[j].remove(s.id());
            return took;
        });
        measure(setups, "remove", managers.length, (j, i) -> {
            Session s = managers[j].newSession();
            s.put("user", "x");
            require(managers[j].put(s), "a session was stored");
            long start = System.nanoTime();
            managers[j].remove(s.id());
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
    private static void delivery(String setup, SessionManager listening, SessionManager writing) {
        ConcurrentHashMap<String, Long> heardAt = new ConcurrentHashMap<>();
        try (Invalidations.Subscription sub = ((Invalidations) listening).subscribe(new Invalidations.Listener() {
            @Override
            public void invalidate(String sid) {
                heardAt.putIfAbsent(sid, System.nanoTime());
            }

            @Override
            public void invalidateAll() {}
        })) {
            Session probe = writing.newSession();
            probe.put("a", 0);
            require(writing.put(probe), "the probe was stored");
            await("the feed delivers", () -> {
                Session s = writing.get(probe.id()).orElseThrow();
                s.put("a", s.get("a", Integer.class) + 1);
                require(writing.put(s), "the probe was changed");
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
                return heardAt.containsKey(probe.id());
            });
            int n = 2_000;
            long[] latencies = new long[n];
            for (int i = 0; i < n; i++) {
                Session s = writing.newSession();
                s.put("a", 1);
                require(writing.put(s), "a session was stored");
                Session loaded = writing.get(s.id()).orElseThrow();
                loaded.put("a", 2);
                require(writing.put(loaded), "a change was stored");
                long done = System.nanoTime();
                await("heard", () -> heardAt.containsKey(s.id()));
                latencies[i] = Math.max(0, heardAt.get(s.id()) - done);
                writing.remove(s.id());
            }
            report(setup, "invalidation delivered after put returned", latencies);
        }
    }

    private static void report(String setup, String what, long[] nanos) {
        long[] sorted = nanos.clone();
        Arrays.sort(sorted);
        System.out.println(String.format(Locale.ROOT, "%-40s | %-42s | median %7.1f µs | p99 %8.1f µs | n=%d",
                setup, what, sorted[sorted.length / 2] / 1e3, sorted[(int) (sorted.length * 0.99)] / 1e3, sorted.length));
    }

    /** Fails at once, saying what to install, rather than on the first server. */
    private static void requireTools() {
        for (String tool : new String[] {"redis-server", "redis-cli"}) {
            boolean found = false;
            for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
                found |= !dir.isEmpty() && Files.isExecutable(Path.of(dir, tool));
            }
            if (!found) {
                throw new IllegalStateException(tool + " is required (Debian: apt-get install redis-server redis-tools)");
            }
        }
    }

    private static void require(boolean ok, String what) {
        if (!ok) {
            throw new IllegalStateException("expected: " + what);
        }
    }

    /** Polls {@code condition} until it holds, for at most a minute. */
    private static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + STARTUP_NANOS;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("timed out waiting until " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }

    /** One {@code redis-server} on a free loopback port, without persistence, in a folder of its own. */
    private static final class Server implements AutoCloseable {
        final int port;
        final Path dir;
        private final Process process;

        private Server(int port, Path dir, Process process) {
            this.port = port;
            this.dir = dir;
            this.process = process;
        }

        /** Starts a server ({@code withBus}: port + 10000 free too, for a cluster node) and waits until it answers. */
        static Server start(boolean withBus, String... args) throws IOException {
            for (int attempt = 1; ; attempt++) {
                int port = freePort(withBus);
                Path dir = Scratch.newDir("redis-latency");
                List<String> cmd = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port),
                        "--bind", "127.0.0.1", "--dir", dir.toString(), "--logfile", "redis.log", "--save", "",
                        "--appendonly", "no", "--daemonize", "no", "--repl-diskless-sync-delay", "0"));
                cmd.addAll(Arrays.asList(args));
                Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                        .redirectOutput(dir.resolve("stdout.log").toFile()).start();
                Server s = new Server(port, dir, p);
                if (s.awaitUp()) {
                    return s;
                }
                s.close();
                if (attempt == 3) {
                    throw new IllegalStateException("redis-server did not start on a free port, 3 times");
                }
            }
        }

        String address() {
            return "127.0.0.1:" + port;
        }

        String info(String section) {
            try (Jedis j = connect()) {
                return j.info(section);
            }
        }

        String clusterInfo() {
            try (Jedis j = connect()) {
                return j.clusterInfo();
            } catch (JedisException e) {
                return "";
            }
        }

        private Jedis connect() {
            return new Jedis(new HostAndPort("127.0.0.1", port), DefaultJedisClientConfig.builder()
                    .protocol(RedisProtocol.RESP2).connectionTimeoutMillis(1000).socketTimeoutMillis(5000).build());
        }

        private boolean awaitUp() {
            long deadline = System.nanoTime() + STARTUP_NANOS;
            while (System.nanoTime() < deadline && process.isAlive()) {
                try (Jedis j = connect()) {
                    j.ping();
                    return true;
                } catch (JedisException e) {
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
                }
            }
            return false;
        }

        @Override
        public void close() {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
                Scratch.delete(dir);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private static int freePort(boolean withBus) throws IOException {
            for (int i = 0; i < 50; i++) {
                int port;
                try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                    port = s.getLocalPort();
                }
                if (!withBus) {
                    return port;
                }
                if (port + 10_000 <= 65_535) {
                    try (ServerSocket bus = new ServerSocket(port + 10_000, 1, InetAddress.getLoopbackAddress())) {
                        return port;
                    } catch (IOException taken) {
                        // try another
                    }
                }
            }
            throw new IllegalStateException("no free loopback port pair for a cluster node");
        }
    }
}
