package dev.satchel.benchmarks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The end-to-end part of the report: raw wrk output is parsed, ratios are per round, targets judged, the section rendered. */
class EndToEndReportTest {

    /** The output of a real {@code wrk --latency -s requests.lua} run, with its numbers as parameters. */
    private static String wrkOutput(long requests, long durationMicros, int p50, int p99, int statusErrors) {
        return String.format(Locale.ROOT, "Running 8s test @ http://127.0.0.1:46451\n"
                + "  1 threads and 16 connections\n"
                + "  Thread Stats   Avg      Stdev     Max   +/- Stdev\n"
                + "    Latency    17.19ms   31.06ms 184.91ms   90.12%%\n"
                + "  Latency Distribution\n"
                + "     50%%    5.16ms\n"
                + "     99%%  158.45ms\n"
                + "  %d requests in 8.00s, 640.03KB read\n"
                + "Requests/sec:   2318.78\n"
                + "E2E-RESULT {\"requests\":%d,\"durationMicros\":%d,\"bytes\":655394,\"errors\":{\"connect\":0,\"read\":1,\"write\":0,"
                + "\"status\":%d,\"timeout\":0},\"latencyMicros\":{\"p50\":%d,\"p90\":47727,\"p99\":%d,\"max\":184908,\"mean\":17185.1}}\n",
                requests, requests, durationMicros, statusErrors, p50, p99);
    }

    /** Writes a run folder's end-to-end files: {@code rps[impl][round]} requests/s over 8 s. */
    private static void write(Path dir, String mix, Map<String, double[]> rps) throws Exception {
        Files.createDirectories(dir.resolve("e2e"));
        StringBuilder lines = new StringBuilder(Files.exists(dir.resolve("e2e.jsonl")) ? Files.readString(dir.resolve("e2e.jsonl")) : "");
        for (Map.Entry<String, double[]> e : rps.entrySet()) {
            for (int r = 0; r < e.getValue().length; r++) {
                String name = "r" + (r + 1) + "-" + mix + "-" + e.getKey() + ".txt";
                Files.writeString(dir.resolve("e2e").resolve(name), wrkOutput(Math.round(e.getValue()[r] * 8), 8_000_000, 1500, 9000, 0));
                lines.append(String.format(Locale.ROOT, "{\"round\":%d,\"mix\":\"%s\",\"impl\":\"%s\",\"raw\":\"e2e/%s\","
                        + "\"command\":\"wrk -t1 -c16 -d8s\",\"requestsPerSecond\":1,\"machine\":{\"others\":0.1}}\n", r + 1, mix, e.getKey(), name));
            }
        }
        Files.writeString(dir.resolve("e2e.jsonl"), lines.toString());
    }

    @Test
    void parsesTheDoneHooksLineOfWrksOutput() {
        EndToEndRun.WrkResult r = EndToEndRun.WrkResult.parse(wrkOutput(4782, 2_062_289, 5159, 158447, 3));
        assertEquals(4782, r.requests);
        assertEquals(4782 / 2.062289, r.requestsPerSecond(), 1e-6);
        assertEquals(5159, r.p50Micros, 0);
        assertEquals(158447, r.p99Micros, 0);
        assertEquals(3, r.statusErrors);
        assertEquals(1, r.socketErrors);
        assertThrows(IllegalArgumentException.class, () -> EndToEndRun.WrkResult.parse("Requests/sec: 1\n"));
    }

    @Test
    void judgesBothTargetsOnPerRoundRatiosRecomputedFromTheRawOutput(@TempDir Path dir) throws Exception {
        // Read-only: Satchel 2.0-2.2× Spring in every round (met); the no-session app 1.05-1.10× Satchel (met).
        write(dir, "READ_ONLY", Map.of("SATCHEL", new double[] {10000, 5000, 8000}, "SPRING_SESSION", new double[] {5000, 2400, 3636.36},
                "NO_SESSION", new double[] {10500, 5500, 8400}));
        // 10 % writes: Satchel 1.2-1.6× Spring (not decided).
        write(dir, "WRITE_10", Map.of("SATCHEL", new double[] {6000, 3200, 4800}, "SPRING_SESSION", new double[] {5000, 2000, 3500},
                "NO_SESSION", new double[] {9000, 4000, 7000}));
        EndToEndReport.Results e2e = EndToEndReport.load(dir);
        Map<String, Report.Verdict> verdicts = EndToEndReport.targets(e2e, true).stream()
                .collect(Collectors.toMap(t -> t.name, t -> t.verdict));

        assertEquals(Report.Verdict.MET, verdicts.get("end to end, read-only: Satchel's filter ≥ 1.5× Spring Session Data Redis's requests/s"));
        assertEquals(Report.Verdict.NOT_DECIDED,
                verdicts.get("end to end, 10 % writes: Satchel's filter ≥ 1.5× Spring Session Data Redis's requests/s"));
        assertEquals(Report.Verdict.MET,
                verdicts.get("end to end, read-only, session cached: Satchel's time per request ≤ 1.15× the no-session app's"));
        assertEquals(3, verdicts.size());
        assertTrue(EndToEndReport.targets(e2e, false).stream().allMatch(t -> t.verdict == Report.Verdict.NOT_JUDGED));

        Report.Spread cost = EndToEndReport.throughputRatio(e2e.of("READ_ONLY", "NO_SESSION"), e2e.of("READ_ONLY", "SATCHEL"));
        assertEquals(3, cost.n);
        assertEquals(1.05, cost.median, 1e-9);
        assertEquals(1.10, cost.max, 1e-9);
    }

