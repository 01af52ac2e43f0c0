package dev.satchel.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs every benchmark of the module through JMH itself, in this JVM, once: each trial's setup, one
 * invocation of each benchmark method for each implementation, and its teardown, on small populations.
 * A harness that no longer sets up, a peer that can no longer be wired, or a benchmark method that throws
 * fails the build here instead of in the next benchmark run. Measures nothing.
 */
class BenchmarkSmokeTest {

    @TempDir
    static Path data;

    @BeforeAll
    static void writeUnderTarget() {
        System.setProperty(Scratch.DIR_PROPERTY, data.toString());
        System.clearProperty(RedisProcess.ADDRESS_PROPERTY); // each Redis trial starts and stops its own server
    }

    @AfterAll
    static void restore() {
        System.clearProperty(Scratch.DIR_PROPERTY);
    }

    @Test
    @Timeout(value = 150, unit = TimeUnit.SECONDS)
    void everyBenchmarkSetsUpAndRunsOnceForEveryImplementation() throws Exception {
        Options options = new OptionsBuilder()
                .include(HotPathBenchmark.class.getName())
                .include(SessionIdBenchmark.class.getName())
                .include(FileStoreBenchmark.class.getName())
                .include(RedisStoreBenchmark.class.getName())
                .mode(Mode.SingleShotTime)
                .warmupIterations(0)
                .measurementIterations(1)
                .measurementBatchSize(1)
                .forks(0)
                .threads(1)
                .param("sessions", "64")
                .shouldFailOnError(true)
                .build();
        Collection<RunResult> results = new Runner(options).run();

        Set<String> ran = new TreeSet<>();
        for (RunResult r : results) {
            ran.add(r.getParams().getBenchmark().replace("dev.satchel.benchmarks.", "") + "/" + r.getParams().getParam("impl"));
        }
        Set<String> expected = new TreeSet<>();
        for (HotPathBenchmark.Impl i : HotPathBenchmark.Impl.values()) {
            expected.add("HotPathBenchmark.readOnly/" + i);
            expected.add("HotPathBenchmark.mixed/" + i);
            expected.add("HotPathBenchmark.write/" + i);
        }
        for (SessionIdBenchmark.Impl i : SessionIdBenchmark.Impl.values()) {
            expected.add("SessionIdBenchmark.newId/" + i);
        }
        for (FileStoreBenchmark.Impl i : FileStoreBenchmark.Impl.values()) {
            for (String m : new String[] {"get", "put", "cycle"}) {
                expected.add("FileStoreBenchmark." + m + "/" + i);
            }
        }
        for (RedisStoreBenchmark.Impl i : RedisStoreBenchmark.Impl.values()) {
            for (String m : new String[] {"get", "put", "cycle"}) {
                expected.add("RedisStoreBenchmark." + m + "/" + i);
            }
        }
        assertEquals(expected, ran);
        assertTrue(results.stream().allMatch(r -> r.getPrimaryResult().getScore() > 0), "every invocation took some time");
    }

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS)
    void implementationsTakeTurnsInOneForkEachOnItsOwnSessions() throws Exception {
        Options options = new OptionsBuilder()
                .include(HotPathBenchmark.class.getName() + ".mixed")
                .include(RedisStoreBenchmark.class.getName() + ".put")
                .mode(Mode.SingleShotTime)
                .warmupIterations(0)
                .measurementIterations(6) // two cycles of three turns, or three of two
                .measurementBatchSize(1)
                .forks(0)
                .threads(1)
                .param("sessions", "64")
                .shouldFailOnError(true)
                .build();
        Options hot = new OptionsBuilder().parent(options).include(HotPathBenchmark.class.getName() + ".mixed")
                .exclude(RedisStoreBenchmark.class.getName()).param("impl", "SATCHEL_OPEN+FLOOR+SPRING_MAP_REPOSITORY").build();
        Options redis = new OptionsBuilder().parent(options).exclude(HotPathBenchmark.class.getName())
                .param("impl", "SATCHEL+JEDIS_RAW").build();
        for (Options o : new Options[] {hot, redis}) {
            Collection<RunResult> results = new Runner(o).run();
            assertEquals(1, results.size());
            RunResult r = results.iterator().next();
            assertEquals(6, r.getBenchmarkResults().iterator().next().getIterationResults().size());
        }
    }
}
