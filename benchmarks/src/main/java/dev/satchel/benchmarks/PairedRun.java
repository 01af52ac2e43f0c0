package dev.satchel.benchmarks;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.openjdk.jmh.profile.GCProfiler;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatFactory;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs a {@link Plan} through JMH, one fork at a time, round after round, and keeps every fork's JMH JSON
 * with the machine's state around it, for {@link Report}. {@code benchmarks/run} calls it:
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.satchel.benchmarks.PairedRun --out DIR --logs DIR --kind full|quick
 *      [--rounds N] [--commit TEXT] [--command TEXT] [--redis-pid PID] [--pin-cpu CPU]
 * </pre>
 * It writes {@code DIR/forks.jsonl} (one line per fork: round, variant, the equivalent command line, the
 * machine's shares during the fork, and JMH's JSON for it, unchanged) as it goes, and {@code DIR/run.json}
 * (the plan, the machine, and its state over the whole run) at the start and again at the end. JMH's own
 * log of each fork goes to the {@code --logs} folder. The system properties {@code satchel.bench.redis} and
 * {@code satchel.bench.dir} given to this JVM are handed to every fork; nothing else of this JVM is.
 *
 * <p>With {@code --pin-cpu}, the forks of a comparison whose settings say {@code pinned} get
 * {@code -Dsatchel.bench.pinCpu} and pin themselves to that CPU (where the run script pinned
 * {@code redis-server}) once their setup is done ({@link CpuPin}). Every fork gets {@code -XX:+UseG1GC}
 * (the default on two CPUs), so a pinned fork keeps the collector the others use.
 */
public final class PairedRun {

    static final ObjectMapper JSON = JsonMapper.builder().build();
    private static final String PACKAGE = "dev.satchel.benchmarks.";

    private PairedRun() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> a = options(args);
        Path out = Paths.get(required(a, "out"));
        Path logs = Paths.get(required(a, "logs"));
        String kind = required(a, "kind");
        Plan plan = switch (kind) {
            case "full" -> Plan.full(a.containsKey("rounds") ? Integer.parseInt(a.get("rounds")) : Plan.FULL_ROUNDS);
            case "quick" -> Plan.quick();
            default -> throw new IllegalArgumentException("--kind is full or quick, not " + kind);
        };
        long redisPid = a.containsKey("redis-pid") ? Long.parseLong(a.get("redis-pid")) : 0;
        String pinCpu = a.get("pin-cpu");
        Files.createDirectories(out);
        Files.createDirectories(logs);
        Path forksFile = out.resolve("forks.jsonl");
        Files.deleteIfExists(forksFile);

        List<String> forwarded = new ArrayList<>();
        forwarded.add("-XX:+UseG1GC");
        for (String p : new String[] {RedisProcess.ADDRESS_PROPERTY, Scratch.DIR_PROPERTY}) {
            String v = System.getProperty(p);
            if (v != null && !v.isEmpty()) {
                forwarded.add("-D" + p + "=" + v);
            }
        }

        Map<String, Object> run = new LinkedHashMap<>();
        run.put("kind", plan.kind);
        run.put("rounds", plan.rounds);
        run.put("contextRounds", plan.contextRounds);
        run.put("commit", a.getOrDefault("commit", "unknown"));
        run.put("command", a.getOrDefault("command", "(not recorded)"));
        run.put("folder", out.toString());
        run.put("jdk", System.getProperty("java.vm.name") + " " + System.getProperty("java.version") + " ("
                + System.getProperty("java.vm.version") + ")");
        run.put("cores", Runtime.getRuntime().availableProcessors());
        run.put("cpu", cpuModel());
        run.put("memoryBytes", ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
                .getTotalMemorySize());
        run.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        run.put("pinnedCpu", pinCpu == null ? "none" : pinCpu);
        run.put("plannedForks", plan.forks());
        run.put("plan", planMap(plan));
        // What else runs on the machine just before the first fork: the load average cannot say (it still holds the
        // last minute, a run just finished included), the CPU counters over a few seconds can.
        run.put("machineBeforeStart", Machine.sample(redisPid, Machine.QUIET_CHECK_SECONDS).toMap());
        Instant started = Instant.now();
        Machine.Snapshot first = Machine.now(redisPid);
        run.put("started", started.toString());
        run.put("machineAtStart", first.toMap());
        writeRun(out, run);

