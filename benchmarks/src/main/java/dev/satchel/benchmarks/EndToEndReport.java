package dev.satchel.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.ToDoubleFunction;
import tools.jackson.databind.JsonNode;

/**
 * {@link Report}'s part for the end-to-end benchmark ({@link EndToEndRun}): reads {@code e2e.jsonl} and the
 * raw output of every measured {@code wrk} run it names (figures are recomputed from the raw output, not
 * taken from the line), judges the two end-to-end targets on per-round ratios, and renders the
 * section of {@code BENCHMARKS.md}.
 */
final class EndToEndReport {

    static final String SATCHEL = "SATCHEL";
    static final String SPRING = "SPRING_SESSION";
    static final String NONE = "NO_SESSION";
    /** Satchel's time per request may be at most this many times the no-session app's (issue 17: "within 15 %"). */
    static final double COST_LIMIT = 1.15;
    /** Satchel's requests per second at least this many times Spring Session's. */
    static final double SPRING_LIMIT = 1.5;

    private EndToEndReport() {}

    /**
     * One application in one mix and round: one measured {@code wrk} run, or (when the applications took turns)
     * the median of its turns' figures, with the turns' requests per second in cycle order.
     */
    static final class Measurement {
        final int round;
        final String mix;
        final String impl;
        final double requestsPerSecond;
        final double p50Micros;
        final double p99Micros;
        final long socketErrors;
        final double others;
        final String command;
        /** Requests per second of each turn, turn {@code i} in cycle {@code i + 1}; null for a single run. */
        final double[] turns;

        Measurement(int round, String mix, String impl, double requestsPerSecond, double p50Micros, double p99Micros, long socketErrors,
                double others, String command) {
            this(round, mix, impl, requestsPerSecond, p50Micros, p99Micros, socketErrors, others, command, null);
        }

        private Measurement(int round, String mix, String impl, double requestsPerSecond, double p50Micros, double p99Micros,
                long socketErrors, double others, String command, double[] turns) {
            this.round = round;
            this.mix = mix;
            this.impl = impl;
            this.requestsPerSecond = requestsPerSecond;
            this.p50Micros = p50Micros;
            this.p99Micros = p99Micros;
            this.socketErrors = socketErrors;
            this.others = others;
            this.command = command;
            this.turns = turns;
        }

        /** The turns of one application in one mix and round, in cycle order, as one measurement. */
        static Measurement ofTurns(List<Measurement> turns) {
            Measurement first = turns.get(0);
            double[] rps = turns.stream().mapToDouble(t -> t.requestsPerSecond).toArray();
            return new Measurement(first.round, first.mix, first.impl, Report.Spread.of(rps).median,
                    Report.Spread.of(turns.stream().mapToDouble(t -> t.p50Micros).toArray()).median,
                    Report.Spread.of(turns.stream().mapToDouble(t -> t.p99Micros).toArray()).median,
                    turns.stream().mapToLong(t -> t.socketErrors).sum(),
                    turns.stream().mapToDouble(t -> t.others).max().orElse(Double.NaN), first.command, rps);
        }
    }

    /** A run's end-to-end measurements (none when the run had no end-to-end part), and {@code e2e.json}. */
    static final class Results {
        static final Results NONE_MEASURED = new Results(null, List.of(), List.of());

        final JsonNode meta;
        /** One per application, mix and round. */
        final List<Measurement> measurements;
        /** Every measured {@code wrk} run (a turn, or a round's single run). */
        final List<Measurement> runs;

        Results(JsonNode meta, List<Measurement> measurements, List<Measurement> runs) {
            this.meta = meta;
            this.measurements = measurements;
            this.runs = runs;
        }

        /** The measurements of one implementation in one mix, by round. */
        TreeMap<Integer, Measurement> of(String mix, String impl) {
            TreeMap<Integer, Measurement> byRound = new TreeMap<>();
            for (Measurement m : measurements) {
                if (m.mix.equals(mix) && m.impl.equals(impl)) {
                    byRound.put(m.round, m);
                }
            }
            return byRound;
        }

