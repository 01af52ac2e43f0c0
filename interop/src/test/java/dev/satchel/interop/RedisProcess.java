package dev.satchel.interop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisException;

/**
 * A {@code redis-server} of the test's own, on a free loopback port, without persistence, its folder and log
 * under target/. Never the machine's own Redis.
 */
final class RedisProcess implements AutoCloseable {

    private final Process process;
    private final int port;
    private final Path dir;

    private RedisProcess(Process process, int port, Path dir) {
        this.process = process;
        this.port = port;
        this.dir = dir;
    }

    static RedisProcess start() {
        for (int attempt = 1; ; attempt++) {
            int port = Tools.freePort();
            Path dir = Tools.newFolder("redis-");
            Process p;
            try {
                p = new ProcessBuilder(List.of("redis-server", "--port", Integer.toString(port), "--bind", "127.0.0.1",
                        "--dir", dir.toString(), "--save", "", "--appendonly", "no", "--daemonize", "no"))
                        .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot run redis-server: install redis-server (Debian), as .ci/run does", e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(p::destroyForcibly)); // a crashed test leaves none running
            RedisProcess r = new RedisProcess(p, port, dir);
            try {
                Gates.await("redis-server answers on port " + port, () -> !p.isAlive() || r.answers());
            } catch (AssertionError e) {
                r.close();
                throw e;
            }
            if (p.isAlive()) {
                return r;
            }
            r.close();
            if (attempt == 3) {
                throw new AssertionError("redis-server did not start:\n" + Tools.read(dir.resolve("redis.log")));
            }
        }
    }

    /** {@code redis://127.0.0.1:<port>}. */
    String uri() {
        return "redis://127.0.0.1:" + port;
    }

    /** A connection for backdoor commands. */
    Jedis admin() {
        return new Jedis("127.0.0.1", port);
    }

    @Override
    public void close() {
        process.destroyForcibly();
        try {
            process.waitFor(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private boolean answers() {
        try (Jedis j = admin()) {
            return "PONG".equals(j.ping());
        } catch (JedisException e) {
            return false;
        }
    }
}
