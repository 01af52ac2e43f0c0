package dev.satchel.interop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntFunction;

/**
 * A web app in another language, run as a child process on a free loopback port with its output in a log
 * file under target/, ready once {@code GET /health} answers. {@link #close()} kills it; a JVM shutdown hook
 * kills whatever a crashed test left running.
 */
final class AppProcess implements Side, AutoCloseable {

    private static final Duration STARTUP = Duration.ofSeconds(60);
    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly)));
    }

    private final String name;
    private final Process process;
    private final Path log;
    private final URI uri;

    private AppProcess(String name, Process process, Path log, int port) {
        this.name = name;
        this.process = process;
        this.log = log;
        this.uri = URI.create("http://127.0.0.1:" + port);
    }

    /**
     * Starts {@code command.apply(port)} with {@code env} added, on a free port (another if the port was
     * taken meanwhile), and waits until it serves.
     */
    static AppProcess start(String name, IntFunction<List<String>> command, Map<String, String> env) {
        for (int attempt = 1; ; attempt++) {
            int port = Tools.freePort();
            Path log = Tools.TARGET.resolve("interop-logs").resolve(name + "-" + port + ".log");
            Process p;
            try {
                Files.createDirectories(log.getParent());
                ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(command.apply(port)))
                        .directory(Tools.INTEROP.toFile()).redirectErrorStream(true)
                        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
                pb.environment().putAll(env);
                p = pb.start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start " + name, e);
            }
            RUNNING.add(p);
            AppProcess app = new AppProcess(name, p, log, port);
            if (app.awaitHealthy()) {
                return app;
            }
            app.close();
            if (attempt == 3) {
                throw new AssertionError(name + " did not start:\n" + app.logTail());
            }
        }
    }

    @Override
    public URI uri() {
        return uri;
    }

    String logTail() {
        List<String> lines = List.of(Tools.read(log).split("\n"));
        return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    }

    @Override
    public void close() {
        process.descendants().forEach(ProcessHandle::destroyForcibly);
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        RUNNING.remove(process);
    }

    @Override
    public String toString() {
        return name;
    }

    private boolean awaitHealthy() {
        HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (System.nanoTime() < deadline && process.isAlive()) {
            try {
                HttpResponse<String> r = client.send(HttpRequest.newBuilder(uri.resolve("/health"))
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 200) {
                    return true;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
        return false;
    }
}
