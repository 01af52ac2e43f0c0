package dev.satchel.spring;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A {@code redis-server} of a test's own: a free loopback port, data in a folder under {@code target/}, no
 * persistence; {@link #close()} stops it and deletes the folder. Fails loudly when redis-server is missing.
 */
final class RedisProcess implements AutoCloseable {

    private final Path dir;
    final int port;
    private final Process process;

    private RedisProcess(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    static RedisProcess start() {
        try {
            Path dir = Files.createTempDirectory(Files.createDirectories(Path.of("target", "redis")), "it-");
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            }
            Process p;
            try {
                p = new ProcessBuilder(List.of("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                        "--dir", dir.toAbsolutePath().toString(), "--save", "", "--appendonly", "no", "--daemonize", "no"))
                        .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
            } catch (IOException e) {
                throw new IllegalStateException("redis-server is needed for this test: apt-get install redis-server", e);
            }
            RedisProcess r = new RedisProcess(dir, port, p);
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (true) {
                try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
                    return r;
                } catch (IOException e) {
                    if (!p.isAlive() || System.nanoTime() > deadline) {
                        r.close();
                        throw new IllegalStateException("redis-server did not start; see " + dir.resolve("redis.log"), e);
                    }
                    Thread.onSpinWait();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String uri() {
        return "redis://127.0.0.1:" + port;
    }

    /** Stops the server at once (a store outage), keeping the folder. */
    void kill() {
        process.destroyForcibly();
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        kill();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