    /** Writes one round of turns: {@code rps[impl][cycle]} requests/s over 1 s, one line per turn as EndToEndRun writes them. */
    private static void writeTurns(Path dir, int round, String mix, Map<String, double[]> rps) throws Exception {
        Files.createDirectories(dir.resolve("e2e"));
        StringBuilder lines = new StringBuilder(Files.exists(dir.resolve("e2e.jsonl")) ? Files.readString(dir.resolve("e2e.jsonl")) : "");
        for (Map.Entry<String, double[]> e : rps.entrySet()) {
            for (int c = 0; c < e.getValue().length; c++) {
                String name = "r" + round + "-" + mix + "-" + e.getKey() + "-c" + (c + 1) + ".txt";
                Files.writeString(dir.resolve("e2e").resolve(name), wrkOutput(Math.round(e.getValue()[c]), 1_000_000, 1000 + c, 5000 + c, 0));
                lines.append(String.format(Locale.ROOT, "{\"round\":%d,\"cycle\":%d,\"mix\":\"%s\",\"impl\":\"%s\",\"raw\":\"e2e/%s\","
                        + "\"command\":\"wrk -t1 -c16 -d1s\",\"machine\":{\"others\":0.1}}\n", round, c + 1, mix, e.getKey(), name));
            }
        }
        Files.writeString(dir.resolve("e2e.jsonl"), lines.toString());
    }

    @Test
    void turnsGiveOneFigurePerRoundAndRatiosCycleByCycle(@TempDir Path dir) throws Exception {
        // The machine slows down 2× in the middle of each round, on both apps alike: cycle by cycle the cost is
        // 1.10 whatever the speed, where the medians of each side's turns could land on different speeds.
        for (int round = 1; round <= 3; round++) {
            writeTurns(dir, round, "READ_ONLY", Map.of("SATCHEL", new double[] {10000, 5000, 5000, 10000, 10000},
                    "NO_SESSION", new double[] {11000, 5500, 5500, 11000, 11000}));
        }
        Files.writeString(dir.resolve("e2e.json"), "{\"kind\":\"full\",\"settings\":{\"rounds\":3,\"warmupSeconds\":8,"
                + "\"mixWarmupSeconds\":2,\"turnSeconds\":1,\"cycles\":5,\"threads\":1,\"connections\":16,\"sessions\":1000}}");
        EndToEndReport.Results e2e = EndToEndReport.load(dir);
        assertTrue(e2e.interleaved());
        assertEquals(6, e2e.measurements.size(), "one per app and round");
        assertEquals(30, e2e.runs.size(), "one per turn");
        EndToEndReport.Measurement first = e2e.of("READ_ONLY", "SATCHEL").get(1);
        assertEquals(10000, first.requestsPerSecond, 1e-6, "the median of the turns");
        assertEquals(1002, first.p50Micros, 0, "the median of the turns' p50");
        assertArrayEquals(new double[] {10000, 5000, 5000, 10000, 10000}, first.turns, 1e-6);

        Report.Spread cost = EndToEndReport.throughputRatio(e2e.of("READ_ONLY", "NO_SESSION"), e2e.of("READ_ONLY", "SATCHEL"));
        assertEquals(3, cost.n);
        assertEquals(1.10, cost.median, 1e-9);
        assertEquals(1.10, cost.max, 1e-9);
        assertEquals(Report.Verdict.MET, EndToEndReport.targets(e2e, true).get(0).verdict);
        String section = EndToEndReport.section(e2e);
        assertTrue(section.contains("each warmed up for 8 s, then 2 s per mix, and take turns under load: 5 cycles of one 1 s `wrk` run"), section);
        assertTrue(section.contains("during 0 of 30 measured `wrk` runs"), section);
    }

