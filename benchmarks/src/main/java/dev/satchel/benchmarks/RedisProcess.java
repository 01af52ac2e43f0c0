package dev.satchel.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * The {@code redis-server} the Redis benchmarks talk to: the one {@code -Dsatchel.bench.redis=host:port}
 * names (the run script starts it), else one started here on a free loopback port, without persistence,
 * in a folder of its own, and stopped by {@link #close()}.
 */
final class RedisProcess implements AutoCloseable {

    static final String ADDRESS_PROPERTY = "satchel.bench.redis";
    private static final long STARTUP_NANOS = TimeUnit.SECONDS.toNanos(30);

    private final String host;
    private final int port;
    private final Process process;
    private final Path dir;

    private RedisProcess(String host, int port, Process process, Path dir) {
        this.host = host;
        this.port = port;
        this.process = process;
        this.dir = dir;
    }

    /** Whether {@link #close()} ran: the clients of one interleaved fork share this server and each closes it. */
    private boolean closed;

    /** The server named by the property, or a new one. */
    static RedisProcess obtain() {
        String address = System.getProperty(ADDRESS_PROPERTY);
        if (address != null && !address.isEmpty()) {
            int colon = address.lastIndexOf(':');
            return new RedisProcess(address.substring(0, colon), Integer.parseInt(address.substring(colon + 1)), null, null);
        }
        return start();
    }

    private static RedisProcess start() {
        for (int attempt = 1; ; attempt++) {
            int port = freePort();
            Path dir = Scratch.newDir("redis");
            Process p;
            try {
                p = new ProcessBuilder(List.of("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                        "--dir", dir.toString(), "--save", "", "--appendonly", "no", "--daemonize", "no",
                        "--logfile", "redis.log"))
                        .redirectErrorStream(true).redirectOutput(dir.resolve("stdout.log").toFile()).start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot start redis-server (is it installed?)", e);
            }
            RedisProcess r = new RedisProcess("127.0.0.1", port, p, dir);
            if (r.awaitUp()) {
                return r;
            }
            r.close();
            if (attempt == 3) {
                throw new IllegalStateException("redis-server did not answer on a free port within 30 s, 3 times");
            }
        }
    }

    String host() {
        return host;
    }

    int port() {
        return port;
    }

    /** Empties the database: every trial starts from nothing. */
    void flush() {
        try (Jedis j = new Jedis(host, port)) {
            j.flushAll();
        }
    }

    private boolean awaitUp() {
        long deadline = System.nanoTime() + STARTUP_NANOS;
        while (System.nanoTime() < deadline && process.isAlive()) {
            try (Jedis j = new Jedis(host, port, 1000)) {
                if ("PONG".equals(j.ping())) {
                    return true;
                }
            } catch (JedisException e) {
                // not listening yet: poll again
            }
            try {
                process.waitFor(50, TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
        return false;
    }

    /** Stops the server if it was started here and deletes its folder; a second call does nothing. */
    @Override
    public void close() {
        if (process == null || closed) {
            return;
        }
        closed = true;
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
            Scratch.delete(dir);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
