package dev.satchel.benchmarks;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The hot path: a request whose session is cached, over {@value #DEFAULT_SESSIONS} sessions picked with a
 * Zipf distribution, in Satchel and side by side with the floor and the peers (see {@link Impl}).
 * {@code readOnly} is the lookup alone; {@code mixed} is a whole request, where 10 % of the requests change
 * an attribute and every request ends as its framework ends it; {@code write} is a request that changes one
 * attribute, every time (its B/op is what such a request allocates).
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar HotPathBenchmark -t 1 -prof gc
 * java -jar benchmarks/target/benchmarks.jar HotPathBenchmark -t 2 -prof gc
 * java -jar benchmarks/target/benchmarks.jar 'HotPathBenchmark.readOnly$' -p impl=SATCHEL_OPEN+FLOOR -wi 24 -w 250ms -i 16 -r 250ms
 * </pre>
 * The last line measures two implementations in one fork, taking turns iteration by iteration (see
 * {@link Interleaving}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class HotPathBenchmark {

    static final String DEFAULT_SESSIONS = "100000";

    /** What is measured. */
    public enum Impl {
        /** {@code HttpSessions.open(cookieHeader)} over a {@code CachingSessionManager}: parse, verify, cache hit, working copy. */
        SATCHEL_OPEN(HotPaths.SatchelOpen::new),
        /** {@code CachingSessionManager.get(sid)}: the cache hit and working copy without the cookie. */
        SATCHEL_CACHE_GET(HotPaths.SatchelCacheGet::new),
        /** Hand-written floor: allocation-free parse, {@code Caffeine.getIfPresent}, {@code MessageDigest.isEqual}. */
        FLOOR(HotPaths.Floor::new),
        /**
         * The second floor, for {@code mixed} and {@code write}: {@link #FLOOR}'s lookup, and on a write only the
         * unavoidable part — encode the changed attribute, build the new immutable record, one map write.
         */
        FLOOR_WRITE(HotPaths.Floor::writing),
        /** {@code ConcurrentHashMap.get}. */
        CONCURRENT_HASH_MAP(HotPaths.IdKeyedMap::concurrentHashMap),
        /** {@code Caffeine.getIfPresent}, maintenance on Caffeine's default executor as in {@code CachingSessionManager}. */
        CAFFEINE(HotPaths.IdKeyedMap::caffeine),
        /** {@code Caffeine.getIfPresent} with its maintenance on the calling thread ({@code Runnable::run}). */
        CAFFEINE_INLINE_MAINTENANCE(HotPaths.IdKeyedMap::caffeineInlineMaintenance),
        /** Spring Session {@code MapSessionRepository.findById} (a copy per call). */
        SPRING_MAP_REPOSITORY(HotPaths.SpringMapRepository::new),
        /** Tomcat {@code StandardManager.findSession} + {@code access()} + {@code endAccess()}. */
        TOMCAT_STANDARD_MANAGER(HotPaths.TomcatStandardManager::new);

        private final IntFunction<HotPath> factory;

        Impl(IntFunction<HotPath> factory) {
            this.factory = factory;
        }

        HotPath create(int sessions) {
            return factory.apply(sessions);
        }
    }

    /** One {@link Impl}, or several joined by {@code +} to take turns in one fork ({@link Interleaving}). */
    @Param({"SATCHEL_OPEN", "SATCHEL_CACHE_GET", "FLOOR", "FLOOR_WRITE", "CONCURRENT_HASH_MAP", "CAFFEINE",
            "CAFFEINE_INLINE_MAINTENANCE", "SPRING_MAP_REPOSITORY", "TOMCAT_STANDARD_MANAGER"})
    String impl;

    @Param(DEFAULT_SESSIONS)
    int sessions;

    HotPath[] paths;
    /** The implementation of the current iteration, and its index in {@link #paths}. */
    HotPath path;
    int current;
    private int iteration;
    int[] picks;
    boolean[] writes;

    /** Each thread walks the pre-generated picks from its own random start. */
    @State(Scope.Thread)
    public static class ThreadState {
        int index = ThreadLocalRandom.current().nextInt();
        Object[] scratches;
        Object scratch;

        @Setup
        public void setup(HotPathBenchmark benchmark) {
            scratches = new Object[benchmark.paths.length];
            for (int i = 0; i < scratches.length; i++) {
                scratches[i] = benchmark.paths[i].newScratch();
            }
        }

        /** Runs after the benchmark's own iteration set-up (this state depends on it): the current path's scratch. */
        @Setup(Level.Iteration)
        public void turn(HotPathBenchmark benchmark) {
            scratch = scratches[benchmark.current];
        }
    }

    @Setup
    public void setup() {
        List<Impl> impls = Interleaving.parse(impl, Impl.class);
        paths = new HotPath[impls.size()];
        for (int i = 0; i < paths.length; i++) {
            paths[i] = impls.get(i).create(sessions);
        }
        picks = Zipf.picks(sessions, 42);
        writes = Zipf.writes(10, 43);
    }

    /** Before every iteration, warm-up included: whose turn it is. */
    @Setup(Level.Iteration)
    public void turn() {
        current = Interleaving.turn(iteration++, paths.length);
        path = paths[current];
    }

    @Benchmark
    public Object readOnly(ThreadState t) {
        return path.open(picks[t.index++ & Zipf.MASK], t.scratch);
    }

    @Benchmark
    public Object mixed(ThreadState t) {
        int i = t.index++ & Zipf.MASK;
        return path.request(picks[i], writes[i], t.scratch);
    }

    @Benchmark
    public Object write(ThreadState t) {
        return path.request(picks[t.index++ & Zipf.MASK], true, t.scratch);
    }
}
