package dev.satchel.benchmarks;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;

/**
 * Writes {@code BENCHMARKS.md} from the raw results of one {@link PairedRun}, without measuring anything:
 * the machine and its state during the run, every figure as the median over its forks, every ratio as the
 * median of the ratios taken round by round with their spread (min–max), and each target of the issue
 * judged on that spread. With a previous run's folder it also shows that run's verdicts beside this one's.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.satchel.benchmarks.Report RUN_DIR OUTPUT.md [PREVIOUS_RUN_DIR]
 * </pre>
 * {@code RUN_DIR} holds {@code run.json}, {@code forks.jsonl} and {@code memory.json}.
 */
public final class Report {

    private Report() {}

    public static void main(String[] args) throws IOException {
        if (args.length < 2 || args.length > 3) {
            throw new IllegalArgumentException("usage: Report RUN_DIR OUTPUT.md [PREVIOUS_RUN_DIR]");
        }
        Run run = Run.load(Paths.get(args[0]));
        Run previous = args.length == 3 ? Run.load(Paths.get(args[2])) : null;
        Files.writeString(Paths.get(args[1]), new Writer(run, previous, WritePressure.measure()).render(), StandardCharsets.UTF_8);
    }

    // ------------------------------------------------------------------ data

    /** One fork's result: which variant, which round, its score and allocation, the machine's shares during it. */
    static final class ForkResult {
        final int round;
        final boolean judged;
        final String benchmark;
        final String method;
        final int threads;
        final String impl;
        final double score;
        final String unit;
        final double allocPerOp;
        final double others;
        final double steal;
        final String command;

        /** The JMH fork this line is from (one fork gives a line per implementation when they took turns); -1: its own. */
        final int fork;

        /**
         * In a fork whose implementations took turns, this one's measured turns in order (turn {@code i} of every
         * implementation of the fork falls in the same cycle, next to each other); null otherwise.
         */
        final double[] turns;

        ForkResult(int round, boolean judged, String benchmark, String method, int threads, String impl, double score,
                String unit, double allocPerOp, double others, double steal, String command) {
            this(round, -1, null, judged, benchmark, method, threads, impl, score, unit, allocPerOp, others, steal, command);
        }

        ForkResult(int round, int fork, double[] turns, boolean judged, String benchmark, String method, int threads, String impl,
                double score, String unit, double allocPerOp, double others, double steal, String command) {
            this.round = round;
            this.fork = fork;
            this.turns = turns;
            this.judged = judged;
            this.benchmark = benchmark;
            this.method = method;
            this.threads = threads;
            this.impl = impl;
            this.score = score;
            this.unit = unit;
            this.allocPerOp = allocPerOp;
            this.others = others;
            this.steal = steal;
            this.command = command;
        }

        /**
         * One line of {@code forks.jsonl}. A fork of one implementation gives JMH's score (the mean over its
         * iterations); in a fork whose implementations took turns, the line's {@code slots} name the measured
         * iterations that were this implementation's, and its score is their median (a turn that a burst of load
         * fell on does not move it), its B/op their mean.
         */
        static ForkResult of(JsonNode line) {
            JsonNode jmh = line.get("jmh").get(0);
            JsonNode primary = jmh.get("primaryMetric");
            JsonNode alloc = jmh.path("secondaryMetrics").path("gc.alloc.rate.norm");
            JsonNode machine = line.path("machine");
            JsonNode slots = line.path("slots");
            double score;
            double allocPerOp;
            double[] turns = null;
            if (slots.isArray()) {
                turns = slotValues(primary, slots);
                score = Spread.of(turns).median;
                allocPerOp = alloc.isMissingNode() ? Double.NaN : Arrays.stream(slotValues(alloc, slots)).average().orElse(Double.NaN);
            } else {
                score = number(primary.get("score"));
                allocPerOp = alloc.isMissingNode() ? Double.NaN : number(alloc.get("score"));
            }
            return new ForkResult(line.get("round").asInt(), line.path("fork").asInt(-1), turns, line.get("judged").asBoolean(),
                    line.get("benchmark").asString(),
                    line.get("method").asString(), line.get("threads").asInt(), line.get("impl").asString(),
                    score, primary.get("scoreUnit").asString(), allocPerOp,
                    number(machine.get("others")), number(machine.get("steal")), line.path("command").asString(""));
        }

        /** A metric's measured iterations at {@code slots} (JMH's raw data of the one fork). */
        private static double[] slotValues(JsonNode metric, JsonNode slots) {
            JsonNode raw = metric.path("rawData").path(0);
            double[] v = new double[slots.size()];
            for (int i = 0; i < v.length; i++) {
                JsonNode x = raw.path(slots.get(i).asInt());
                if (x.isMissingNode()) {
                    throw new IllegalArgumentException("forks.jsonl: slot " + slots.get(i).asInt() + " is past the fork's "
                            + raw.size() + " measured iterations");
                }
                v[i] = x.asDouble();
            }
            return v;
        }

        String variant() {
            return benchmark + "." + method + "-" + threads + "t-" + impl;
        }
    }

    /** A run's raw results: {@code run.json}, every fork, the memory figures. */
    static final class Run {
        final JsonNode meta;
        final List<ForkResult> forks;
        final JsonNode memory;
        /** The end-to-end benchmark's measurements ({@code e2e.jsonl}), when the run has them. */
        EndToEndReport.Results e2e = EndToEndReport.Results.NONE_MEASURED;
        /** The run's folder, for sections that read their own files ({@link CachedWritesMeasurement}); null in tests. */
        Path dir;

        Run(JsonNode meta, List<ForkResult> forks, JsonNode memory) {
            this.meta = meta;
            this.forks = forks;
            this.memory = memory;
        }

        static Run load(Path dir) throws IOException {
            Path runFile = dir.resolve("run.json");
            Path forksFile = dir.resolve("forks.jsonl");
            if (!Files.exists(runFile) || !Files.exists(forksFile)) {
                throw new IOException(dir + " is not a run folder: it needs run.json and forks.jsonl");
            }
            JsonNode meta = PairedRun.JSON.readTree(Files.readString(runFile));
            List<ForkResult> forks = new ArrayList<>();
            for (String line : Files.readAllLines(forksFile, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    forks.add(ForkResult.of(PairedRun.JSON.readTree(line)));
                }
            }
            Path memoryFile = dir.resolve("memory.json");
            JsonNode memory = Files.exists(memoryFile) ? PairedRun.JSON.readTree(Files.readString(memoryFile)) : null;
            Run run = new Run(meta, forks, memory);
            run.e2e = EndToEndReport.load(dir);
            run.dir = dir;
            return run;
        }

        boolean quick() {
            return !"full".equals(meta.path("kind").asString(""));
        }

        /** One line per JMH fork: the first line of each fork whose implementations took turns, every other line. */
        List<ForkResult> jmhForks() {
            Set<Integer> seen = new LinkedHashSet<>();
            List<ForkResult> list = new ArrayList<>();
            for (ForkResult f : forks) {
                if (f.fork < 0 || seen.add(f.fork)) {
                    list.add(f);
                }
            }
            return list;
        }