        List<String> mixes() {
            Set<String> mixes = new LinkedHashSet<>();
            measurements.forEach(m -> mixes.add(m.mix));
            return new ArrayList<>(mixes);
        }

        /** Whether the applications took turns (runs of {@link EndToEndRun} since issue 19's second round). */
        boolean interleaved() {
            return measurements.stream().anyMatch(m -> m.turns != null);
        }
    }

    /**
     * Reads {@code dir/e2e.jsonl} and the raw wrk output it names; no file, no measurements. A line with a
     * {@code cycle} is one turn; the turns of an application in a mix and round make one measurement.
     */
    static Results load(Path dir) throws IOException {
        Path lines = dir.resolve("e2e.jsonl");
        if (!Files.exists(lines)) {
            return Results.NONE_MEASURED;
        }
        List<Measurement> runs = new ArrayList<>();
        Map<String, TreeMap<Integer, Measurement>> turns = new LinkedHashMap<>();
        List<Measurement> list = new ArrayList<>();
        for (String line : Files.readAllLines(lines, StandardCharsets.UTF_8)) {
            if (line.isBlank()) {
                continue;
            }
            JsonNode j = PairedRun.JSON.readTree(line);
            EndToEndRun.WrkResult r = EndToEndRun.WrkResult.parse(Files.readString(dir.resolve(j.get("raw").asString()), StandardCharsets.UTF_8));
            Measurement m = new Measurement(j.get("round").asInt(), j.get("mix").asString(), j.get("impl").asString(), r.requestsPerSecond(),
                    r.p50Micros, r.p99Micros, r.socketErrors, Report.number(j.path("machine").get("others")), j.path("command").asString(""));
            runs.add(m);
            if (j.has("cycle")) {
                turns.computeIfAbsent(m.round + " " + m.mix + " " + m.impl, k -> new TreeMap<>()).put(j.get("cycle").asInt(), m);
            } else {
                list.add(m);
            }
        }
        turns.values().forEach(t -> list.add(Measurement.ofTurns(new ArrayList<>(t.values()))));
        Path metaFile = dir.resolve("e2e.json");
        JsonNode meta = Files.exists(metaFile) ? PairedRun.JSON.readTree(Files.readString(metaFile)) : null;
        return new Results(meta, list, runs);
    }

    /**
     * {@code a ÷ b} in requests per second for every round both ran in: when they took turns, the median over
     * cycles of the ratio of their turns in that cycle (next to each other in time), otherwise the ratio of
     * the two runs.
     */
    static Report.Spread throughputRatio(Map<Integer, Measurement> a, Map<Integer, Measurement> b) {
        List<Double> ratios = new ArrayList<>();
        a.forEach((round, m) -> {
            Measurement other = b.get(round);
            if (other != null) {
                ratios.add(roundRatio(m, other));
            }
        });
        return Report.Spread.of(ratios.stream().mapToDouble(Double::doubleValue).toArray());
    }

    private static double roundRatio(Measurement a, Measurement b) {
        if (a.turns != null && b.turns != null && a.turns.length == b.turns.length && a.turns.length > 0) {
            return Report.Spread.perCycle(a.turns, b.turns);
        }
        return a.requestsPerSecond / b.requestsPerSecond;
    }

    static String mixName(String mix) {
        return mix.equals("READ_ONLY") ? "read-only" : mix.equals("WRITE_10") ? "10 % writes" : mix;
    }