    @Test
    void aRunThatLetTheMachineSettleBeforeEachTurnSaysSoAndAnOlderOneDoesNot(@TempDir Path dir) throws Exception {
        writeTurns(dir, 1, "READ_ONLY", Map.of("SATCHEL", new double[] {10000, 10000}, "NO_SESSION", new double[] {11000, 11000}));
        String settings = "\"settings\":{\"rounds\":1,\"warmupSeconds\":1,\"mixWarmupSeconds\":1,\"turnSeconds\":1,\"cycles\":2,"
                + "\"threads\":1,\"connections\":16,\"sessions\":200}";
        Files.writeString(dir.resolve("e2e.json"), "{\"kind\":\"quick\"," + settings + "}");
        assertFalse(EndToEndReport.section(EndToEndReport.load(dir)).contains("gone quiet"));
        Files.writeString(dir.resolve("e2e.json"), "{\"kind\":\"quick\"," + settings
                + ",\"settle\":{\"windowMillis\":100,\"ticks\":1,\"limitMillis\":3000}}");
        String section = EndToEndReport.section(EndToEndReport.load(dir));
        assertTrue(section.contains("each turn started once the apps and Redis have gone quiet after the one before "
                + "(at most 1 clock tick of CPU in 100 ms, 3 s at the most)"), section);
    }

    @Test
    void aCostTwentyPercentOverInEveryRoundIsMissed(@TempDir Path dir) throws Exception {
        write(dir, "READ_ONLY", Map.of("SATCHEL", new double[] {1000, 1000, 1000}, "NO_SESSION", new double[] {1200, 1250, 1300}));
        Report.Target t = EndToEndReport.targets(EndToEndReport.load(dir), true).get(0);
        assertEquals(Report.Verdict.MISSED, t.verdict);
        assertEquals("no-session ÷ Satchel requests/s 1.25 (1.20–1.30), 3 pairs; medians 1,000 vs 1,250 requests/s", t.measured);
    }

    @Test
    void theRunsPageCarriesTheSectionAndTheTargets(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("run.json"), "{\"kind\":\"full\",\"rounds\":3,\"contextRounds\":3,\"commit\":\"c\",\"cores\":2,"
                + "\"cpu\":\"CPU\",\"memoryBytes\":1073741824,\"os\":\"Linux\",\"jdk\":\"JDK 17\",\"command\":\"benchmarks/run\","
                + "\"folder\":\"benchmarks/results/x\",\"started\":\"2026-12-01T10:00:00Z\",\"finished\":\"2026-12-01T10:20:00Z\","
                + "\"measuringSeconds\":1200,\"machineAtStart\":{\"load\":[0.1,0.5,0.4]},\"machineAtEnd\":{\"load\":[1.9,1.2,0.8]},"
                + "\"machine\":{\"idle\":0.3,\"steal\":0.01,\"ours\":0.5,\"others\":0.1},\"plan\":[]}");
        Files.writeString(dir.resolve("forks.jsonl"), "");
        write(dir, "READ_ONLY", Map.of("SATCHEL", new double[] {10000, 5000, 8000}, "SPRING_SESSION", new double[] {2000, 1000, 1600},
                "NO_SESSION", new double[] {20000, 10000, 16000}));
        Files.writeString(dir.resolve("e2e.json"), "{\"kind\":\"full\",\"loadGenerator\":\"wrk debian/4.1.0-3+b2 [epoll]\","
                + "\"settings\":{\"rounds\":3,\"warmupSeconds\":4,\"seconds\":8,\"threads\":1,\"connections\":16,\"sessions\":1000},\"seconds\":300}");

        String md = new Report.Writer(Report.Run.load(dir), null, WritePressure.measure()).render();

        assertTrue(md.contains("## End to end: a servlet app on embedded Tomcat 11"), md);
        assertTrue(md.contains("`-t1 -c16`, 4 s warm-up then 8 s measured, 1000 sessions"), md);
        assertTrue(md.contains("| SATCHEL | 8,000 | 5,000–10,000 | 1.50 | 9.00 | 3 | 5.00 | 0.50 | 3 |"), md);
        assertTrue(md.contains("| end to end, read-only: Satchel's filter ≥ 1.5× Spring Session Data Redis's requests/s | Satchel ÷ Spring "
                + "requests/s 5.00, 3 pairs; medians 8,000 vs 1,600 requests/s | **met** |"), md);
        assertTrue(md.contains("| **missed** |"), md);
        assertTrue(md.contains("**Why end to end, read-only, session cached"), md);
        assertTrue(md.contains("wrk -t1 -c16 -d8s\n"), md);
    }

    @Test
    void aRunWithoutAnEndToEndPartHasNoSection(@TempDir Path dir) throws Exception {
        EndToEndReport.Results e2e = EndToEndReport.load(dir);
        assertTrue(e2e.measurements.isEmpty());
        assertEquals("", EndToEndReport.section(e2e));
        assertTrue(EndToEndReport.targets(e2e, true).isEmpty());
    }
}
