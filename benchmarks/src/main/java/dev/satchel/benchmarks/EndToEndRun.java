package dev.satchel.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

/**
 * The end-to-end benchmark (issue 17): {@link EndToEndApp} on embedded Tomcat 11, driven by {@code wrk} over
 * loopback with a fixed number of connections, for each filter ({@link EndToEndApp.Impl}) and each mix
 * (read-only; every tenth request writing). The three applications of a round run side by side, each in a
 * JVM of its own, and take turns under load the way {@link Interleaving} has JMH's implementations take turns:
 * short {@code wrk} runs, forward then backward ({@code A B C C B A ...}), so a busy moment of this shared
 * machine falls on all three alike and {@code Report} takes each ratio cycle by cycle. Rounds repeat with
 * fresh JVMs, the order reversed every other round.
 *
 * <pre>
 * java -Dsatchel.bench.redis=127.0.0.1:PORT -cp benchmarks/target/benchmarks.jar dev.satchel.benchmarks.EndToEndRun \
 *      --out DIR --logs DIR --kind full|quick [--redis-pid PID]
 * </pre>
 * Without {@code -Dsatchel.bench.redis} it starts (and stops) its own {@code redis-server}. A round: start
 * the three applications on free loopback ports, establish the settings' sessions (1,000) in each (one
 * {@code /login} each, cookies kept), warm each up, then per mix a short warm-up of each and the measured
 * turns. The raw output of every measured {@code wrk} run goes to {@code DIR/e2e/}, one line per turn (with
 * the machine's shares during it) to {@code DIR/e2e.jsonl}, the settings and times to {@code DIR/e2e.json};
 * the applications' logs, the cookies and the warm-up output to the {@code --logs} folder.
 */
public final class EndToEndRun {

    /** Mixes of requests: the {@code WRITE_EVERY} argument of the wrk script. */
    enum Mix {
        READ_ONLY(0), WRITE_10(10);

        final int writeEvery;

        Mix(int writeEvery) {
            this.writeEvery = writeEvery;
        }
    }

    /**
     * How one run measures: {@code warmupSeconds} of read-only load on each application once its sessions are
     * established, {@code mixWarmupSeconds} of each mix before its turns, then {@code cycles} cycles of one
     * {@code turnSeconds} turn per application.
     */
    record Settings(int rounds, int warmupSeconds, int mixWarmupSeconds, int turnSeconds, int cycles, int threads, int connections,
            int sessions) {}

    /**
     * Full run: 3 rounds (the fewest that give a verdict) × 2 mixes × 3 applications × 7 cycles of 1 s turns,
     * about 5 minutes with the JVMs' starts (7 cycles, not 5 as up to commit {@code 96dd4e4}: one cycle's
     * no-session ÷ Satchel ratio ran from 0.72 to 2.29 within a round, so a median of 5 still moved with two).
     * The warm-up is long because Satchel's app is the slowest to settle: over Redis with 1,000 sessions it
     * served 5.5k, 10k, 15-27k, then 30k requests/s in consecutive 3 s runs (the no-session app 10k, 20-25k,
     * then 25-33k), so 8 s each, then 2 s per mix.
     */
    static final Settings FULL = new Settings(3, 8, 2, 1, 7, 1, 16, 1000);
    /** Smoke, about a minute: one round, 200 sessions, 1 s warm-ups, two cycles of 1 s turns. */
    static final Settings QUICK = new Settings(1, 1, 1, 1, 2, 1, 16, 200);
    static final String RESULT_PREFIX = "E2E-RESULT ";
    /** See {@link #settle}. */
    static final long SETTLE_WINDOW_MILLIS = 100;
    static final long SETTLED_TICKS = 1;
    static final long SETTLE_LIMIT_MILLIS = 3000;
    static final int LOGIN_CLIENTS = 8;