    /** The end-to-end targets that {@code e2e} measured (judged unless {@code judge} is false). */
    static List<Report.Target> targets(Results e2e, boolean judge) {
        List<Report.Target> list = new ArrayList<>();
        for (String mix : e2e.mixes()) {
            Map<Integer, Measurement> ours = e2e.of(mix, SATCHEL);
            Map<Integer, Measurement> spring = e2e.of(mix, SPRING);
            if (!ours.isEmpty() && !spring.isEmpty()) {
                Report.Spread r = throughputRatio(ours, spring);
                list.add(new Report.Target("end to end, " + mixName(mix) + ": Satchel's filter ≥ 1.5× Spring Session Data Redis's requests/s",
                        "Satchel ÷ Spring requests/s " + pairs(r) + "; medians " + rps(ours) + " vs " + rps(spring) + " requests/s",
                        Report.Verdict.atLeast(r, SPRING_LIMIT, judge), SPRING_REASON));
            }
        }
        Map<Integer, Measurement> ours = e2e.of("READ_ONLY", SATCHEL);
        Map<Integer, Measurement> none = e2e.of("READ_ONLY", NONE);
        if (!ours.isEmpty() && !none.isEmpty()) {
            // Time per request at a fixed number of connections is 1 / throughput: Satchel's over the bare app's.
            Report.Spread r = throughputRatio(none, ours);
            list.add(new Report.Target("end to end, read-only, session cached: Satchel's time per request ≤ 1.15× the no-session app's",
                    "no-session ÷ Satchel requests/s " + pairs(r) + "; medians " + rps(ours) + " vs " + rps(none) + " requests/s",
                    Report.Verdict.atMost(r, COST_LIMIT, judge), COST_REASON));
        }
        return list;
    }

    /** How a run that waits for the machine to settle before each turn ({@code EndToEndRun.settle}) says so. */
    private static final String SETTLED = String.format(Locale.ROOT, ", each turn started once the apps and Redis have gone "
            + "quiet after the one before (at most %d clock tick of CPU in %d ms, %d s at the most)", EndToEndRun.SETTLED_TICKS,
            EndToEndRun.SETTLE_WINDOW_MILLIS, EndToEndRun.SETTLE_LIMIT_MILLIS / 1000);

