package dev.satchel.benchmarks;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * What a run measures and in which order. A {@link Comparison} is a few {@link Variant}s whose ratios are
 * read together; {@link PairedRun} measures them in rounds. When the variants differ only in the
 * implementation, a round is one JMH fork in which they take turns iteration by iteration
 * ({@link Interleaving}), so a busy moment of the machine falls on all of them; otherwise (the id scaling, which
 * compares thread counts) a round is one fork per variant, one right after the other. Either way the order is
 * reversed every other round, so that no side always goes first, and a ratio is taken per round.
 *
 * <p>The comparisons a target is judged on run in every round; the others (context: the rest of the
 * tables) in the first {@link #contextRounds} rounds only.
 */
final class Plan {

    /** One benchmark method at one thread count for one implementation: one JMH fork per round. */
    record Variant(String benchmark, String method, int threads, String impl) {
        String key() {
            return benchmark + "." + method + "-" + threads + "t-" + impl;
        }
    }

    /**
     * JMH iteration settings and {@code @Param} overrides of a comparison; {@code pinned}: its forks run on the
     * one CPU the run's {@code redis-server} is pinned to (see {@link PairedRun}). In an interleaved comparison the
     * counts are per implementation: a fork of {@code k} implementations runs {@code k × warmups} warm-up and
     * {@code k × measurements} measured iterations.
     */
    record Settings(int warmups, String warmupTime, int measurements, String measurementTime, Map<String, String> params,
            boolean pinned) {

        Settings withPinning() {
            return new Settings(warmups, warmupTime, measurements, measurementTime, params, true);
        }
    }

    /** Variants read together, in the order of odd rounds. */
    record Comparison(String name, List<Variant> variants, boolean judged, Settings settings) {

        /**
         * Whether a round is one fork in which the variants take turns: when there are several and they differ only
         * in the implementation (the benchmarks take {@code impl=A+B}; {@code SessionIdBenchmark} does not).
         */
        boolean interleaved() {
            Variant first = variants.get(0);
            return variants.size() > 1 && !first.benchmark().equals(IDS) && variants.stream().allMatch(v ->
                    v.benchmark().equals(first.benchmark()) && v.method().equals(first.method()) && v.threads() == first.threads());
        }

        /** JMH forks per round. */
        int forksPerRound() {
            return interleaved() ? 1 : variants.size();
        }

        /** The variants in the order round {@code round} (1-based) runs them: reversed every other round. */
        List<Variant> order(int round) {
            if (round % 2 == 1) {
                return variants;
            }
            List<Variant> reversed = new ArrayList<>(variants);
            Collections.reverse(reversed);
            return reversed;
        }
    }

    /** Rounds of a full run unless told otherwise. */
    static final int FULL_ROUNDS = 5;
    /** Rounds of the comparisons no target is judged on (at least three pairs for every ratio shown). */
    static final int CONTEXT_ROUNDS = 3;

    final String kind;
    final int rounds;
    final int contextRounds;
    final List<Comparison> comparisons;

    private Plan(String kind, int rounds, int contextRounds, List<Comparison> comparisons) {
        this.kind = kind;
        this.rounds = rounds;
        this.contextRounds = contextRounds;
        this.comparisons = comparisons;
    }

    /** The rounds comparison {@code c} runs in. */
    int roundsOf(Comparison c) {
        return c.judged() ? rounds : Math.min(rounds, contextRounds);
    }

    int forks() {
        int n = 0;
        for (Comparison c : comparisons) {
            n += c.forksPerRound() * roundsOf(c);
        }
        return n;
    }

    private static final String HOT = "HotPathBenchmark";
    private static final String REDIS = "RedisStoreBenchmark";
    private static final String FILE = "FileStoreBenchmark";
    private static final String JDBC = "JdbcStoreBenchmark";
    private static final String IDS = "SessionIdBenchmark";

    /**
     * The full run: every target's comparison in {@code rounds} rounds at 1 and 2 threads; the context at 1
     * thread (and the 2-thread rows the id table needs) in {@link #CONTEXT_ROUNDS}.
     */
    static Plan full(int rounds) {
        if (rounds < 3) {
            throw new IllegalArgumentException("a full run needs at least 3 rounds, got " + rounds);
        }
        // Interleaved comparisons (all but the id scaling) count per implementation: 10 turns of 250 ms warm-up and
        // 12 measured turns of 125 ms, each implementation's own 2.5 s and 1.5 s. The hot path's JIT settles after
        // about 2.5 s (its first iterations read 100,000 cold records); the noise of this machine comes in bursts of
        // seconds, which short turns share out among the implementations. Measured turns are an eighth of a second,
        // not a quarter, for twice the cycles in the same time: a ratio of two turns moved 0.45-2.2x within one
        // Redis fork (runs of 2026-12-03), so a round's median over 6 cycles still moved with two or three bad ones.
        Settings hot = new Settings(10, "250ms", 12, "125ms", Map.of(), false);
        // Spring's MapSessionRepository is not settled then: on this machine its findById runs at 4-6 us/op from
        // about 2 s to 5 s of its own running, then at about 0.9 us (250 ms iterations of it alone; the JIT
        // recompiles it several times). Comparisons with it warm each implementation up for 6 s, so the peer is
        // measured at its best, not in its slow phase.
        Settings hotWithSpring = new Settings(24, "250ms", 12, "125ms", Map.of(), false);
        // 2,000 stored sessions, not 10,000: filling the store is setup, up to 14 s of a loaded fork, and the
        // round trip does not depend on how many hashes or files there are.
        // The Redis put settles after 8-9 warm-up turns of each side (2026-12-03, both sides' turns in order: 122,
        // 71, 47, 52, 47, 41, 34, 43, 25, 22, 19, 41, 42, 36, 34, 21, then 19-22 us), so the warm-up stays at 10.
        Settings store = new Settings(10, "250ms", 12, "125ms", Map.of("sessions", "2000"), false);
        // On this VM a loopback round trip between two vCPUs costs 75-135 us and jumps with where the scheduler
        // puts the client; on the redis-server's own vCPU it is a steady 11 us. Pinned, the ratios measure
        // the clients, not the placement.
        Settings redis = store.withPinning();
        // Generating an id is a few lines of JIT-friendly code: one warm-up second is enough.
        Settings ids = new Settings(1, "1s", 2, "1s", Map.of(), false);
        List<Comparison> list = new ArrayList<>();
        for (int t : new int[] {1, 2}) {
            list.add(judged("hot path readOnly " + t + "t", hotWithSpring, HOT, "readOnly", t,
                    "SATCHEL_OPEN", "FLOOR", "SPRING_MAP_REPOSITORY", "TOMCAT_STANDARD_MANAGER"));
        }
        for (int t : new int[] {1, 2}) {
            list.add(judged("redis get " + t + "t", redis, REDIS, "get", t, "SATCHEL", "JEDIS_RAW", "SPRING_SESSION"));
            list.add(judged("redis put " + t + "t", redis, REDIS, "put", t, "SATCHEL", "JEDIS_RAW"));
            list.add(judged("redis cycle " + t + "t", redis, REDIS, "cycle", t, "SATCHEL", "SPRING_SESSION"));
        }
        list.add(new Comparison("id scaling", List.of(new Variant(IDS, "newId", 1, "SATCHEL"), new Variant(IDS, "newId", 2, "SATCHEL")),
                true, ids));
        list.add(context("hot path readOnly 1t, context", hot, HOT, "readOnly", 1,
                "SATCHEL_CACHE_GET", "CONCURRENT_HASH_MAP", "CAFFEINE", "CAFFEINE_INLINE_MAINTENANCE"));
        list.add(context("hot path readOnly 2t, context", hot, HOT, "readOnly", 2, "SATCHEL_CACHE_GET"));
        // mixed is judged at both thread counts against both floors (the first re-puts the entry, the second
        // encodes and rebuilds it); the peers are context. write: what a writing request allocates.
        for (int t : new int[] {1, 2}) {
            list.add(judged("hot path mixed " + t + "t", hot, HOT, "mixed", t, "SATCHEL_OPEN", "FLOOR", "FLOOR_WRITE"));
        }
        list.add(judged("hot path write 1t", hot, HOT, "write", 1, "SATCHEL_OPEN", "FLOOR_WRITE"));
        list.add(context("hot path mixed 1t, context", hotWithSpring, HOT, "mixed", 1, "SPRING_MAP_REPOSITORY",
                "TOMCAT_STANDARD_MANAGER"));
        list.add(new Comparison("ids, context", List.of(new Variant(IDS, "newId", 1, "SHARED_SECURE_RANDOM"),
                new Variant(IDS, "newId", 2, "SHARED_SECURE_RANDOM"), new Variant(IDS, "newId", 2, "SHARED_DRBG"),
                new Variant(IDS, "newId", 2, "SPRING_UUID"), new Variant(IDS, "newId", 2, "TOMCAT")), false, ids));
        list.add(new Comparison("redis 1t, context", List.of(new Variant(REDIS, "put", 1, "SPRING_SESSION"),
                new Variant(REDIS, "cycle", 1, "JEDIS_RAW")), false, redis));
        // A read does not fsync, so the get table needs one Satchel mode (the default); the cycle writes, so it
        // shows all three. Fewer forks keep the full run under its 30 minutes.
        list.add(context("file get 1t", store, FILE, "get", 1, "SATCHEL_FSYNC_DATA", "TOMCAT_FILE_STORE"));
        list.add(context("file cycle 1t", store, FILE, "cycle", 1,
                "SATCHEL_FSYNC_NONE", "SATCHEL_FSYNC_DATA", "SATCHEL_FSYNC_DATA_AND_DIRECTORY", "TOMCAT_FILE_STORE"));
        // The JDBC store (issue 17: next to Spring Session JDBC in the same report), each fork on a PostgreSQL of its own.
        for (String m : new String[] {"get", "put", "cycle"}) {
            list.add(context("jdbc " + m + " 1t", store, JDBC, m, 1, "SATCHEL", "JDBC_RAW", "SPRING_SESSION"));
        }
        return new Plan("full", rounds, CONTEXT_ROUNDS, List.copyOf(list));
    }

    /**
     * The smoke run: the full plan's 1-thread variants once each, short iterations.
     * One round gives one pair per ratio: orientation, never a verdict.
     */
    static Plan quick() {
        Settings shortRun = new Settings(1, "500ms", 2, "500ms", Map.of(), false);
        Settings shortStore = new Settings(1, "500ms", 2, "500ms", Map.of("sessions", "2000"), false);
        List<Comparison> list = new ArrayList<>();
        for (Comparison c : full(FULL_ROUNDS).comparisons) {
            List<Variant> oneThread = c.variants().stream().filter(v -> v.threads() == 1).toList();
            if (!oneThread.isEmpty()) {
                boolean store = c.variants().get(0).benchmark().endsWith("StoreBenchmark");
                Settings quick = store ? shortStore : shortRun;
                list.add(new Comparison(c.name(), oneThread, c.judged(), c.settings().pinned() ? quick.withPinning() : quick));
            }
        }
        return new Plan("quick", 1, 1, List.copyOf(list));
    }

    private static Comparison judged(String name, Settings s, String benchmark, String method, int threads, String... impls) {
        return new Comparison(name, variants(benchmark, method, threads, impls), true, s);
    }

    private static Comparison context(String name, Settings s, String benchmark, String method, int threads, String... impls) {
        return new Comparison(name, variants(benchmark, method, threads, impls), false, s);
    }

    private static List<Variant> variants(String benchmark, String method, int threads, String... impls) {
        List<Variant> v = new ArrayList<>();
        for (String impl : impls) {
            v.add(new Variant(benchmark, method, threads, impl));
        }
        return List.copyOf(v);
    }
}
