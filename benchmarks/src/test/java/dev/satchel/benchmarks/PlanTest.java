package dev.satchel.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PlanTest {

    @Test
    void everyOtherRoundRunsAComparisonInTheOppositeOrder() {
        Plan.Comparison hot = Plan.full(5).comparisons.get(0);
        List<Plan.Variant> reversed = new ArrayList<>(hot.order(1));
        java.util.Collections.reverse(reversed);

        assertEquals(hot.variants(), hot.order(1));
        assertEquals(reversed, hot.order(2));
        assertEquals(hot.variants(), hot.order(3));
    }

    @Test
    void everyVariantATargetIsJudgedOnRunsInEveryRoundAndTheRestInThree() {
        Plan plan = Plan.full(5);
        Set<String> judged = new HashSet<>();
        for (Plan.Comparison c : plan.comparisons) {
            if (c.judged()) {
                assertEquals(5, plan.roundsOf(c));
                c.variants().forEach(v -> judged.add(v.key()));
            } else {
                assertEquals(3, plan.roundsOf(c));
            }
        }
        for (int t = 1; t <= 2; t++) {
            for (String impl : new String[] {"SATCHEL_OPEN", "FLOOR", "SPRING_MAP_REPOSITORY", "TOMCAT_STANDARD_MANAGER"}) {
                assertTrue(judged.contains("HotPathBenchmark.readOnly-" + t + "t-" + impl), impl);
            }
            for (String key : new String[] {"get-" + t + "t-SATCHEL", "get-" + t + "t-JEDIS_RAW", "get-" + t + "t-SPRING_SESSION",
                    "put-" + t + "t-SATCHEL", "put-" + t + "t-JEDIS_RAW", "cycle-" + t + "t-SATCHEL", "cycle-" + t + "t-SPRING_SESSION"}) {
                assertTrue(judged.contains("RedisStoreBenchmark." + key), key);
            }
            assertTrue(judged.contains("SessionIdBenchmark.newId-" + t + "t-SATCHEL"));
        }
    }

    @Test
    void theMixedWorkloadIsJudgedAtBothThreadCountsAgainstBothFloors() {
        Set<String> judged = new HashSet<>();
        for (Plan.Comparison c : Plan.full(5).comparisons) {
            if (c.judged()) {
                c.variants().forEach(v -> judged.add(v.key()));
            }
        }
        for (int t = 1; t <= 2; t++) {
            for (String impl : new String[] {"SATCHEL_OPEN", "FLOOR", "FLOOR_WRITE"}) {
                assertTrue(judged.contains("HotPathBenchmark.mixed-" + t + "t-" + impl), impl + " " + t);
            }
        }
        assertTrue(judged.contains("HotPathBenchmark.write-1t-SATCHEL_OPEN"));
        assertTrue(judged.contains("HotPathBenchmark.write-1t-FLOOR_WRITE"));
    }

    @Test
    void aFullRunNeedsThreeRoundsForASpread() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Plan.full(2));
        assertEquals("a full run needs at least 3 rounds, got 2", e.getMessage());
    }

    @Test
    void theQuickRunIsOneRoundAtOneThread() {
        Plan quick = Plan.quick();
        assertEquals(1, quick.rounds);
        assertTrue(quick.comparisons.stream().flatMap(c -> c.variants().stream()).allMatch(v -> v.threads() == 1));
        assertEquals(quick.comparisons.stream().mapToInt(Plan.Comparison::forksPerRound).sum(), quick.forks());
    }

    @Test
    void theCommandOfAForkMeasuresTheSameWayByHand() {
        Plan.Comparison redis = Plan.quick().comparisons.stream().filter(c -> c.name().equals("redis put 1t")).findFirst().orElseThrow();
        assertTrue(redis.interleaved());
        Plan.Settings s = PairedRun.perFork(redis.settings(), redis.variants().size());
        assertEquals("java -Dsatchel.bench.pinCpu=1 -jar benchmarks/target/benchmarks.jar 'RedisStoreBenchmark.put$' "
                + "-p impl=SATCHEL+JEDIS_RAW -p sessions=2000 -t 1 -f 1 -wi 2 -w 500ms -i 4 -r 500ms -prof gc",
                PairedRun.command(redis.variants().get(0), PairedRun.implSpec(redis.order(1)), s, "1"));
        assertEquals("JEDIS_RAW+SATCHEL", PairedRun.implSpec(redis.order(2)), "even rounds take turns in the opposite order");
        Plan.Comparison file = Plan.quick().comparisons.stream().filter(c -> c.name().equals("file get 1t")).findFirst().orElseThrow();
        assertTrue(PairedRun.command(file.variants().get(0), "SATCHEL_FSYNC_DATA", file.settings(), null)
                .startsWith("java -Dsatchel.bench.dir=benchmarks/target/bench-data -jar benchmarks/target/benchmarks.jar 'FileStoreBenchmark.get$'"));
    }

    @Test
    void onlyComparisonsOfImplementationsTakeTurnsInOneFork() {
        Plan full = Plan.full(5);
        for (Plan.Comparison c : full.comparisons) {
            boolean sameMethodAndThreads = c.variants().stream().map(v -> v.benchmark() + "." + v.method() + "-" + v.threads())
                    .distinct().count() == 1;
            boolean expected = c.variants().size() > 1 && sameMethodAndThreads && !c.variants().get(0).benchmark().equals("SessionIdBenchmark");
            assertEquals(expected, c.interleaved(), c.name());
        }
        assertFalse(full.comparisons.stream().filter(c -> c.name().equals("id scaling")).findFirst().orElseThrow().interleaved(),
                "the id scaling compares thread counts: one fork per side");
    }
}