    private EndToEndRun() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> a = new LinkedHashMap<>();
        for (int i = 0; i + 1 < args.length; i += 2) {
            a.put(args[i].replaceFirst("^--", ""), args[i + 1]);
        }
        Path out = Paths.get(Optional.ofNullable(a.get("out")).orElseThrow(() -> new IllegalArgumentException("--out is required")));
        Path logs = Paths.get(a.getOrDefault("logs", out.resolve("logs").toString()));
        String kind = a.getOrDefault("kind", "full");
        Settings s = switch (kind) {
            case "full" -> FULL;
            case "quick" -> QUICK;
            default -> throw new IllegalArgumentException("--kind is full or quick, not " + kind);
        };
        long redisPid = Long.parseLong(a.getOrDefault("redis-pid", "0"));
        Path jar = Paths.get(a.getOrDefault("jar", "benchmarks/target/benchmarks.jar"));
        try (RedisProcess redis = RedisProcess.obtain()) {
            run(s, kind, out, logs, redis, redisPid, jar);
        }
    }

    static void run(Settings s, String kind, Path out, Path logs, RedisProcess redis, long redisPid, Path jar) throws Exception {
        Path raw = out.resolve("e2e");
        Files.createDirectories(raw);
        Files.createDirectories(logs);
        Path script = raw.resolve("requests.lua");
        try (InputStream in = EndToEndRun.class.getResourceAsStream("e2e-requests.lua")) {
            Files.write(script, in.readAllBytes());
        }
        Path lines = out.resolve("e2e.jsonl");
        Files.deleteIfExists(lines);
        Map<String, Object> meta = new LinkedHashMap<>();
        meta.put("kind", kind);
        meta.put("settings", s);
        meta.put("loadGenerator", wrkVersion());
        Map<String, Object> settle = new LinkedHashMap<>();
        settle.put("windowMillis", SETTLE_WINDOW_MILLIS);
        settle.put("ticks", SETTLED_TICKS);
        settle.put("limitMillis", SETTLE_LIMIT_MILLIS);
        meta.put("settle", settle);
        meta.put("started", Instant.now().toString());
        Instant started = Instant.now();
        Machine.Snapshot first = Machine.now(redisPid);
        writeMeta(out, meta);

        List<EndToEndApp.Impl> impls = List.of(EndToEndApp.Impl.values());
        int total = s.rounds() * Mix.values().length * impls.size() * s.cycles();
        int done = 0;
        for (int round = 1; round <= s.rounds(); round++) {
            List<EndToEndApp.Impl> order = new ArrayList<>(impls);
            if (round % 2 == 0) {
                Collections.reverse(order);
            }
            List<EndToEndApp.Impl> backward = new ArrayList<>(order);
            Collections.reverse(backward);
            redis.flush();
            Map<EndToEndApp.Impl, RunningApp> apps = new LinkedHashMap<>();
            try {
                for (EndToEndApp.Impl impl : order) {
                    apps.put(impl, RunningApp.start(s, round, impl, logs, redis, jar));
                }
                for (EndToEndApp.Impl impl : order) {
                    RunningApp app = apps.get(impl);
                    warmUp(s, s.warmupSeconds(), app, Mix.READ_ONLY, logs, script, "r" + round + "-" + impl);
                }
                for (Mix mix : Mix.values()) {
                    for (EndToEndApp.Impl impl : order) {
                        warmUp(s, s.mixWarmupSeconds(), apps.get(impl), mix, logs, script, "r" + round + "-" + mix + "-" + impl);
                    }
                    for (int cycle = 1; cycle <= s.cycles(); cycle++) {
                        for (EndToEndApp.Impl impl : cycle % 2 == 1 ? order : backward) {
                            done++;
                            String name = String.format(Locale.ROOT, "r%d-%s-%s-c%d", round, mix, impl, cycle);
                            long settled = settle(apps.values(), redisPid);
                            Map<String, Object> record = measure(s, round, cycle, mix, apps.get(impl), name, raw, script, redisPid);
                            record.put("settleMillis", settled);
                            Files.writeString(lines, PairedRun.JSON.writeValueAsString(record) + "\n", StandardCharsets.UTF_8,
                                    StandardOpenOption.CREATE, StandardOpenOption.APPEND);
                            long elapsed = Duration.between(started, Instant.now()).toSeconds();
                            System.out.printf(Locale.ROOT, "EndToEndRun: %d/%d round %d %s cycle %d %s: %s req/s, p50 %s µs, p99 %s µs, "
                                    + "%d:%02d elapsed%n", done, total, round, mix, cycle, impl, record.get("requestsPerSecond"),
                                    record.get("p50Micros"), record.get("p99Micros"), elapsed / 60, elapsed % 60);
                        }
                    }
                }
            } finally {
                for (RunningApp app : apps.values()) {
                    app.stop();
                }
            }
        }
        Machine.Snapshot last = Machine.now(redisPid);
        meta.put("finished", Instant.now().toString());
        meta.put("seconds", Duration.between(started, Instant.now()).toSeconds());
        meta.put("machine", first.until(last).toMap());
        writeMeta(out, meta);
    }

    /** One application's JVM, listening, its sessions established. */
    private record RunningApp(EndToEndApp.Impl impl, Process process, int port, Path cookies) {

        static RunningApp start(Settings s, int round, EndToEndApp.Impl impl, Path logs, RedisProcess redis, Path jar) throws Exception {
            int port = freePort();
            String name = "e2e-r" + round + "-" + impl;
            Path appLog = logs.resolve(name + "-app.log");
            Process process = new ProcessBuilder("java", "-Xms512m", "-Xmx512m", "-XX:+UseG1GC", "-cp", jar.toString(),
                    EndToEndApp.class.getName(), impl.name(), Integer.toString(port), redis.host() + ":" + redis.port())
                    .redirectErrorStream(true).redirectOutput(appLog.toFile()).start();
            try {
                awaitReady(process, appLog);
                Path cookies = logs.resolve(name + "-cookies.txt");
                Files.write(cookies, establish(port, s.sessions(), impl), StandardCharsets.US_ASCII);
                return new RunningApp(impl, process, port, cookies);
            } catch (Exception | Error e) {
                EndToEndRun.stop(process);
                throw e;
            }
        }

        void stop() throws InterruptedException {
            EndToEndRun.stop(process);
        }
    }

    private static void warmUp(Settings s, int seconds, RunningApp app, Mix mix, Path logs, Path script, String name) throws Exception {
        if (seconds > 0) {
            List<String> warm = wrk(s, seconds, app.port(), script, app.cookies(), mix);
            Files.writeString(logs.resolve("e2e-" + name + "-warmup.txt"), run(warm), StandardCharsets.UTF_8);
        }
    }

    /**
     * Waits until the applications and Redis have gone quiet after the previous turn: until together they used at
     * most {@value #SETTLED_TICKS} clock tick of CPU in a {@value #SETTLE_WINDOW_MILLIS} ms window, or for at most
     * {@value #SETTLE_LIMIT_MILLIS} ms (a turn that starts unsettled shows it in its machine shares). Returns the
     * milliseconds waited. Why: without it, a turn right after Spring Session's found other processes taking 6-12 %
     * of the CPU on average (up to 37 %) against 1 % after a turn of its own app — the app just measured still
     * compiling and collecting — and in {@code A B C C B A} order that lands on Satchel's app and the no-session app
     * by turns, so it widens the spread of their ratio rather than shifting it.
     */
    private static long settle(Collection<RunningApp> apps, long redisPid) throws InterruptedException {
        List<Path> stats = new ArrayList<>();
        for (RunningApp app : apps) {
            stats.add(Paths.get("/proc/" + app.process().pid() + "/stat"));
        }
        if (redisPid > 0) {
            stats.add(Paths.get("/proc/" + redisPid + "/stat"));
        }
        long start = System.nanoTime();
        long before = ticks(stats);
        while (true) {
            Thread.sleep(SETTLE_WINDOW_MILLIS);
            long now = ticks(stats);
            long waited = (System.nanoTime() - start) / 1_000_000;
            if (now - before <= SETTLED_TICKS || waited >= SETTLE_LIMIT_MILLIS) {
                return waited;
            }
            before = now;
        }
    }

    private static long ticks(List<Path> stats) {
        long sum = 0;
        for (Path p : stats) {
            sum += Machine.processTicks(p, false);
        }
        return sum;
    }

    /** One measured turn of {@code app}: a {@code wrk} run of the settings' turn length. */
    private static Map<String, Object> measure(Settings s, int round, int cycle, Mix mix, RunningApp app, String name, Path raw,
            Path script, long redisPid) throws Exception {
        List<String> cmd = wrk(s, s.turnSeconds(), app.port(), script, app.cookies(), mix);
        Machine.Snapshot before = Machine.now(redisPid);
        long appBefore = Machine.processTicks(Paths.get("/proc/" + app.process().pid() + "/stat"), false);
        Instant start = Instant.now();
        String output = run(cmd);
        long appAfter = Machine.processTicks(Paths.get("/proc/" + app.process().pid() + "/stat"), false);
        Machine.Snapshot after = Machine.now(redisPid);
        Path rawFile = raw.resolve(name + ".txt");
        Files.writeString(rawFile, output, StandardCharsets.UTF_8);
        WrkResult r = WrkResult.parse(output);
        if (r.statusErrors > 0 || r.requests == 0) {
            throw new IllegalStateException(name + ": " + r.statusErrors + " of " + r.requests
                    + " responses were not 2xx/3xx (a lost session answers 403); wrk's output: " + rawFile);
        }
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("round", round);
        record.put("cycle", cycle);
        record.put("mix", mix.name());
        record.put("impl", app.impl().name());
        record.put("raw", "e2e/" + rawFile.getFileName());
        record.put("command", String.join(" ", cmd).replace(app.cookies().toString(), "COOKIES")
                .replace(script.toString(), "e2e/requests.lua").replace(":" + app.port(), ":PORT"));
        record.put("started", start.toString());
        record.put("requestsPerSecond", Math.round(r.requestsPerSecond()));
        record.put("p50Micros", r.p50Micros);
        record.put("p99Micros", r.p99Micros);
        record.put("loadBefore", before.load);
        record.put("loadAfter", after.load);
        record.put("machine", withApp(before, after, appAfter - appBefore).toMap());
        return record;
    }

    /** The shares with the application's CPU time counted as this run's (it is a child not yet waited for). */
    private static Machine.Shares withApp(Machine.Snapshot before, Machine.Snapshot after, long appTicks) {
        Machine.Shares s = before.until(after);
        if (before.cpu == null || after.cpu == null || appTicks < 0) {
            return s;
        }
        long total = 0;
        for (int i = 0; i < before.cpu.length; i++) {
            total += after.cpu[i] - before.cpu[i];
        }
        double app = total <= 0 ? 0 : (double) appTicks / total;
        return new Machine.Shares(s.idle, s.steal, Math.min(1, s.ours + app), Math.max(0, s.others - app));
    }

    /**
     * One request per session to {@code /login}, from {@value #LOGIN_CLIENTS} threads (the app's JVM is cold:
     * one by one, this took longer than the warm-up); the {@code Cookie} header value of each, a realistic one
     * around the session cookie, in the order of {@code n}.
     */
    static List<String> establish(int port, int n, EndToEndApp.Impl impl) throws IOException, InterruptedException {
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(30)).build();
        String[] headers = new String[n];
        ExecutorService pool = Executors.newFixedThreadPool(LOGIN_CLIENTS);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < LOGIN_CLIENTS; t++) {
                int first = t;
                done.add(pool.submit(() -> {
                    for (int i = first; i < n; i += LOGIN_CLIENTS) {
                        headers[i] = login(client, port, i, impl);
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get();
            }
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IllegalStateException(impl + ": establishing the sessions failed", e.getCause());
        } finally {
            pool.shutdownNow();
        }
        return List.of(headers);
    }

    private static String login(HttpClient client, int port, int i, EndToEndApp.Impl impl) throws IOException, InterruptedException {
        HttpResponse<String> resp = client.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/login?n=" + i))
                .timeout(Duration.ofSeconds(60)).GET().build(), HttpResponse.BodyHandlers.ofString());
        if (resp.statusCode() != 200) {
            throw new IllegalStateException(impl + ": /login answered " + resp.statusCode());
        }
        Optional<String> setCookie = resp.headers().firstValue("Set-Cookie");
        if (impl == EndToEndApp.Impl.NO_SESSION) {
            if (setCookie.isPresent()) {
                throw new IllegalStateException("the no-session application handed out a cookie");
            }
            // The same shape and size as a session cookie: the request bytes are alike.
            return cookieHeader("SID=" + "x".repeat(22) + "!" + "y".repeat(43));
        }
        String c = setCookie.orElseThrow(() -> new IllegalStateException(impl + ": /login handed out no cookie"));
        int semi = c.indexOf(';');
        return cookieHeader(semi < 0 ? c : c.substring(0, semi));
    }

    /** A browser's {@code Cookie} header around the session's {@code name=value}, as {@link Population#cookieHeader}. */
    static String cookieHeader(String nameValue) {
        return "_ga=GA1.2.1734567890.1700000000; theme=dark; " + nameValue + "; _gid=GA1.2.987654321.1700000000";
    }

    private static List<String> wrk(Settings s, int seconds, int port, Path script, Path cookies, Mix mix) {
        return List.of("wrk", "-t" + s.threads(), "-c" + s.connections(), "-d" + seconds + "s", "--timeout", "10s", "--latency",
                "-s", script.toString(), "http://127.0.0.1:" + port, "--", cookies.toString(), Integer.toString(mix.writeEvery));
    }

    private static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " exited with " + p.exitValue() + ":\n" + output);
        }
        return output;
    }

    private static String wrkVersion() {
        try {
            Process p = new ProcessBuilder("wrk", "-v").redirectErrorStream(true).start();
            String v = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor();
            String first = v.lines().findFirst().orElse("wrk").strip();
            int copyright = first.indexOf(" Copyright");
            return copyright < 0 ? first : first.substring(0, copyright);
        } catch (IOException e) {
            throw new UncheckedIOException("wrk is required (Debian: apt-get install -y wrk)", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "wrk";
        }
    }

    private static void awaitReady(Process app, Path log) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (Files.exists(log) && Files.readString(log, StandardCharsets.UTF_8).contains(EndToEndApp.READY)) {
                return;
            }
            if (!app.isAlive()) {
                throw new IllegalStateException("the application exited with " + app.exitValue() + "; its log: " + log);
            }
            app.waitFor(50, TimeUnit.MILLISECONDS);
        }
        throw new IllegalStateException("the application did not start within 60 s; its log: " + log);
    }

    private static void stop(Process app) throws InterruptedException {
        try {
            app.getOutputStream().close();
        } catch (IOException e) {
            // already gone
        }
        if (!app.waitFor(30, TimeUnit.SECONDS)) {
            app.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static void writeMeta(Path out, Map<String, Object> meta) throws IOException {
        Files.writeString(out.resolve("e2e.json"), PairedRun.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(meta) + "\n");
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What the wrk script's {@code done} hook printed: a count, the measured time and latency percentiles. */
    static final class WrkResult {
        final long requests;
        final long durationMicros;
        final long statusErrors;
        final long socketErrors;
        final double p50Micros;
        final double p90Micros;
        final double p99Micros;

        WrkResult(long requests, long durationMicros, long statusErrors, long socketErrors, double p50Micros, double p90Micros,
                double p99Micros) {
            this.requests = requests;
            this.durationMicros = durationMicros;
            this.statusErrors = statusErrors;
            this.socketErrors = socketErrors;
            this.p50Micros = p50Micros;
            this.p90Micros = p90Micros;
            this.p99Micros = p99Micros;
        }

        double requestsPerSecond() {
            return requests * 1e6 / durationMicros;
        }

        /** Reads the {@value #RESULT_PREFIX} line of a wrk run's output. */
        static WrkResult parse(String output) {
            for (String line : output.split("\n", -1)) {
                if (line.startsWith(RESULT_PREFIX)) {
                    tools.jackson.databind.JsonNode j = PairedRun.JSON.readTree(line.substring(RESULT_PREFIX.length()));
                    tools.jackson.databind.JsonNode e = j.get("errors");
                    tools.jackson.databind.JsonNode l = j.get("latencyMicros");
                    return new WrkResult(j.get("requests").asLong(), j.get("durationMicros").asLong(), e.get("status").asLong(),
                            e.get("connect").asLong() + e.get("read").asLong() + e.get("write").asLong() + e.get("timeout").asLong(),
                            l.get("p50").asDouble(), l.get("p90").asDouble(), l.get("p99").asDouble());
                }
            }
            throw new IllegalArgumentException("no " + RESULT_PREFIX.strip() + " line in the wrk output (was it run with e2e/requests.lua?)");
        }
    }
}