    /** The section of the page; empty when the run has no end-to-end part. */
    static String section(Results e2e) {
        if (e2e.measurements.isEmpty()) {
            return "";
        }
        StringBuilder md = new StringBuilder();
        md.append("## End to end: a servlet app on embedded Tomcat 11, sessions in Redis, driven by wrk\n\n");
        JsonNode s = e2e.meta == null ? null : e2e.meta.path("settings");
        boolean turns = e2e.interleaved();
        boolean settled = e2e.meta != null && e2e.meta.has("settle");
        md.append("One servlet (reads two attributes; on `/write` sets one) on embedded Tomcat 11 with default connector ")
                .append("settings, in a JVM of its own (`-Xms512m -Xmx512m`, G1), behind Satchel's ")
                .append("`SatchelSessionFilter` over `CachingSessionManager.over(RedisSessionManager)`, Spring Session Data Redis's ")
                .append("`SessionRepositoryFilter` over `RedisSessionRepository`, or no session filter at all, sessions in the run's ")
                .append("`redis-server`. Load: ").append(e2e.meta == null ? "wrk" : "`" + e2e.meta.path("loadGenerator").asString("wrk") + "`")
                .append(" (Debian's package) over loopback");
        if (s != null && turns) {
            md.append(String.format(Locale.ROOT, ", `-t%d -c%d`, %d sessions established in each app (one cookie picked at random per "
                    + "request), %d round%s", s.path("threads").asInt(), s.path("connections").asInt(), s.path("sessions").asInt(),
                    s.path("rounds").asInt(), s.path("rounds").asInt() == 1 ? "" : "s"));
            md.append(String.format(Locale.ROOT, ". In a round the three apps run side by side, each warmed up for %d s, then %d s per "
                    + "mix, and take turns under load: %d cycles of one %d s `wrk` run each, forward then backward (A B C C B A …), "
                    + "so a busy moment of the machine falls on all three alike" + (settled ? SETTLED : "") + "; a ratio in a round is the median over cycles of "
                    + "the ratio of two apps' turns in that cycle, and a figure the median of its turns. Rounds start fresh JVMs, "
                    + "the order reversed every other round", s.path("warmupSeconds").asInt(), s.path("mixWarmupSeconds").asInt(),
                    s.path("cycles").asInt(), s.path("turnSeconds").asInt()));
        } else if (s != null) {
            md.append(String.format(Locale.ROOT, ", `-t%d -c%d`, %d s warm-up then %d s measured, %d sessions established before "
                    + "measuring (one cookie picked at random per request), %d round%s", s.path("threads").asInt(), s.path("connections").asInt(),
                    s.path("warmupSeconds").asInt(), s.path("seconds").asInt(), s.path("sessions").asInt(), s.path("rounds").asInt(),
                    s.path("rounds").asInt() == 1 ? "" : "s"));
            md.append(". In each round and mix the three apps run one after the other, each in a fresh JVM, in the opposite order "
                    + "every other round; ratios are taken per round");
        }
        md.append(". wrk, the app and Redis share the machine's cores, so requests/s is what this machine ")
                .append("serves with all three on it. Latencies are wrk's (coordinated omission not corrected: a closed loop of ")
                .append("the connections).\n\n");
        for (String mix : e2e.mixes()) {
            Map<Integer, Measurement> spring = e2e.of(mix, SPRING);
            Map<Integer, Measurement> none = e2e.of(mix, NONE);
            md.append("### ").append(mixName(mix)).append("\n\n");
            md.append("| implementation | requests/s | min–max | p50 ms | p99 ms | rounds | × Spring requests/s | × no-session requests/s | socket errors |\n")
                    .append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            for (String impl : List.of(SATCHEL, SPRING, NONE)) {
                Map<Integer, Measurement> m = e2e.of(mix, impl);
                if (m.isEmpty()) {
                    continue;
                }
                Report.Spread r = spread(m, x -> x.requestsPerSecond);
                md.append("| ").append(impl).append(" | ").append(String.format(Locale.ROOT, "%,.0f", r.median)).append(" | ")
                        .append(r.n == 1 ? "" : String.format(Locale.ROOT, "%,.0f–%,.0f", r.min, r.max)).append(" | ")
                        .append(ms(spread(m, x -> x.p50Micros).median)).append(" | ").append(ms(spread(m, x -> x.p99Micros).median))
                        .append(" | ").append(r.n).append(" | ").append(impl.equals(SPRING) || spring.isEmpty() ? "" : ratioText(throughputRatio(m, spring)))
                        .append(" | ").append(impl.equals(NONE) || none.isEmpty() ? "" : ratioText(throughputRatio(m, none)))
                        .append(" | ").append(m.values().stream().mapToLong(x -> x.socketErrors).sum()).append(" |\n");
            }
            md.append('\n');
        }
        long disturbed = e2e.runs.stream().filter(m -> m.others > Machine.DISTURBED_OTHERS).count();
        md.append(String.format(Locale.ROOT, "Figures: median over rounds (p50 and p99: the median of each round's percentile%s). Other processes "
                + "took more than %.0f %% of the CPU during %d of %d measured `wrk` runs", turns ? ", itself the median over its turns" : "",
                100 * Machine.DISTURBED_OTHERS, disturbed, e2e.runs.size()));
        if (e2e.meta != null && e2e.meta.has("seconds")) {
            md.append("; the end-to-end part took ").append(e2e.meta.get("seconds").asLong()).append(" s");
        }
        md.append(". Raw output of every measured wrk run: `e2e/` in the run's folder. The commands (`COOKIES`: the established ")
                .append("sessions' `Cookie` headers, one a line; the last argument: every how many requests one writes, 0 for none; "
                        + "the warm-ups are the same with other durations):\n\n```\n");
        Set<String> seen = new LinkedHashSet<>();
        e2e.runs.forEach(m -> seen.add(m.command));
        seen.forEach(c -> md.append(c).append('\n'));
        md.append("```\n\n");
        return md.toString();
    }