        /** The forks of one variant by round. */
        TreeMap<Integer, ForkResult> variant(String benchmark, String method, int threads, String impl) {
            TreeMap<Integer, ForkResult> byRound = new TreeMap<>();
            for (ForkResult f : forks) {
                if (f.benchmark.equals(benchmark) && f.method.equals(method) && f.threads == threads && f.impl.equals(impl)) {
                    byRound.put(f.round, f);
                }
            }
            return byRound;
        }

        /** Implementations of a benchmark method at a thread count, in the order they were first measured. */
        List<String> impls(String benchmark, String method, int threads) {
            Set<String> impls = new LinkedHashSet<>();
            for (ForkResult f : forks) {
                if (f.benchmark.equals(benchmark) && f.method.equals(method) && f.threads == threads) {
                    impls.add(f.impl);
                }
            }
            return new ArrayList<>(impls);
        }

        TreeSet<Integer> threadCounts(String benchmark) {
            return forks.stream().filter(f -> f.benchmark.equals(benchmark)).map(f -> f.threads)
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    /** The median of some values and their min–max. */
    static final class Spread {
        final double median;
        final double min;
        final double max;
        final int n;

        private Spread(double median, double min, double max, int n) {
            this.median = median;
            this.min = min;
            this.max = max;
            this.n = n;
        }

        static Spread of(double[] values) {
            double[] v = Arrays.stream(values).filter(x -> !Double.isNaN(x)).sorted().toArray();
            if (v.length == 0) {
                return null;
            }
            int n = v.length;
            double median = n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
            return new Spread(median, v[0], v[n - 1], n);
        }

        /** {@code scale × a / b} for every round in which both ran; null if there is none. */
        static Spread ofRatios(Map<Integer, ForkResult> a, Map<Integer, ForkResult> b, double scale) {
            List<Double> ratios = new ArrayList<>();
            for (Map.Entry<Integer, ForkResult> e : a.entrySet()) {
                ForkResult other = b.get(e.getKey());
                if (other != null) {
                    ratios.add(scale * roundRatio(e.getValue(), other));
                }
            }
            return of(ratios.stream().mapToDouble(Double::doubleValue).toArray());
        }

        /**
         * The ratio of {@code a} to {@code b} in one round. When both took turns in the same fork, the median over
         * cycles of the ratio of their turns in that cycle: the two turns of a cycle are next to each other, so a
         * burst of load that lasts a turn or two (on this machine: 2× on a Redis round trip, seen switching within
         * a second) mostly falls on both, where the medians of each side's turns could each land in a different
         * state. Otherwise the ratio of their scores.
         */
        static double roundRatio(ForkResult a, ForkResult b) {
            if (a.fork >= 0 && a.fork == b.fork && a.turns != null && b.turns != null && a.turns.length == b.turns.length
                    && a.turns.length > 0) {
                return perCycle(a.turns, b.turns);
            }
            return a.score / b.score;
        }

        /** The median over cycles of {@code a[i] / b[i]}: turns {@code a[i]} and {@code b[i]} ran in the same cycle. */
        static double perCycle(double[] a, double[] b) {
            double[] ratios = new double[a.length];
            for (int i = 0; i < ratios.length; i++) {
                ratios[i] = a[i] / b[i];
            }
            return of(ratios).median;
        }

        static Spread ofScores(Map<Integer, ForkResult> forks) {
            return of(forks.values().stream().mapToDouble(f -> f.score).toArray());
        }

        static Spread ofAllocations(Map<Integer, ForkResult> forks) {
            return of(forks.values().stream().mapToDouble(f -> f.allocPerOp).toArray());
        }

        /** "1.08 (1.02–1.15)", or "1.08" when there is one value. */
        String ratioText() {
            return n == 1 || min == max ? ratio(median) : ratio(median) + " (" + ratio(min) + "–" + ratio(max) + ")";
        }
    }

    /** How a target came out. */
    enum Verdict {
        MET("**met**"), MISSED("**missed**"), NOT_DECIDED("not decided"), NOT_JUDGED("not judged (quick run)");

        final String text;

        Verdict(String text) {
            this.text = text;
        }

        /** Met when the end of the spread least favourable to Satchel ({@code max}) is at most {@code limit}. */
        static Verdict atMost(Spread s, double limit, boolean judge) {
            if (!judge) {
                return NOT_JUDGED;
            }
            if (s == null || s.n < Plan.CONTEXT_ROUNDS) {
                return NOT_DECIDED;
            }
            return s.max <= limit ? MET : s.min > limit ? MISSED : NOT_DECIDED;
        }

        /** Met when the end of the spread least favourable to Satchel ({@code min}) is at least {@code limit}. */
        static Verdict atLeast(Spread s, double limit, boolean judge) {
            if (!judge) {
                return NOT_JUDGED;
            }
            if (s == null || s.n < Plan.CONTEXT_ROUNDS) {
                return NOT_DECIDED;
            }
            return s.min >= limit ? MET : s.max < limit ? MISSED : NOT_DECIDED;
        }
    }

    /** One target of the issue, as one run measured it. */
    static final class Target {
        final String name;
        final String measured;
        final Verdict verdict;
        final String reason;

        Target(String name, String measured, Verdict verdict, String reason) {
            this.name = name;
            this.measured = measured;
            this.verdict = verdict;
            this.reason = reason;
        }
    }

    private static final String HOT = "HotPathBenchmark";
    private static final String REDIS = "RedisStoreBenchmark";
    private static final String FILE = "FileStoreBenchmark";
    private static final String JDBC = "JdbcStoreBenchmark";
    private static final String IDS = "SessionIdBenchmark";

    /** Every target of the issue that {@code run} measured, judged on its spreads (a quick run judges none). */
    static List<Target> targets(Run run, List<WritePressure.Row> pressure) {
        boolean judge = !run.quick();
        List<Target> list = new ArrayList<>();
        for (int t : run.threadCounts(HOT)) {
            Map<Integer, ForkResult> open = run.variant(HOT, "readOnly", t, "SATCHEL_OPEN");
            if (open.isEmpty()) {
                continue;
            }
            String th = t == 1 ? "1 thread" : t + " threads";
            Map<Integer, ForkResult> floor = run.variant(HOT, "readOnly", t, "FLOOR");
            Map<Integer, ForkResult> spring = run.variant(HOT, "readOnly", t, "SPRING_MAP_REPOSITORY");
            Map<Integer, ForkResult> tomcat = run.variant(HOT, "readOnly", t, "TOMCAT_STANDARD_MANAGER");
            if (!floor.isEmpty()) {
                Spread r = Spread.ofRatios(open, floor, 1);
                list.add(new Target("cached `open` ≤ 1.2× the floor (" + th + ")",
                        "`open` ÷ floor " + pairs(r) + medians(open, floor), Verdict.atMost(r, 1.2, judge), Reasons.OPEN_VS_FLOOR));
            }
            if (!spring.isEmpty()) {
                Spread r = Spread.ofRatios(spring, open, 1);
                list.add(new Target("`open` ≥ 2× faster than Spring `findById` (" + th + ")",
                        "Spring ÷ `open` " + pairs(r) + medians(open, spring), Verdict.atLeast(r, 2, judge), Reasons.OPEN_VS_SPRING));
            }
            if (!tomcat.isEmpty()) {
                Spread r = Spread.ofRatios(tomcat, open, 1);
                list.add(new Target("`open` faster than Tomcat's find-access-release (" + th + ")",
                        "Tomcat ÷ `open` " + pairs(r) + medians(open, tomcat), Verdict.atLeast(r, 1, judge), Reasons.OPEN_VS_TOMCAT));
            }
            Spread alloc = Spread.ofAllocations(open);
            if (alloc != null) {
                list.add(new Target("`open` allocates at most one small object, ≤ 64 B/op (" + th + ")",
                        String.format(Locale.ROOT, "%s B/op, median of %d forks", alloc.n == 1 || alloc.min == alloc.max
                                ? bytes(alloc.median) : bytes(alloc.median) + " (" + bytes(alloc.min) + "–" + bytes(alloc.max) + ")",
                                alloc.n),
                        Verdict.atMost(alloc, 64, judge), Reasons.OPEN_ALLOCATION));
            }
        }
        hotPathWrites(run, judge, list);
        for (int t : run.threadCounts(REDIS)) {
            String th = t == 1 ? "1 thread" : t + " threads";
            String[][] raw = {{"get", "`HGETALL`", Reasons.REDIS_GET}, {"put", "`EVALSHA`", Reasons.REDIS_PUT}};
            for (String[] m : raw) {
                Map<Integer, ForkResult> ours = run.variant(REDIS, m[0], t, "SATCHEL");
                Map<Integer, ForkResult> floor = run.variant(REDIS, m[0], t, "JEDIS_RAW");
                if (!ours.isEmpty() && !floor.isEmpty()) {
                    Spread r = Spread.ofRatios(ours, floor, 1);
                    list.add(new Target("Redis `" + m[0] + "` ≤ 1.2× raw Jedis " + m[1] + " (" + th + ")",
                            "Satchel ÷ raw " + pairs(r) + medians(ours, floor), Verdict.atMost(r, 1.2, judge), m[2]));
                }
            }
            String[][] spring = {{"get", "`findById`"}, {"cycle", "find + save"}};
            for (String[] m : spring) {
                Map<Integer, ForkResult> ours = run.variant(REDIS, m[0], t, "SATCHEL");
                Map<Integer, ForkResult> peer = run.variant(REDIS, m[0], t, "SPRING_SESSION");
                if (!ours.isEmpty() && !peer.isEmpty()) {
                    Spread r = Spread.ofRatios(peer, ours, 1);
                    list.add(new Target("Redis " + m[1] + " ≥ 1.5× Spring Session Data Redis's throughput (" + th + ")",
                            "Spring ÷ Satchel " + pairs(r) + medians(ours, peer), Verdict.atLeast(r, 1.5, judge),
                            Reasons.REDIS_VS_SPRING));
                }
            }
        }
        double worst = 0;
        for (WritePressure.Row r : pressure) {
            if (r.implementation.startsWith("Satchel")) {
                worst = Math.max(worst, r.writesPerTouchInterval());
            }
        }
        list.add(new Target("write pressure: ≤ 1 write per touch interval per session (Spring: one per request)",
                String.format(Locale.ROOT, "at most %.2f writes per touch interval (a count: exact)", worst),
                judge ? (worst <= 1 ? Verdict.MET : Verdict.MISSED) : Verdict.NOT_JUDGED, ""));
        Map<Integer, ForkResult> ids1 = run.variant(IDS, "newId", 1, "SATCHEL");
        Map<Integer, ForkResult> ids2 = run.variant(IDS, "newId", 2, "SATCHEL");
        if (!ids1.isEmpty() && !ids2.isEmpty()) {
            // ids per second over all threads: 2 / score at 2 threads against 1 / score at 1.
            Spread r = Spread.ofRatios(ids1, ids2, 2);
            list.add(new Target("issue 2's claim: id generation scales (2 threads give ≥ 1.2× the ids per second of 1)",
                    "ids/s at 2 threads ÷ at 1 " + pairs(r), Verdict.atLeast(r, 1.2, judge), Reasons.ID_SCALING));
        }
        list.addAll(EndToEndReport.targets(run.e2e, judge));
        return list;
    }

    /**
     * Issue 17's targets: {@code mixed} within 1.2× (1 thread) and 1.3× (2 threads) of both floors, a request
     * that changes one attribute allocating at most 1 KB, and the heap per cached session at most Spring's.
     */
    private static void hotPathWrites(Run run, boolean judge, List<Target> list) {
        for (int t : run.threadCounts(HOT)) {
            Map<Integer, ForkResult> mixed = run.variant(HOT, "mixed", t, "SATCHEL_OPEN");
            if (mixed.isEmpty()) {
                continue;
            }
            String th = t == 1 ? "1 thread" : t + " threads";
            double limit = t == 1 ? 1.2 : 1.3;
            String[][] floors = {{"FLOOR", "the floor", Reasons.MIXED_VS_FLOOR}, {"FLOOR_WRITE", "the writing floor", Reasons.MIXED_VS_WRITING_FLOOR}};
            for (String[] f : floors) {
                Map<Integer, ForkResult> floor = run.variant(HOT, "mixed", t, f[0]);
                if (!floor.isEmpty()) {
                    Spread r = Spread.ofRatios(mixed, floor, 1);
                    list.add(new Target("cached `mixed` ≤ " + (t == 1 ? "1.2" : "1.3") + "× " + f[1] + " (" + th + ")",
                            "`mixed` ÷ `" + f[0] + "` " + pairs(r) + medians(mixed, floor), Verdict.atMost(r, limit, judge), f[2]));
                }
            }
        }
        Spread alloc = Spread.ofAllocations(run.variant(HOT, "write", 1, "SATCHEL_OPEN"));
        if (alloc != null) {
            list.add(new Target("a request that changes one attribute (`open`, `put`, `commit`) allocates ≤ 1 KB (1 thread)",
                    String.format(Locale.ROOT, "%s B/op, median of %d forks (`write`)", alloc.n == 1 || alloc.min == alloc.max
                            ? bytes(alloc.median) : bytes(alloc.median) + " (" + bytes(alloc.min) + "–" + bytes(alloc.max) + ")", alloc.n),
                    Verdict.atMost(alloc, 1024, judge), Reasons.WRITE_ALLOCATION));
        }
        long satchel = memoryRow(run, "Satchel");
        long spring = memoryRow(run, "Spring");
        if (satchel >= 0 && spring >= 0) {
            list.add(new Target("heap per cached typical session ≤ Spring's `MapSession`",
                    String.format(Locale.ROOT, "%,d vs %,d bytes per session (a heap count; see the memory section)", satchel, spring),
                    judge ? (satchel <= spring ? Verdict.MET : Verdict.MISSED) : Verdict.NOT_JUDGED, Reasons.MEMORY));
        }
    }

    /** The heap bytes per session of the memory row whose implementation starts with {@code prefix}, or -1. */
    private static long memoryRow(Run run, String prefix) {
        if (run.memory == null || run.memory.get("rows") == null) {
            return -1;
        }
        for (JsonNode row : run.memory.get("rows").values()) {
            if (row.get("implementation").asString().startsWith(prefix)) {
                return row.get("heapBytesPerSession").asLong();
            }
        }
        return -1;
    }

    private static String pairs(Spread r) {
        return r == null ? "(no pair)" : r.ratioText() + ", " + r.n + (r.n == 1 ? " pair" : " pairs");
    }

    private static String medians(Map<Integer, ForkResult> a, Map<Integer, ForkResult> b) {
        String unit = a.values().iterator().next().unit.replace("us/", "µs/");
        return "; medians " + num(Spread.ofScores(a).median) + " vs " + num(Spread.ofScores(b).median) + " " + unit;
    }

    // ------------------------------------------------------------------ page

    /** Renders the page. */
    static final class Writer {
        private final Run run;
        private final Run previous;
        private final List<WritePressure.Row> pressure;
        private final StringBuilder md = new StringBuilder();

        Writer(Run run, Run previous, List<WritePressure.Row> pressure) {
            this.run = run;
            this.previous = previous;
            this.pressure = pressure;
        }

        String render() {
            String kind = run.meta.path("kind").asString("");
            md.append("# Benchmarks\n\n");
            md.append("Generated by `benchmarks/run` from the raw results in `").append(run.meta.path("folder").asString("(the run's folder)"))
                    .append("` (").append(kind).append(" run of commit `").append(run.meta.path("commit").asString("unknown"))
                    .append("`, finished ").append(when(run.meta.path("finished").asString(""))).append("). ")
                    .append("Do not edit by hand: `benchmarks/run --report` recomputes this page from that folder without ")
                    .append("measuring, and `benchmarks/run` measures again. What each benchmark measures, and why these peers: ")
                    .append("`benchmarks/README.md`.\n\n");
            md.append("**Method.** The implementations of a comparison are measured in one JMH fork, taking turns ")
                    .append("iteration by iteration (a quarter of a second each, forward then backward: A B C C B A …), so a ")
                    .append("busy moment of this shared machine falls on all of them alike; the id scaling, which compares ")
                    .append("thread counts, runs one fork per side, one right after the other")
                    .append(run.e2e.interleaved() ? "; the end-to-end apps take turns too, each in a JVM of its own, under "
                            + "one-second `wrk` runs (see its section)" : "")
                    .append(". That is one round; rounds ")
                    .append("repeat in fresh forks, the order reversed every other round. An implementation's figure in a ")
                    .append("round is the median of its turns; a ratio in a round is the median over cycles of the ratio of ")
                    .append("the two sides' turns in that cycle (next to each other in time), and the page gives the median of ")
                    .append("the rounds' ratios and their spread (min–max over rounds, so the JIT's and the heap's fork-to-fork ")
                    .append("differences show). A target is **met** only when the end of the spread least favourable ")
                    .append("to Satchel meets it, **missed** when even the most favourable end misses it, and *not decided* ")
                    .append("otherwise. Absolute figures are medians over rounds and move with the machine; read the ratios.\n\n");
            if (run.quick()) {
                md.append("**This is a quick run** (`benchmarks/run --quick`): one round, short iterations, 1 thread. It ")
                        .append("shows that everything runs and roughly where things stand; it judges no target.\n\n");
            }
            machine();
            targetsSection();
            hotPath();
            sessionIds();
            stores(REDIS, "Redis store next to raw Jedis and Spring Session Data Redis, same redis-server", "JEDIS_RAW",
                    "raw Jedis");
            stores(FILE, "File store (one JSON file per session) next to Tomcat's FileStore, same disk", "TOMCAT_FILE_STORE",
                    "Tomcat FileStore");
            if (!run.threadCounts(JDBC).isEmpty()) {
                md.append("## JDBC store (PostgreSQL) next to raw JDBC and Spring Session JDBC, same server\n\n")
                        .append(Reasons.JDBC).append("\n\n");
                for (String method : List.of("get", "put", "cycle")) {
                    for (int t : run.threadCounts(JDBC)) {
                        table(JDBC, method, t, "JDBC_RAW", "raw JDBC", "SPRING_SESSION", "× Spring Session JDBC", "µs/op", 0);
                    }
                }
            }
            md.append(EndToEndReport.section(run.e2e));
            if (run.dir != null) {
                try {
                    md.append(CachedWritesMeasurement.section(run.dir));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }
            writePressure();
            memory();
            commands();
            return md.toString();
        }

        private void machine() {
            JsonNode m = run.meta;
            md.append("## Machine, and its state during the run\n\n");
            md.append("| what | value |\n|---|---|\n");
            md.append("| CPU | ").append(m.path("cpu").asString("")).append(" |\n");
            md.append("| cores | ").append(m.path("cores").asInt()).append(" |\n");
            md.append("| memory | ").append(String.format(Locale.ROOT, "%.1f GiB", m.path("memoryBytes").asLong() / (1024.0 * 1024 * 1024)))
                    .append(" |\n");
            md.append("| JDK | ").append(jdk()).append(" |\n");
            md.append("| OS | ").append(m.path("os").asString("")).append(" |\n");
            md.append("| run | ").append(m.path("kind").asString("")).append(", ").append(m.path("rounds").asInt())
                    .append(m.path("rounds").asInt() == 1 ? " round" : " rounds").append(" for the targets' comparisons, ")
                    .append(Math.min(m.path("rounds").asInt(), m.path("contextRounds").asInt()))
                    .append(" for the rest; ").append(run.jmhForks().size()).append(" JMH forks; ").append(settings()).append(" |\n");
            md.append("| measuring time | ").append(minutes(m.path("measuringSeconds").asLong()))
                    .append(" (build and memory measurement not included; `benchmarks/run` prints the whole wall time) |\n");
            md.append("| load average at the start (1, 5, 15 min) | ").append(load(m.path("machineAtStart").path("load"))).append(" |\n");
            JsonNode before = m.path("machineBeforeStart");
            if (!before.isMissingNode()) {
                md.append(String.format(Locale.ROOT, "| CPU time in the %d s before the first fork | ", Machine.QUIET_CHECK_SECONDS))
                        .append(percent(before.get("idle"))).append(" idle, ").append(percent(before.get("steal")))
                        .append(" stolen, ").append(percent(before.get("others"))).append(" other processes |\n");
            }
            md.append("| load average at the end (this run's own load included) | ").append(load(m.path("machineAtEnd").path("load")))
                    .append(" |\n");
            JsonNode shares = m.path("machine");
            md.append("| CPU time over the run, all cores (`/proc/stat`) | ").append(percent(shares.get("idle"))).append(" idle, ")
                    .append(percent(shares.get("steal"))).append(" stolen by the hypervisor, ").append(percent(shares.get("ours")))
                    .append(" this run (forks, driver, its redis-server), ").append(percent(shares.get("others")))
                    .append(" other processes |\n");
            long disturbed = run.jmhForks().stream().filter(f -> Machine.disturbed(f.others, f.steal))
                    .count();
            md.append(String.format(Locale.ROOT, "| forks during which other processes took > %.0f %% of the CPU or steal was > %.0f %% | %d of %d |\n",
                    100 * Machine.DISTURBED_OTHERS, 100 * Machine.DISTURBED_STEAL, disturbed, run.jmhForks().size()));
            md.append("| other processes' share by round | ").append(byRound()).append(" |\n");
            List<String> why = disturbedBecause();
            md.append("| state | ").append(why.isEmpty() ? "quiet" : "**disturbed**: " + String.join("; ", why)).append(" |\n\n");
            if (!why.isEmpty()) {
                md.append("A disturbed run still gives ratios (both sides of each pair ran under the same disturbance), but ")
                        .append("wider spreads: more targets end *not decided*.\n\n");
            }
        }

        private List<String> disturbedBecause() {
            JsonNode m = run.meta;
            List<String> why = new ArrayList<>();
            double others = number(m.path("machine").get("others"));
            double steal = number(m.path("machine").get("steal"));
            double load = number(m.path("machineAtStart").path("load").get(0));
            int cores = Math.max(1, m.path("cores").asInt());
            if (others > Machine.DISTURBED_OTHERS) {
                why.add(String.format(Locale.ROOT, "other processes took %.0f %% of the CPU (over %.0f %%)", 100 * others,
                        100 * Machine.DISTURBED_OTHERS));
            }
            if (steal > Machine.DISTURBED_STEAL) {
                why.add(String.format(Locale.ROOT, "steal %.1f %% (over %.0f %%)", 100 * steal, 100 * Machine.DISTURBED_STEAL));
            }
            JsonNode before = m.path("machineBeforeStart");
            if (!before.isMissingNode()) {
                double othersBefore = number(before.get("others"));
                double stealBefore = number(before.get("steal"));
                if (Machine.disturbed(othersBefore, stealBefore)) {
                    why.add(String.format(Locale.ROOT, "busy at the start: other processes took %.0f %% of the CPU and steal %.1f %% "
                            + "in the %d s before the first fork", 100 * othersBefore, 100 * stealBefore, Machine.QUIET_CHECK_SECONDS));
                }
            } else if (load > Machine.DISTURBED_LOAD_PER_CORE * cores) {
                // A run recorded before the start was watched: only its load average can say.
                why.add(String.format(Locale.ROOT, "load average %.2f at the start (over %.1f for %d cores)", load,
                        Machine.DISTURBED_LOAD_PER_CORE * cores, cores));
            }
            return why;
        }

        private String byRound() {
            Map<Integer, List<ForkResult>> rounds = new TreeMap<>();
            for (ForkResult f : run.jmhForks()) {
                rounds.computeIfAbsent(f.round, r -> new ArrayList<>()).add(f);
            }
            List<String> parts = new ArrayList<>();
            rounds.forEach((r, forks) -> parts.add(String.format(Locale.ROOT, "%d: %.0f %%", r,
                    100 * forks.stream().mapToDouble(f -> f.others).filter(x -> !Double.isNaN(x)).average().orElse(Double.NaN))));
            return "mean over the round's forks — " + String.join(", ", parts);
        }

        private String settings() {
            Set<String> s = new LinkedHashSet<>();
            for (JsonNode c : run.meta.path("plan").values()) {
                JsonNode st = c.path("settings");
                String bench = c.path("variants").path(0).path("benchmark").asString("");
                s.add(bench.replace("Benchmark", "") + ": " + st.path("warmups").asInt() + " × " + st.path("warmupTime").asString()
                        + " warm-up, " + st.path("measurements").asInt() + " × " + st.path("measurementTime").asString() + " measured");
            }
            return "per implementation and round, " + String.join("; ", s) + "; `-prof gc`";
        }

        private String jdk() {
            return run.meta.path("jdk").asString("");
        }

        // ------------------------------------------------------------------ targets

        private void targetsSection() {
            List<Target> now = Report.targets(run, pressure);
            Map<String, Target> before = new LinkedHashMap<>();
            if (previous != null) {
                for (Target t : Report.targets(previous, pressure)) {
                    before.put(t.name, t);
                }
            }
            md.append("## Targets\n\n");
            md.append("The targets of the benchmark issue (6). Each ratio is the median over rounds, then its min–max, then ")
                    .append("how many rounds gave a pair; the medians of the absolute figures follow.\n\n");
            md.append("| target | measured | verdict |").append(previous == null ? "" : " previous run |").append('\n');
            md.append("|---|---|---|").append(previous == null ? "" : "---|").append('\n');
            int same = 0;
            List<String> differ = new ArrayList<>();
            for (Target t : now) {
                md.append("| ").append(t.name).append(" | ").append(t.measured).append(" | ").append(t.verdict.text).append(" |");
                if (previous != null) {
                    Target p = before.get(t.name);
                    md.append(' ').append(p == null ? "(not measured)" : p.verdict.text).append(" |");
                    if (p != null && p.verdict == t.verdict) {
                        same++;
                    } else {
                        differ.add(t.name);
                    }
                }
                md.append('\n');
            }
            for (String row : likeForLike()) {
                md.append(row).append('\n');
            }
            md.append('\n');
            if (previous != null) {
                md.append(String.format(Locale.ROOT, "**Against the previous run** (commit `%s`, finished %s): the same verdict on %d of %d targets",
                        previous.meta.path("commit").asString("unknown"), when(previous.meta.path("finished").asString("")), same,
                        now.size()));
                md.append(differ.isEmpty() ? ".\n\n" : "; different on " + String.join(", ", differ) + ".\n\n");
            }
            Set<String> explained = new LinkedHashSet<>();
            for (Target t : now) {
                if (t.verdict == Verdict.MISSED && !t.reason.isEmpty() && explained.add(t.reason)) {
                    md.append("**Why ").append(t.name.replaceAll(" \\(\\d+ threads?\\)$", "")).append(" is missed, and what would close it.** ")
                            .append(t.reason).append("\n\n");
                }
            }
            if (now.stream().anyMatch(t -> t.verdict == Verdict.NOT_DECIDED)) {
                md.append("*Not decided* means the spread of the ratio straddles the target: on this machine, in this run, ")
                        .append("the pairs do not say which side of it the truth is on. More rounds or a quieter machine narrow ")
                        .append("the spread; rounding the median into a verdict would not.\n\n");
            }
        }

        /** Lookup by id without the cookie against the peers: not a target, the like-for-like comparison. */
        private List<String> likeForLike() {
            List<String> rows = new ArrayList<>();
            for (int t : run.threadCounts(HOT)) {
                Map<Integer, ForkResult> byId = run.variant(HOT, "readOnly", t, "SATCHEL_CACHE_GET");
                Map<Integer, ForkResult> spring = run.variant(HOT, "readOnly", t, "SPRING_MAP_REPOSITORY");
                Map<Integer, ForkResult> tomcat = run.variant(HOT, "readOnly", t, "TOMCAT_STANDARD_MANAGER");
                if (byId.isEmpty() || spring.isEmpty() || tomcat.isEmpty()) {
                    continue;
                }
                rows.add("| like for like, lookup by id with no cookie (" + (t == 1 ? "1 thread" : t + " threads")
                        + "): `SATCHEL_CACHE_GET` against Spring `findById` and Tomcat | Spring ÷ Satchel "
                        + pairs(Spread.ofRatios(spring, byId, 1)) + "; Tomcat ÷ Satchel " + pairs(Spread.ofRatios(tomcat, byId, 1))
                        + " | (not a target) |" + (previous == null ? "" : " |"));
            }
            return rows;
        }

        // ------------------------------------------------------------------ tables

        private void hotPath() {
            if (run.threadCounts(HOT).isEmpty()) {
                return;
            }
            md.append("## Hot path: a cached session, 100,000 sessions, Zipf-distributed\n\n");
            md.append("`readOnly`: the lookup alone (`HttpSessions.open(cookieHeader)` for Satchel). `mixed`: a whole ")
                    .append("request, 10 % of them changing one attribute, ended as each framework ends it (Satchel ")
                    .append("`commit`; Spring `setLastAccessedTime` + `save`; Tomcat `endAccess`). Figures: median over the ")
                    .append("forks, then min–max; ratios: median of the per-round ratios, then min–max.\n\n");
            md.append(Reasons.HOT_PATH_WRITES).append("\n\n");
            for (int t : run.threadCounts(HOT)) {
                table(HOT, "readOnly", t, "FLOOR", "floor", "SATCHEL_OPEN", "this ÷ `open`", "ns/op", 0);
            }
            for (int t : run.threadCounts(HOT)) {
                table(HOT, "mixed", t, "FLOOR", "floor", "FLOOR_WRITE", "× writing floor", "ns/op", 0);
            }
            for (int t : run.threadCounts(HOT)) {
                table(HOT, "write", t, "FLOOR_WRITE", "writing floor", null, null, "ns/op", 0);
            }
        }

        private void sessionIds() {
            if (run.threadCounts(IDS).isEmpty()) {
                return;
            }
            md.append("## Session id generation (128 random bits)\n\n");
            for (int t : run.threadCounts(IDS)) {
                table(IDS, "newId", t, "SHARED_SECURE_RANDOM", "one shared SecureRandom", null, null, "ns/op", 1e9);
            }
        }

        private void stores(String benchmark, String title, String peer, String peerName) {
            if (run.threadCounts(benchmark).isEmpty()) {
                return;
            }
            md.append("## ").append(title).append("\n\n");
            for (String method : List.of("get", "put", "cycle")) {
                for (int t : run.threadCounts(benchmark)) {
                    table(benchmark, method, t, peer, peerName, null, null, "µs/op", 1e6);
                }
            }
        }

        /**
         * One table: every implementation of {@code benchmark.method} at {@code t} threads, its median figure and
         * min–max, B/op, and its ratio to {@code base} (and to {@code second}, when given) with spread;
         * {@code perSecond}, when not 0, adds operations per second over all threads.
         */
        private void table(String benchmark, String method, int t, String base, String baseName, String second,
                String secondName, String unit, double perSecond) {
            List<String> impls = run.impls(benchmark, method, t);
            if (impls.isEmpty()) {
                return;
            }
            Map<Integer, ForkResult> baseForks = run.variant(benchmark, method, t, base);
            Map<Integer, ForkResult> secondForks = second == null ? Map.of() : run.variant(benchmark, method, t, second);
            md.append("### `").append(method).append("`, ").append(t).append(t == 1 ? " thread" : " threads").append("\n\n");
            md.append("| implementation | ").append(unit).append(" | min–max | forks | B/op | × ").append(baseName).append(" |");
            if (!secondForks.isEmpty()) {
                md.append(' ').append(secondName).append(" |");
            }
            if (perSecond > 0) {
                md.append(" ops/s over all threads |");
            }
            md.append("\n|---|---:|---:|---:|---:|---:|").append(secondForks.isEmpty() ? "" : "---:|").append(perSecond > 0 ? "---:|" : "")
                    .append('\n');
            for (String impl : impls) {
                Map<Integer, ForkResult> forks = run.variant(benchmark, method, t, impl);
                Spread score = Spread.ofScores(forks);
                Spread alloc = Spread.ofAllocations(forks);
                md.append("| ").append(impl).append(" | ").append(num(score.median)).append(" | ")
                        .append(score.n == 1 ? "" : num(score.min) + "–" + num(score.max)).append(" | ").append(score.n).append(" | ")
                        .append(alloc == null ? "" : bytes(alloc.median)).append(" | ")
                        .append(ratioCell(forks, baseForks)).append(" |");
                if (!secondForks.isEmpty()) {
                    md.append(' ').append(impl.equals(second) ? "" : ratioCell(forks, secondForks)).append(" |");
                }
                if (perSecond > 0) {
                    md.append(' ').append(String.format(Locale.ROOT, "%,.0f", t * perSecond / score.median)).append(" |");
                }
                md.append('\n');
            }
            md.append('\n');
        }

        private static String ratioCell(Map<Integer, ForkResult> forks, Map<Integer, ForkResult> base) {
            if (base.isEmpty()) {
                return "";
            }
            Spread r = Spread.ofRatios(forks, base, 1);
            return r == null ? "" : r.ratioText();
        }

        private void writePressure() {
            md.append("## Write pressure: store writes per ").append(WritePressure.REQUESTS).append(" read-only requests\n\n");
            md.append("One session, ").append(WritePressure.REQUESTS).append(" requests that only read, a fixed gap apart, ")
                    .append("on a simulated clock (a count, not a time: exact, no spread); idle timeout 30 minutes, so ")
                    .append("Satchel's default touch interval is 3 minutes. Counted by `WritePressure` when the page is written.\n\n");
            md.append("| implementation | gap between requests | writes | touch intervals spanned | writes per touch interval |\n")
                    .append("|---|---:|---:|---:|---:|\n");
            for (WritePressure.Row r : pressure) {
                md.append("| ").append(r.implementation).append(" | ").append(r.gap.toSeconds()).append(" s | ").append(r.writes)
                        .append(" | ").append(String.format(Locale.ROOT, "%.1f", r.touchIntervals)).append(" | ")
                        .append(String.format(Locale.ROOT, "%.2f", r.writesPerTouchInterval())).append(" |\n");
            }
            md.append('\n');
        }

        private void memory() {
            JsonNode memory = run.memory;
            if (memory == null) {
                return;
            }
            md.append("## Memory: heap per cached session (typical 5-attribute session)\n\n");
            md.append("Measured by `MemoryFootprint` in its own JVM (serial collector): used heap after full collections, ")
                    .append("before and after ").append(String.format(Locale.ROOT, "%,d", memory.get("sessions").asInt()))
                    .append(" sessions, divided by their number (a heap count: it does not move with the machine's load). ")
                    .append("Up to commit `2739462` this count was wrong in two ways. (1) The peers were undercounted: they ")
                    .append("were measured after Satchel in the same JVM, and about 12.7 MB of Satchel's closed cache was ")
                    .append("still reachable for a while, so it sat in Spring's first reading and was gone from its second; ")
                    .append("Spring's `MapSession` read 581 B, but measured alone in a fresh JVM it holds 1,217 B, by the old ")
                    .append("reading and the new alike. (2) Satchel's own figure was bimodal (668 B, or 562 B in about one run ")
                    .append("in six): the empty container was sometimes read 2.1 MB high, held by another thread across two ")
                    .append("collections and dropped a moment later. A reading is now the least of several full collections, ")
                    .append("taken until three in a row agree, a few milliseconds apart; ten runs gave the same figures, ")
                    .append("and Spring's is the same measured first, after Tomcat or after Satchel. So the issue's own starting ")
                    .append("point (\"996 bytes against 575 for Spring's MapSession\") compared against an undercount too. ")
                    .append("The peers hold Java objects whose constant strings (roles, cart SKUs) are shared between ")
                    .append("sessions; Satchel holds each session's JSON text, packed in one array per record.\n\n");
            md.append("| what | heap bytes per session | stored JSON bytes | heap ÷ JSON |\n|---|---:|---:|---:|\n");
            for (JsonNode row : memory.get("rows").values()) {
                long heap = row.get("heapBytesPerSession").asLong();
                long json = row.get("storedJsonBytes").asLong();
                md.append("| ").append(row.get("implementation").asString()).append(" | ").append(String.format(Locale.ROOT, "%,d", heap))
                        .append(" | ").append(json < 0 ? "" : String.format(Locale.ROOT, "%,d", json)).append(" | ")
                        .append(json <= 0 ? "" : ratio((double) heap / json)).append(" |\n");
            }
            md.append('\n');
        }

        private void commands() {
            md.append("## Commands\n\n");
            md.append("From the repository root. The run:\n\n```\n").append(run.meta.path("command").asString("benchmarks/run"))
                    .append("\n```\n\n");
            Set<String> seen = new LinkedHashSet<>();
            for (ForkResult f : run.forks) {
                if (!f.command.isEmpty()) {
                    seen.add(f.command);
                }
            }
            md.append("Each fork, measured the same way by hand (one line per fork of a round; `forks.jsonl` has every fork's ")
                    .append("command, round, machine shares and JMH JSON, and for implementations that took turns, which ")
                    .append("measured iterations were whose):\n\n<details><summary>")
                    .append(seen.size()).append(" commands</summary>\n\n```\n");
            for (String c : seen) {
                md.append(c).append('\n');
            }
            md.append("```\n\n</details>\n\n");
            md.append("`B/op` is `gc.alloc.rate.norm`: bytes allocated per operation. JMH's error per fork is in the raw ")
                    .append("JSON; the spreads here are over forks and rounds, which is where this machine's noise shows.\n");
        }
    }

    // ------------------------------------------------------------------ formatting

    static double number(JsonNode n) {
        if (n == null || n.isMissingNode() || n.isNull()) {
            return Double.NaN;
        }
        if (n.isNumber()) {
            return n.asDouble();
        }
        try {
            return Double.parseDouble(n.asString());
        } catch (NumberFormatException e) {
            return Double.NaN;
        }
    }

    private static String when(String instant) {
        if (instant.isEmpty()) {
            return "(not finished)";
        }
        return Instant.parse(instant).atZone(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'"));
    }

    private static String minutes(long seconds) {
        return String.format(Locale.ROOT, "%d min %02d s", seconds / 60, seconds % 60);
    }

    private static String load(JsonNode load) {
        List<String> parts = new ArrayList<>();
        for (JsonNode v : load.values()) {
            parts.add(String.format(Locale.ROOT, "%.2f", number(v)));
        }
        return String.join(" ", parts);
    }

    private static String percent(JsonNode share) {
        double v = number(share);
        return Double.isNaN(v) ? "?" : String.format(Locale.ROOT, "%.0f %%", 100 * v);
    }

    static String num(double v) {
        if (Double.isNaN(v)) {
            return "";
        }
        return v >= 100 ? String.format(Locale.ROOT, "%,.0f", v) : String.format(Locale.ROOT, "%.2f", v);
    }

    private static String bytes(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%,.0f", v);
    }

    static String ratio(double r) {
        return String.format(Locale.ROOT, "%.2f", r);
    }

    /**
     * Why a target is missed and what would close it, from reading the measured code and the B/op figures;
     * printed only under a missed target.
     */
    static final class Reasons {
        static final String OPEN_VS_FLOOR = "`open` does the floor's work plus: a second validity check of the id "
                + "(`HttpSessions` checks the cookie's shape, `CachingSessionManager.lookup` the id again), a "
                + "per-thread lookup view, Caffeine's per-entry expiry (`expireAfter`; the floor's cache has none), the "
                + "`Session` working copy the contract requires, and key rotation (the floor knows one key). Both read "
                + "the same cold memory — a random one of 100,000 headers and its record's memoised digest — which is "
                + "most of either figure on this VM (compare `SATCHEL_CACHE_GET`, the lookup by an id the caller already "
                + "holds). What the profile showed (JFR execution samples): most of the gap was `HttpSessions` scanning "
                + "the `Cookie` header character by character for `=` and `;` through the other cookies and its own value; "
                + "it now finds each pair's end with `String.indexOf` and its name with `startsWith`, which took `open` from "
                + "1.18-1.27× to 1.05-1.07× the floor (`java -jar benchmarks/target/benchmarks.jar 'HotPathBenchmark.readOnly$' "
                + "-p impl=SATCHEL_OPEN+FLOOR -t 1 -f 3 -wi 24 -w 250ms -i 40 -r 250ms`, per-cycle ratios, before and after). "
                + "To close a remaining gap: drop the second id check on the internal path.";
        static final String OPEN_ALLOCATION = "The one allocation `open` needs is the `Session` working copy (24 B: a "
                + "view over the cached record, its changes made lazily). A miss here means something else allocates "
                + "on the path the JIT did not remove (see the B/op column of `SATCHEL_CACHE_GET`); "
                + "`CachingSessionManager`'s `LookupTest` pins the 24 B of a hit in a unit test.";
        static final String OPEN_VS_SPRING = "Spring's `findById` receives an id the servlet container already took "
                + "out of the request and verifies nothing; Satchel's `open` finds its cookie in the raw header and checks "
                + "its HMAC digest in constant time — the reads of a random header and of the record's digest are cold "
                + "cache lines, most of the difference on this VM. Like for like (a lookup by id and a private working "
                + "copy: `SATCHEL_CACHE_GET` against `SPRING_MAP_REPOSITORY`, in the rows below the issue's targets), "
                + "compare again. Closing the 2× on `open` would mean not reading the cookie or not verifying it, "
                + "which is the point of it; the issue's orientation figure for Spring (≈ 2.2 µs) did not reproduce here.";
        static final String OPEN_VS_TOMCAT = "Tomcat's figure is a `ConcurrentHashMap.get` and three timestamps: "
                + "its connector has already parsed the cookie (not counted), it validates nothing (the id is the whole "
                + "credential), it hands out the shared session object rather than a copy, and its map is unbounded, "
                + "so it pays no cache bookkeeping. Satchel's `open` parses the header, checks a signature in constant "
                + "time, reads a bounded, expiring cache and makes a private working copy. Like for like (lookup by id: "
                + "`SATCHEL_CACHE_GET`), see the rows below the issue's targets; the rest is the price of a bounded cache "
                + "(`CAFFEINE` against `CONCURRENT_HASH_MAP`) and of the copy.";
        static final String HOT_PATH_WRITES = "`FLOOR_WRITE` is the second floor (issue 17): `FLOOR`'s lookup, and "
                + "on a write only what any correct store must do — encode the one changed attribute, build the new "
                + "immutable record, one map write — where `FLOOR` re-puts the same record and encodes nothing; `mixed` is "
                + "judged against both. `write` is a request that changes one attribute every time: its B/op is what one "
                + "such request allocates. What the profile showed (JFR allocation samples of open, `put`, `commit` in a "
                + "loop; `-prof gc`): before issue 17 a one-attribute write allocated 2.1 KB in `commit` — the change "
                + "set's copies of the change maps, `TreeMap` rebuilds of the whole record in the size check (twice) and in "
                + "the merge — plus 0.7 KB in `put` (a Jackson generator per value), and the next `open` of that "
                + "session 0.9 KB more, because the new record had lost its memoised cookie digest and signed it again. "
                + "Now the change set takes the session's maps (copy on a later change), the merge writes the new record's "
                + "packed text straight from the old one's and the changed value, the size check adds the change to the "
                + "old record's bound, the digest memo carries over, and integers, booleans and plain ASCII strings are "
                + "written without a generator, and the change map starts at 4 slots: `write` allocates 948 B/op (`open` "
                + "24 B, `put` 224 B, `commit` 688 B in the loop; before: `put` 704 B, `commit` 2.1 KB, and 0.9 KB on the "
                + "next `open`), and `mixed` went from 391–396 to 117–123 B/op (`java -jar benchmarks/target/benchmarks.jar 'HotPathBenchmark.mixed$' "
                + "-p impl=SATCHEL_OPEN -t 1 -f 1 -wi 3 -w 1s -i 3 -r 1s -prof gc`).";
        static final String MIXED_VS_FLOOR = "`FLOOR` does not do a write's work at all (it re-puts the record it "
                + "found); a correct write encodes a value and builds a record, so compare with `FLOOR_WRITE` too. Satchel's "
                + "write adds to that the change set, the merge rules (a concurrent request's attributes kept), the size "
                + "check, expiry and the cache's write bookkeeping (two Caffeine `compute`s) — see the B/op columns.";
        static final String MIXED_VS_WRITING_FLOOR = "Over `FLOOR_WRITE`, Satchel's write adds the `ChangeSet`, the "
                + "merge rules, the size check, the parent store's own map write (the cache sits over an in-memory store, "
                + "so a write is two map writes) and the cache's bookkeeping; on the 90 % of requests that only read, it "
                + "adds what `readOnly`'s table shows. What the profile showed (JFR execution samples of `write`, where "
                + "every request writes: 3.4 µs against the writing floor's 1.25 µs, one fork taking turns): the write's "
                + "time goes to memory the floor never touches — the parent store's own map (`computeIfPresent`, 18 % of "
                + "the samples: reads are served by the cache, so that map's nodes are cold), Caffeine's `compute` of the "
                + "new entry (12 %), the size check's walk over the record's text (10 %, the first touch of that text in "
                + "the request), the merge (7 %). Counting the text's UTF-8 bytes in one pass instead of value by value "
                + "did not move it (the cost is the cache miss), so it was not kept. To close a gap: write the cache and "
                + "the store in one step, which an in-memory parent allows and a real one (files, Redis) does not.";
        static final String WRITE_ALLOCATION = "A one-attribute write allocates the new record (one object and one "
                + "array: the packed text), the `ChangeSet`, the `Session`'s change map and the value's JSON `String`; "
                + "anything above 1 KB is Caffeine's write bookkeeping or a value Jackson writes (not an integer, "
                + "boolean or plain ASCII string).";
        static final String MEMORY = "A cached session is its record (one object, and one array packing the randval "
                + "and every attribute's JSON text with their offsets; attribute-name arrays shared between records), the "
                + "id, the memoised cookie digest (a 43-byte array and its holder), the cache entry (`CachedRecord`), "
                + "Caffeine's node and its `ConcurrentHashMap` node, and the cache's frequency sketch, which Caffeine "
                + "allocates once the cache is half full (as it is here: 20,000 sessions, maximum 40,000). Before issue 17 "
                + "the record held one `String` per value and one for the randval: 996 B per session against Spring's 567 B "
                + "in one JVM. Packing the texts took it to 692 B, a single signing key's digest memo without its array "
                + "to 668 B (Spring 582 B in that JVM; `java -XX:+UseSerialGC -Xmx1g -cp benchmarks/target/benchmarks.jar "
                + "dev.satchel.benchmarks.MemoryFootprint memory.json 20000`). Spring's `MapSession` holds the peers' Java "
                + "objects, whose constant strings (roles, SKUs) every session shares. What is left is about 90 B: the "
                + "`CachedRecord` (32 B: let Caffeine's node carry the entry's deadline) and the digest memo's holder "
                + "(24 B) are the next cuts; the JSON text itself (about 180 B for this session) stays, as issue 17 asks.";
        static final String JDBC = "Each fork starts a PostgreSQL of its own (`fsync` on, `synchronous_commit` off, so a commit "
                + "does not wait for this VM's shared disk) with a HikariCP pool of 4 and 2,000 stored sessions. `SATCHEL` is "
                + "`JdbcSessionManager`: `get` is one `SELECT` by id and the decoding, `put` one merging `UPDATE … RETURNING` "
                + "of the changed attribute. `JDBC_RAW` sends the same statements through the same pool with nothing around "
                + "them. `SPRING_SESSION` is Spring Session JDBC's `JdbcIndexedSessionRepository` as Spring Boot sets it up "
                + "(two tables, a row per attribute, values in JDK serialization, its default): `findById`; `save` after "
                + "setting the last access time and one attribute. Context, not a target: the last column is Satchel's "
                + "time over Spring's (below 1 is faster).";
        static final String REDIS_GET = "`get` is `HGETALL` plus `SessionHash.decode`, then the `Optional` and the "
                + "`Session`; raw Jedis returns the `HashMap` undecoded. Issue 17's profile (`-prof gc`, JFR allocation "
                + "samples) put most of the decoding's garbage in a new Jackson parser per attribute value: values in "
                + "compact form are now checked by one allocation-free scan (`SessionCodec.checkedStoredValue`, Jackson "
                + "only for what the scan cannot vouch for) and the record is built straight from the reply, which took "
                + "Satchel's allocation over raw Jedis from about 4,200 to about 1,000 B/op (the B/op column). What is "
                + "left: a `substring` per field name (the `a:` prefix), the record's packed array, the `Optional` and "
                + "the `Session`, and the client's share of a round trip that, pinned to the server's own CPU, competes "
                + "with `redis-server` for it. To close it: strip the field prefix without a copy and hand the record "
                + "out without the `Optional`.";
        static final String REDIS_PUT = "Counted with `INFO commandstats` (one fork of each on a `redis-server` of its "
                + "own): Satchel's `put` sends exactly what raw Jedis sends, one `EVALSHA` of the same `apply.lua` per "
                + "operation (whose `PUBLISH` both pay), and the server spends the same 20-22 µs in each call. Unpinned, "
                + "one fork each, Satchel's `put` took 89 µs against raw Jedis's 102; pinned to the server's CPU as here, "
                + "107 against 86. So the gap in this table is Satchel's client CPU (the change set, the size check, the "
                + "merged record: about 1 KB more per operation, the B/op column) competing with `redis-server` for the "
                + "one CPU both are pinned to, magnified by how that CPU is shared; it is not an extra round trip. Issue "
                + "17's profile put the client's share in the size check (two records built); it is now computed from the "
                + "change alone (`SessionCodec.encodedLengthBound(base, changes)`). To close the rest: cut what the client "
                + "builds per write (the change set's arrays, the script's arguments, the merged record).";
        static final String REDIS_VS_SPRING = "Both sides wait for one loopback round trip per call, and the slower "
                + "the round trip on this shared VM, the closer any ratio gets to 1. Satchel's own share is what the "
                + "raw-Jedis rows above measure; Spring's extra cost (JDK serialization of every value, Lettuce's "
                + "asynchronous pipeline behind a synchronous call) is what this ratio measures.";
        static final String ID_SCALING = "Each `SessionIds` stripe is a DRBG instance; two threads should get two "
                + "stripes (picked by thread id). If two threads do not give more ids per second than one, the two "
                + "threads landed on one stripe or the machine had no free core during the run (see the other "
                + "processes' share above).";

        private Reasons() {}
    }
}
