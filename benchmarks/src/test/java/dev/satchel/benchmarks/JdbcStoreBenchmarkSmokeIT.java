package dev.satchel.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Collection;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * {@link JdbcStoreBenchmark} sets up and runs once for every implementation, each trial on a PostgreSQL it
 * starts itself (an integration test: it starts servers), so the benchmark never rots between runs.
 */
class JdbcStoreBenchmarkSmokeIT {

    @BeforeAll
    static void ownServers() {
        // Each trial starts its own PostgreSQL, in a new folder under the temporary directory (which the
        // postgres user can reach when the build runs as root).
        System.clearProperty(PostgresProcess.URL_PROPERTY);
    }

    @Test
    @Timeout(value = 300, unit = TimeUnit.SECONDS)
    void everyImplementationSetsUpAndRuns() throws Exception {
        Options options = new OptionsBuilder()
                .include(JdbcStoreBenchmark.class.getName())
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
        for (JdbcStoreBenchmark.Impl i : JdbcStoreBenchmark.Impl.values()) {
            for (String m : new String[] {"get", "put", "cycle"}) {
                expected.add("JdbcStoreBenchmark." + m + "/" + i);
            }
        }
        assertEquals(expected, ran);
        assertTrue(results.stream().allMatch(r -> r.getPrimaryResult().getScore() > 0), "every invocation took some time");
    }
}