    private static Report.Spread spread(Map<Integer, Measurement> m, ToDoubleFunction<Measurement> f) {
        return Report.Spread.of(m.values().stream().mapToDouble(f).toArray());
    }

    private static String rps(Map<Integer, Measurement> m) {
        return String.format(Locale.ROOT, "%,.0f", spread(m, x -> x.requestsPerSecond).median);
    }

    private static String ms(double micros) {
        return String.format(Locale.ROOT, "%.2f", micros / 1000);
    }

    private static String ratioText(Report.Spread r) {
        return r == null ? "" : r.ratioText();
    }

    private static String pairs(Report.Spread r) {
        return r == null ? "(no pair)" : r.ratioText() + ", " + r.n + (r.n == 1 ? " pair" : " pairs");
    }

    static final String SPRING_REASON = "Counted with `INFO commandstats` over a read-only run: Spring Session sends "
            + "four Redis commands per request, each a round trip on its one shared Lettuce connection (`HGETALL` to read "
            + "the session; `EXISTS`, `HMSET` of the last access time and `PEXPIREAT` to save it, which "
            + "`SessionRepositoryFilter` does on every request), and decodes JDK-serialized values; Satchel's filter "
            + "answers a cached read-only request with none, and a write with one `EVALSHA` (plus one `HGETALL` when the "
            + "next request of that session re-reads it after the invalidation its own write published). Where the ratio "
            + "falls short, the app's own work (Tomcat, the servlet) and wrk sharing the cores dilute it.";
    static final String COST_REASON = "The read-only requests are all cache hits once warm (no Redis command "
            + "during a measured run: `INFO commandstats` shows none), so the difference is CPU in the app's JVM. What JFR "
            + "showed (Satchel's app alone under the same `wrk` load for 40 s, stack depth 256, each execution sample "
            + "charged to the first library frame from its top; 2026-12-04, AMD EPYC host): before issue 19's fourth round "
            + "(commit `020174d`, 580 samples) Satchel with the Caffeine it calls took 13.3 % of the app's samples, Tomcat "
            + "72 %, the app's servlet 14 %, and Satchel allocated a quarter of the app's garbage, 10 % of all of it the "
            + "held body's first array. That round removed what the profile named: a commit of a session that is not new "
            + "no longer sets the listeners' `ThreadLocal` (1.4 % of the samples), a held body starts at 64 characters, "
            + "not 256, the writer's charset is looked up only for a declared Content-Length (1.2 %), and a request's "
            + "attribute objects sit in two small arrays instead of a `HashMap` (4 % of the bytes). After it (commit "
            + "`b5370b5`, 601 samples): Satchel and Caffeine 9.7 %, a sixth of the garbage. What remains is Caffeine's "
            + "lookup, about 6 % (`ConcurrentHashMap.get` on its table, a cache miss on a cold line, 4.2 %; "
            + "`getIfPresent`; `shouldDrainBuffers` and the drain handed to the common pool), which is the price of a "
            + "bounded cache (the hot-path section's `CAFFEINE` against `CONCURRENT_HASH_MAP`) and stays, and about 3 % "
            + "for the cookie's checks, the attribute reads and the filter's wrappers, none of which decides it alone. "
            + "The samples do not account for all of the cost: were Satchel's 9.7 % the whole difference, the ratio would "
            + "be about 1.11, while the two full runs of commit `120164d` on that host, back to back, read 1.20 (1.16-1.25) "
            + "and 1.06 (1.02-1.13): the host's own swings are larger than Satchel's share. JFR samples threads only "
            + "while they run Java code, so time in the kernel (the sockets, the wake-ups of the common pool's thread "
            + "that Caffeine's drain schedules) is not in them; that is where to look next, with a profiler that sees "
            + "native frames (`perf` is not available in this VM).";
}
