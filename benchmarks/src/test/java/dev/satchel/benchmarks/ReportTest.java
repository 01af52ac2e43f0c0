package dev.satchel.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportTest {

    private static final String META = "{\"kind\":\"%s\",\"rounds\":%d,\"contextRounds\":3,\"commit\":\"%s\",\"cores\":2,"
            + "\"cpu\":\"CPU\",\"memoryBytes\":1073741824,\"os\":\"Linux\",\"jdk\":\"JDK 17\",\"command\":\"benchmarks/run\","
            + "\"folder\":\"benchmarks/results/x\",\"started\":\"2026-12-01T10:00:00Z\",\"finished\":\"2026-12-01T10:20:00Z\","
            + "\"measuringSeconds\":1200,\"machineAtStart\":{\"load\":[%s,0.5,0.4]},\"machineAtEnd\":{\"load\":[1.9,1.2,0.8]},"
            + "\"machine\":{\"idle\":0.3,\"steal\":0.01,\"ours\":0.5,\"others\":%s},\"plan\":[]}";

    private static Report.Run run(String kind, String commit, double loadAtStart, double others, List<Report.ForkResult> forks) {
        int rounds = forks.stream().mapToInt(f -> f.round).max().orElse(1);
        String json = String.format(java.util.Locale.ROOT, META, kind, rounds, commit, loadAtStart, others);
        return new Report.Run(PairedRun.JSON.readTree(json), forks, null);
    }

    /** {@code scores[r]} is the score of round r + 1. */
    private static void add(List<Report.ForkResult> forks, String benchmark, String method, int threads, String impl,
            double alloc, double... scores) {
        for (int r = 0; r < scores.length; r++) {
            forks.add(new Report.ForkResult(r + 1, true, benchmark, method, threads, impl, scores[r], "ns/op", alloc, 0.1, 0,
                    "java -jar x " + impl));
        }
    }

    private static List<Report.ForkResult> hotPath() {
        List<Report.ForkResult> forks = new ArrayList<>();
        // The floor moves 2× between rounds; open stays 1.05–1.15× of it in every round.
        add(forks, "HotPathBenchmark", "readOnly", 1, "FLOOR", 0, 1000, 2000, 1000, 1500, 1200);
        add(forks, "HotPathBenchmark", "readOnly", 1, "SATCHEL_OPEN", 24, 1100, 2100, 1150, 1650, 1300);
        // Spring ÷ open: 1.8 to 2.2: straddles 2.
        add(forks, "HotPathBenchmark", "readOnly", 1, "SPRING_MAP_REPOSITORY", 900, 1980, 4620, 2070, 3300, 2340);
        // Tomcat ÷ open: well under 1 in every round.
        add(forks, "HotPathBenchmark", "readOnly", 1, "TOMCAT_STANDARD_MANAGER", 0, 400, 700, 420, 600, 500);
        return forks;
    }

    @Test
    void judgesEachTargetOnTheSpreadOfItsPerRoundRatios() {
        Map<String, Report.Verdict> verdicts = Report.targets(run("full", "abc", 0.2, 0.1, hotPath()), WritePressure.measure())
                .stream().collect(Collectors.toMap(t -> t.name, t -> t.verdict));

        assertEquals(Report.Verdict.MET, verdicts.get("cached `open` ≤ 1.2× the floor (1 thread)"));
        assertEquals(Report.Verdict.NOT_DECIDED, verdicts.get("`open` ≥ 2× faster than Spring `findById` (1 thread)"));
        assertEquals(Report.Verdict.MISSED, verdicts.get("`open` faster than Tomcat's find-access-release (1 thread)"));
        assertEquals(Report.Verdict.MET, verdicts.get("`open` allocates at most one small object, ≤ 64 B/op (1 thread)"));
        assertEquals(Report.Verdict.MET, verdicts.get("write pressure: ≤ 1 write per touch interval per session (Spring: one per request)"));
    }

    @Test
    void judgesTheWritingTargetsAgainstBothFloorsTheWriteAllocationAndTheHeap() {
        List<Report.ForkResult> forks = new ArrayList<>();
        // mixed, 1 thread: 1.10–1.15× the floor (met under 1.2), 1.0–1.3× the writing floor (straddles 1.2).
        add(forks, "HotPathBenchmark", "mixed", 1, "FLOOR", 5, 1000, 2000, 1000, 1500, 1200);
        add(forks, "HotPathBenchmark", "mixed", 1, "FLOOR_WRITE", 18, 1100, 2000, 880, 1500, 1200);
        add(forks, "HotPathBenchmark", "mixed", 1, "SATCHEL_OPEN", 123, 1100, 2300, 1100, 1650, 1320);
        // mixed, 2 threads: 1.4–1.5× the floor: missed against 1.3.
        add(forks, "HotPathBenchmark", "mixed", 2, "FLOOR", 5, 1000, 1000, 1000);
        add(forks, "HotPathBenchmark", "mixed", 2, "SATCHEL_OPEN", 123, 1400, 1500, 1450);
        add(forks, "HotPathBenchmark", "write", 1, "SATCHEL_OPEN", 948, 3000, 3100, 3050);
        String memory = "{\"sessions\":20000,\"rows\":[{\"implementation\":\"Satchel: cached record\",\"heapBytesPerSession\":692,"
                + "\"storedJsonBytes\":430},{\"implementation\":\"Spring Session: MapSession\",\"heapBytesPerSession\":558,"
                + "\"storedJsonBytes\":-1}]}";
        String json = String.format(java.util.Locale.ROOT, META, "full", 5, "abc", 0.2, 0.1);
        Report.Run run = new Report.Run(PairedRun.JSON.readTree(json), forks, PairedRun.JSON.readTree(memory));
        Map<String, Report.Target> targets = Report.targets(run, WritePressure.measure())
                .stream().collect(Collectors.toMap(t -> t.name, t -> t));

        assertEquals(Report.Verdict.MET, targets.get("cached `mixed` ≤ 1.2× the floor (1 thread)").verdict);
        assertEquals(Report.Verdict.NOT_DECIDED, targets.get("cached `mixed` ≤ 1.2× the writing floor (1 thread)").verdict);
        assertEquals(Report.Verdict.MISSED, targets.get("cached `mixed` ≤ 1.3× the floor (2 threads)").verdict);
        Report.Target write = targets.get("a request that changes one attribute (`open`, `put`, `commit`) allocates ≤ 1 KB (1 thread)");
        assertEquals(Report.Verdict.MET, write.verdict);
        assertEquals("948 B/op, median of 3 forks (`write`)", write.measured);
        Report.Target heap = targets.get("heap per cached typical session ≤ Spring's `MapSession`");
        assertEquals(Report.Verdict.MISSED, heap.verdict);
        assertEquals("692 vs 558 bytes per session (a heap count; see the memory section)", heap.measured);

        String md = new Report.Writer(run, null, WritePressure.measure()).render();
        assertTrue(md.contains("### `mixed`, 1 thread"), md);
        assertTrue(md.contains("| implementation | ns/op | min–max | forks | B/op | × floor | × writing floor |"), md);
        assertTrue(md.contains("### `write`, 1 thread"), md);
        assertTrue(md.contains("**Why heap per cached typical session ≤ Spring's `MapSession` is missed"), md);
    }

    @Test
    void aRatioIsTakenWithinEachRoundNotBetweenMediansOfDifferentRounds() {
        Report.Spread r = Report.Spread.ofRatios(hotPath().stream().filter(f -> f.impl.equals("SATCHEL_OPEN"))
                        .collect(Collectors.toMap(f -> f.round, f -> f)),
                hotPath().stream().filter(f -> f.impl.equals("FLOOR")).collect(Collectors.toMap(f -> f.round, f -> f)), 1);
        assertEquals(5, r.n);
        assertEquals(1.05, r.min, 1e-9);
        assertEquals(1.15, r.max, 1e-9);
        assertEquals(1.1, r.median, 1e-9);
        assertEquals("1.10 (1.05–1.15)", r.ratioText());
    }

    @Test
    void fewerThanThreePairsDecideNothing() {
        List<Report.ForkResult> forks = new ArrayList<>();
        add(forks, "HotPathBenchmark", "readOnly", 1, "FLOOR", 0, 1000, 1000);
        add(forks, "HotPathBenchmark", "readOnly", 1, "SATCHEL_OPEN", 24, 1000, 1010);
        Map<String, Report.Verdict> verdicts = Report.targets(run("full", "abc", 0.2, 0.1, forks), WritePressure.measure())
                .stream().collect(Collectors.toMap(t -> t.name, t -> t.verdict));
        assertEquals(Report.Verdict.NOT_DECIDED, verdicts.get("cached `open` ≤ 1.2× the floor (1 thread)"));
    }

    @Test
    void aQuickRunJudgesNoTarget() {
        List<Report.Target> targets = Report.targets(run("quick", "abc", 0.2, 0.1, hotPath()), WritePressure.measure());
        assertTrue(targets.stream().allMatch(t -> t.verdict == Report.Verdict.NOT_JUDGED));
    }

    @Test
    void thePageShowsSpreadsMachineStateAndThePreviousRunsVerdicts() {
        List<Report.ForkResult> earlier = hotPath();
        earlier.removeIf(f -> f.impl.equals("TOMCAT_STANDARD_MANAGER"));
        String md = new Report.Writer(run("full", "new", 1.4, 0.3, hotPath()), run("full", "old", 0.1, 0.1, earlier),
                WritePressure.measure()).render();

        assertTrue(md.contains("| cached `open` ≤ 1.2× the floor (1 thread) | `open` ÷ floor 1.10 (1.05–1.15), 5 pairs; "
                + "medians 1,300 vs 1,200 ns/op | **met** | **met** |"), md);
        assertTrue(md.contains("| `open` faster than Tomcat's find-access-release (1 thread) | Tomcat ÷ `open` ") , md);
        assertTrue(md.contains("| **missed** | (not measured) |"), md);
        assertTrue(md.contains("the same verdict on 4 of 5 targets; different on `open` faster than Tomcat's"), md);
        assertTrue(md.contains("| SATCHEL_OPEN | 1,300 | 1,100–2,100 | 5 | 24 | 1.10 (1.05–1.15) |"), md);
        assertTrue(md.contains("| state | **disturbed**: other processes took 30 % of the CPU (over 25 %); "
                + "load average 1.40 at the start (over 1.0 for 2 cores) |"), md);
        assertTrue(md.contains("**Why `open` faster than Tomcat's find-access-release is missed"), md);
        assertTrue(md.contains("*Not decided* means"), md);
    }

    @Test
    void aRunIsJudgedBusyAtItsStartByTheCpuBeforeItsFirstForkNotByTheLaggingLoadAverage() {
        // Right after another run the load average still holds that run; the CPU counters say the machine is quiet.
        String quiet = String.format(java.util.Locale.ROOT, META, "full", 5, "new", 3.5, 0.02)
                .replace(",\"plan\"", ",\"machineBeforeStart\":{\"idle\":0.97,\"steal\":0.0,\"ours\":0.01,\"others\":0.02},\"plan\"");
        String md = new Report.Writer(new Report.Run(PairedRun.JSON.readTree(quiet), hotPath(), null), null,
                WritePressure.measure()).render();
        assertTrue(md.contains("| CPU time in the 3 s before the first fork | 97 % idle, 0 % stolen, 2 % other processes |"), md);
        assertTrue(md.contains("| state | quiet |"), md);

        String busy = quiet.replace("\"idle\":0.97,\"steal\":0.0,\"ours\":0.01,\"others\":0.02",
                "\"idle\":0.5,\"steal\":0.0,\"ours\":0.01,\"others\":0.49");
        md = new Report.Writer(new Report.Run(PairedRun.JSON.readTree(busy), hotPath(), null), null, WritePressure.measure()).render();
        assertTrue(md.contains("| state | **disturbed**: busy at the start: other processes took 49 % of the CPU and steal 0.0 % "
                + "in the 3 s before the first fork |"), md);
    }

    @Test
    void readsARunFolderWrittenByPairedRun(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("run.json"), String.format(java.util.Locale.ROOT, META, "full", 3, "c", 0.1, 0.1));
        String jmh = "[{\"benchmark\":\"dev.satchel.benchmarks.HotPathBenchmark.readOnly\",\"threads\":1,"
                + "\"params\":{\"impl\":\"FLOOR\"},\"primaryMetric\":{\"score\":950.5,\"scoreError\":\"NaN\",\"scoreUnit\":\"ns/op\"},"
                + "\"secondaryMetrics\":{\"gc.alloc.rate.norm\":{\"score\":0.01,\"scoreUnit\":\"B/op\"}}}]";
        Files.writeString(dir.resolve("forks.jsonl"), "{\"round\":2,\"judged\":true,\"benchmark\":\"HotPathBenchmark\","
                + "\"method\":\"readOnly\",\"threads\":1,\"impl\":\"FLOOR\",\"command\":\"java -jar x\","
                + "\"machine\":{\"idle\":0.4,\"steal\":\"NaN\",\"ours\":0.5,\"others\":0.1},\"jmh\":" + jmh + "}\n");

        Report.Run run = Report.Run.load(dir);

        Report.ForkResult f = run.forks.get(0);
        assertEquals(2, f.round);
        assertEquals(950.5, f.score, 1e-9);
        assertEquals(0.01, f.allocPerOp, 1e-9);
        assertTrue(Double.isNaN(f.steal));
        assertEquals("ns/op", f.unit);
    }

    @Test
    void eachImplementationOfAForkThatTookTurnsIsReadFromItsOwnIterations(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("run.json"), String.format(java.util.Locale.ROOT, META, "full", 3, "c", 0.1, 0.1));
        // Five measured iterations: A B B A A; A's are 100, 90, 3000 (one turn a burst fell on), B's 50, 60.
        String jmh = "[{\"benchmark\":\"dev.satchel.benchmarks.HotPathBenchmark.readOnly\",\"threads\":1,"
                + "\"params\":{\"impl\":\"SATCHEL_OPEN+FLOOR\"},\"primaryMetric\":{\"score\":660,\"scoreUnit\":\"ns/op\","
                + "\"rawData\":[[100,50,60,90,3000]]},\"secondaryMetrics\":{\"gc.alloc.rate.norm\":{\"score\":10,"
                + "\"scoreUnit\":\"B/op\",\"rawData\":[[24,0,0,24,27]]}}}]";
        StringBuilder lines = new StringBuilder();
        String[][] sides = {{"SATCHEL_OPEN", "[0,3,4]"}, {"FLOOR", "[1,2]"}};
        for (String[] side : sides) {
            lines.append("{\"round\":1,\"fork\":7,\"judged\":true,\"benchmark\":\"HotPathBenchmark\",\"method\":\"readOnly\",")
                    .append("\"threads\":1,\"impl\":\"").append(side[0]).append("\",\"interleaved\":\"SATCHEL_OPEN+FLOOR\",")
                    .append("\"slots\":").append(side[1]).append(",\"command\":\"java -jar x\",")
                    .append("\"machine\":{\"idle\":0.4,\"steal\":0,\"ours\":0.5,\"others\":0.1},\"jmh\":").append(jmh).append("}\n");
        }
        Files.writeString(dir.resolve("forks.jsonl"), lines);

        Report.Run run = Report.Run.load(dir);

        Report.ForkResult open = run.forks.get(0);
        Report.ForkResult floor = run.forks.get(1);
        assertEquals(100, open.score, 1e-9, "the median of its own turns, not JMH's mean over all of them");
        assertEquals(25, open.allocPerOp, 1e-9);
        assertEquals(55, floor.score, 1e-9);
        assertEquals(0, floor.allocPerOp, 1e-9);
        assertEquals(1, run.jmhForks().size(), "two lines, one fork");
    }

    @Test
    void aRatioBetweenImplementationsThatTookTurnsIsTheMedianOfTheirRatiosCycleByCycle() {
        // Cycle by cycle both sides are 1.1× apart, but the machine was twice as slow in cycles 2 and 3 and the
        // medians of each side's turns happen to land in different states: 100 and 55.
        Report.ForkResult a = new Report.ForkResult(1, 3, new double[] {110, 220, 220, 110, 100}, true, "HotPathBenchmark",
                "readOnly", 1, "SATCHEL_OPEN", 110, "ns/op", 0, 0, 0, "");
        Report.ForkResult b = new Report.ForkResult(1, 3, new double[] {100, 200, 200, 100, 55}, true, "HotPathBenchmark",
                "readOnly", 1, "FLOOR", 100, "ns/op", 0, 0, 0, "");
        assertEquals(1.1, Report.Spread.roundRatio(a, b), 1e-9);
        Report.ForkResult otherFork = new Report.ForkResult(1, 4, new double[] {100, 200, 200, 100, 55}, true, "HotPathBenchmark",
                "readOnly", 1, "FLOOR", 100, "ns/op", 0, 0, 0, "");
        assertEquals(1.1, Report.Spread.roundRatio(a, otherFork), 1e-9, "forks of their own: the ratio of the scores");
        Report.ForkResult lone = new Report.ForkResult(1, true, "HotPathBenchmark", "readOnly", 1, "FLOOR", 50, "ns/op", 0, 0, 0, "");
        assertEquals(2.2, Report.Spread.roundRatio(a, lone), 1e-9);
    }
}