        int done = 0;
        int total = plan.forks();
        for (int round = 1; round <= plan.rounds; round++) {
            for (Plan.Comparison c : plan.comparisons) {
                if (round > plan.roundsOf(c)) {
                    continue;
                }
                List<List<Plan.Variant>> units = new ArrayList<>();
                if (c.interleaved()) {
                    units.add(c.order(round));
                } else {
                    for (Plan.Variant v : c.order(round)) {
                        units.add(List.of(v));
                    }
                }
                for (List<Plan.Variant> unit : units) {
                    done++;
                    Plan.Variant v = unit.get(0);
                    Plan.Settings s = perFork(c.settings(), unit.size());
                    String impls = implSpec(unit);
                    Path log = logs.resolve(String.format(Locale.ROOT, "r%d-%s.%s-%dt-%s.log", round, v.benchmark(), v.method(),
                            v.threads(), impls));
                    boolean pin = pinCpu != null && c.settings().pinned();
                    List<String> jvmArgs = new ArrayList<>(forwarded);
                    if (pin) {
                        jvmArgs.add("-D" + CpuPin.PROPERTY + "=" + pinCpu);
                    }
                    Machine.Snapshot before = Machine.now(redisPid);
                    Instant forkStart = Instant.now();
                    String jmhJson;
                    int attempts = 1;
                    try {
                        jmhJson = fork(v, impls, s, jvmArgs, log);
                    } catch (IllegalStateException e) {
                        // One failed fork (a starved server timing out) does not throw away a half-hour run:
                        // it runs once more, and the record says so; a second failure ends the run.
                        System.out.println("PairedRun: " + e.getMessage() + "; running it once more");
                        Files.move(log, logs.resolve(log.getFileName() + ".failed"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                        before = Machine.now(redisPid);
                        forkStart = Instant.now();
                        attempts = 2;
                        jmhJson = fork(v, impls, s, jvmArgs, log);
                    }
                    Machine.Snapshot after = Machine.now(redisPid);
                    Machine.Shares shares = before.until(after);
                    JsonNode jmh = JSON.readTree(jmhJson);
                    double seconds = Duration.between(forkStart, Instant.now()).toMillis() / 1000.0;

                    // One line per implementation; in an interleaved fork each names the measured iterations that
                    // were its turns ("slots"), and all carry the fork's JMH JSON unchanged.
                    StringBuilder scores = new StringBuilder();
                    for (int i = 0; i < unit.size(); i++) {
                        Plan.Variant u = unit.get(i);
                        Map<String, Object> record = new LinkedHashMap<>();
                        record.put("round", round);
                        record.put("fork", done);
                        record.put("comparison", c.name());
                        record.put("judged", c.judged());
                        record.put("benchmark", u.benchmark());
                        record.put("method", u.method());
                        record.put("threads", u.threads());
                        record.put("impl", u.impl());
                        if (unit.size() > 1) {
                            record.put("interleaved", impls);
                            record.put("slots", Interleaving.slots(i, unit.size(), s.warmups(), s.measurements()));
                        }
                        record.put("cpus", pin ? pinCpu : "all");
                        record.put("attempts", attempts);
                        record.put("command", command(v, impls, s, pin ? pinCpu : null));
                        record.put("started", forkStart.toString());
                        record.put("seconds", seconds);
                        record.put("loadBefore", before.load);
                        record.put("loadAfter", after.load);
                        record.put("machine", shares.toMap());
                        record.put("jmh", jmh);
                        String line = JSON.writeValueAsString(record);
                        Files.writeString(forksFile, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                                StandardOpenOption.APPEND);
                        Report.ForkResult r = Report.ForkResult.of(JSON.readTree(line));
                        scores.append(String.format(Locale.ROOT, " %s %.4g %s", u.impl(), r.score, r.unit));
                    }
                    long elapsed = Duration.between(started, Instant.now()).toSeconds();
                    System.out.printf(Locale.ROOT, "PairedRun: round %d/%d, fork %d/%d, %s %s %dt:%s "
                                    + "(others %.0f %%, steal %.0f %%), %d:%02d elapsed, about %d min left%n",
                            round, plan.rounds, done, total, v.benchmark(), v.method(), v.threads(), scores, 100 * shares.others,
                            100 * shares.steal, elapsed / 60, elapsed % 60, Math.round((double) elapsed / done * (total - done) / 60));
                }
            }
        }
        Machine.Snapshot last = Machine.now(redisPid);
        Instant finished = Instant.now();
        run.put("finished", finished.toString());
        run.put("measuringSeconds", Duration.between(started, finished).toSeconds());
        run.put("machineAtEnd", last.toMap());
        run.put("machine", first.until(last).toMap());
        writeRun(out, run);
    }

    /** The implementations of {@code unit} as the benchmarks' {@code impl} parameter takes them. */
    static String implSpec(List<Plan.Variant> unit) {
        StringBuilder b = new StringBuilder();
        for (Plan.Variant u : unit) {
            b.append(b.length() == 0 ? "" : Interleaving.SEPARATOR).append(u.impl());
        }
        return b.toString();
    }

    /** The JMH settings of one fork of {@code implementations} that take turns: per-implementation counts multiplied. */
    static Plan.Settings perFork(Plan.Settings s, int implementations) {
        return new Plan.Settings(s.warmups() * implementations, s.warmupTime(), s.measurements() * implementations,
                s.measurementTime(), s.params(), s.pinned());
    }

    /** One JMH fork of {@code v}'s benchmark method and threads for {@code impls}; returns JMH's JSON for it. */
    private static String fork(Plan.Variant v, String impls, Plan.Settings s, List<String> jvmArgs, Path log) throws IOException {
        ChainedOptionsBuilder o = new OptionsBuilder()
                .include("^" + Pattern.quote(PACKAGE + v.benchmark() + "." + v.method()) + "$")
                .param("impl", impls)
                .threads(v.threads())
                .forks(1)
                .warmupIterations(s.warmups())
                .warmupTime(TimeValue.fromString(s.warmupTime()))
                .measurementIterations(s.measurements())
                .measurementTime(TimeValue.fromString(s.measurementTime()))
                .addProfiler(GCProfiler.class)
                .jvmArgs(jvmArgs.toArray(new String[0]))
                .shouldFailOnError(true)
                .output(log.toString());
        s.params().forEach(o::param);
        Collection<RunResult> results;
        try {
            results = new Runner(o.build()).run();
        } catch (RunnerException e) {
            throw new IllegalStateException(v.benchmark() + "." + v.method() + " " + impls + " failed; JMH's log: " + log, e);
        }
        if (results.size() != 1) {
            throw new IllegalStateException(v.benchmark() + "." + v.method() + " " + impls + ": expected one result, JMH gave "
                    + results.size() + "; log: " + log);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (PrintStream ps = new PrintStream(bytes, true, StandardCharsets.UTF_8)) {
            ResultFormatFactory.getInstance(ResultFormatType.JSON, ps).writeOut(results);
        }
        return bytes.toString(StandardCharsets.UTF_8);
    }

    /**
     * The command line that measures {@code v} the same way, by hand, from the repository root ({@code pinCpu}:
     * the CPU a Redis fork pins itself to, or null).
     */
    static String command(Plan.Variant v, String impls, Plan.Settings s, String pinCpu) {
        StringBuilder b = new StringBuilder("java ");
        if (v.benchmark().equals("FileStoreBenchmark")) {
            b.append("-Dsatchel.bench.dir=benchmarks/target/bench-data ");
        }
        if (pinCpu != null) {
            b.append("-D").append(CpuPin.PROPERTY).append('=').append(pinCpu).append(' ');
        }
        b.append("-jar benchmarks/target/benchmarks.jar '")
                .append(v.benchmark()).append('.').append(v.method()).append("$' -p impl=").append(impls);
        s.params().forEach((k, val) -> b.append(" -p ").append(k).append('=').append(val));
        b.append(" -t ").append(v.threads()).append(" -f 1 -wi ").append(s.warmups()).append(" -w ").append(s.warmupTime())
                .append(" -i ").append(s.measurements()).append(" -r ").append(s.measurementTime()).append(" -prof gc");
        return b.toString();
    }

    private static List<Map<String, Object>> planMap(Plan plan) {
        List<Map<String, Object>> list = new ArrayList<>();
        for (Plan.Comparison c : plan.comparisons) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", c.name());
            m.put("judged", c.judged());
            m.put("rounds", plan.roundsOf(c));
            m.put("settings", c.settings());
            m.put("variants", c.variants());
            list.add(m);
        }
        return list;
    }

    private static void writeRun(Path out, Map<String, Object> run) throws IOException {
        Files.writeString(out.resolve("run.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(run) + "\n");
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < args.length; i += 2) {
            if (!args[i].startsWith("--") || i + 1 >= args.length) {
                throw new IllegalArgumentException("expected --name value pairs, got: " + String.join(" ", args));
            }
            m.put(args[i].substring(2), args[i + 1]);
        }
        return m;
    }

    private static String required(Map<String, String> a, String name) {
        String v = a.get(name);
        if (v == null) {
            throw new IllegalArgumentException("--" + name + " is required");
        }
        return v;
    }

    static String cpuModel() {
        try {
            for (String line : Files.readAllLines(Paths.get("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    return line.substring(line.indexOf(':') + 1).strip();
                }
            }
        } catch (IOException e) {
            // not Linux: fall through
        }
        return System.getProperty("os.arch");
    }
}
