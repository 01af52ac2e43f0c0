package dev.satchel.store.redis;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisException;

/**
 * One {@code redis-server} process for a test: on a free loopback port, in a temporary directory of its
 * own, without persistence unless asked ({@code --save "" --appendonly no}), replicas syncing without
 * delay, logging to
 * {@code redis.log} there. Never the machine's own Redis. {@link #close()} kills the process and deletes the
 * directory; a JVM shutdown hook kills whatever a crashed test left running.
 */
final class RedisServer implements AutoCloseable {

    /** How long a starting server, or a condition a test waits for, may take on a loaded machine. */
    static final Duration STARTUP = Duration.ofSeconds(30);

    private static final Set<Process> RUNNING = ConcurrentHashMap.newKeySet();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(Process::destroyForcibly)));
    }

    private final Path dir;
    private final int port;
    private final List<String> command;
    private final String password;
    private Process process;

    private RedisServer(Path dir, int port, List<String> command, String password) {
        this.dir = dir;
        this.port = port;
        this.command = command;
        this.password = password;
    }

    /** A standalone server; {@code args} are extra {@code --name value} options. */
    static RedisServer start(String... args) {
        return launch(false, null, args);
    }

    /** A standalone server whose commands need {@code password} (for the admin connection of the test). */
    static RedisServer startWithPassword(String password, String... args) {
        return launch(false, password, args);
    }

    /** A server whose cluster bus port (port + 10000) is free too. */
    static RedisServer startClusterNode(String... args) {
        return launch(true, null, args);
    }

    /** A sentinel with the given lines of configuration (its own {@code port}, {@code dir} are added). */
    static RedisServer startSentinel(String... configLines) {
        for (int attempt = 1; ; attempt++) {
            Path dir = tempDir();
            int port = freePort(false);
            List<String> lines = new ArrayList<>(List.of("port " + port, "bind 127.0.0.1", "dir " + dir,
                    "logfile " + dir.resolve("redis.log")));
            lines.addAll(Arrays.asList(configLines));
            Path conf = dir.resolve("sentinel.conf");
            try {
                Files.write(conf, lines, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            RedisServer s = new RedisServer(dir, port,
                    new ArrayList<>(List.of("redis-server", conf.toString(), "--sentinel")), null);
            if (s.tryStart() || attempt == 3) {
                s.requireUp();
                return s;
            }
            s.close();
        }
    }

    private static RedisServer launch(boolean clusterBus, String password, String... args) {
        for (int attempt = 1; ; attempt++) {
            Path dir = tempDir();
            int port = freePort(clusterBus);
            List<String> cmd = new ArrayList<>(List.of("redis-server", "--port", Integer.toString(port),
                    "--bind", "127.0.0.1", "--dir", dir.toString(), "--logfile", "redis.log",
                    "--save", "", "--appendonly", "no", "--daemonize", "no",
                    // A replica syncs at once instead of after the default 5 s wait for more replicas.
                    "--repl-diskless-sync-delay", "0"));
            cmd.addAll(Arrays.asList(args));
            RedisServer s = new RedisServer(dir, port, cmd, password);
            // Another process may take the port between our probe and redis-server's bind: try again.
            if (s.tryStart() || attempt == 3) {
                s.requireUp();
                return s;
            }
            s.close();
        }
    }

    int port() {
        return port;
    }

    String address() {
        return "127.0.0.1:" + port;
    }

    HostAndPort hostAndPort() {
        return new HostAndPort("127.0.0.1", port);
    }

    /** {@code redis://127.0.0.1:<port>}. */
    String uri() {
        return "redis://" + address();
    }

    Path dir() {
        return dir;
    }

    /** A new admin connection (with the password this server was started with), for backdoor commands. */
    Jedis admin() {
        DefaultJedisClientConfig.Builder c = DefaultJedisClientConfig.builder()
                .protocol(RedisProtocol.RESP2).connectionTimeoutMillis(2000).socketTimeoutMillis(10_000);
        if (password != null) {
            c.password(password);
        }
        return new Jedis(hostAndPort(), c.build());
    }

    /** Whether the process is running. */
    boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** Kills the process at once (SIGKILL), like a crash; the directory stays for a restart. */
    void kill() {
        Process p = process;
        if (p != null) {
            p.destroyForcibly();
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            RUNNING.remove(p);
        }
    }

    /** Starts the process again on the same port and directory and waits until it answers. */
    void restart() {
        if (!tryStart()) {
            throw new AssertionError("redis-server did not restart on port " + port + ":\n" + logTail());
        }
        requireUp();
    }

    /**
     * Starts the process again on the same port and directory with {@code extraArgs} added, and waits until
     * it answers (possibly with {@code LOADING}).
     */
    void restartWith(String... extraArgs) {
        command.addAll(Arrays.asList(extraArgs));
        restart();
    }

    /** Freezes the process (SIGSTOP): connections stay open and nothing answers. */
    void pause() {
        signal("-STOP");
    }

    /** Thaws a {@link #pause paused} process (SIGCONT). */
    void resume() {
        signal("-CONT");
    }

    /** The last lines of the server's log, for failure messages. */
    String logTail() {
        try {
            List<String> lines = Files.readAllLines(dir.resolve("redis.log"));
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    @Override
    public void close() {
        if (process != null) {
            resume(); // a paused process does not die of SIGKILL before it is continued on some kernels
            kill();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // best effort: a temporary directory
        }
    }

    /** The pause between two polls of a starting server. */
    private static void pollInterval() {
        LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
    }

    private boolean tryStart() {
        try {
            process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("stdout.log").toFile()))
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot run redis-server (is it installed?)", e);
        }
        RUNNING.add(process);
        long deadline = System.nanoTime() + STARTUP.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                RUNNING.remove(process);
                return false;
            }
            if (answers()) {
                return true;
            }
            pollInterval();
        }
        return false;
    }

    private void requireUp() {
        if (process == null || !process.isAlive() || !answers()) {
            String log = logTail();
            close();
            throw new AssertionError("redis-server did not start on port " + port + ":\n" + log);
        }
    }

    /** Whether the server answers a PING; an error answer (NOAUTH, LOADING, MASTERDOWN) counts: it is up. */
    private boolean answers() {
        try (Jedis j = new Jedis(hostAndPort(), DefaultJedisClientConfig.builder()
                .protocol(RedisProtocol.RESP2).connectionTimeoutMillis(500).socketTimeoutMillis(2000).build())) {
            j.ping();
            return true;
        } catch (JedisDataException e) {
            return true;
        } catch (JedisException e) {
            return false;
        }
    }

    private void signal(String signal) {
        Process p = process;
        if (p == null || !p.isAlive()) {
            return;
        }
        try {
            Process k = new ProcessBuilder("kill", signal, Long.toString(p.pid())).start();
            k.waitFor(10, TimeUnit.SECONDS);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Path tempDir() {
        try {
            return Files.createTempDirectory("satchel-redis-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A port free on 127.0.0.1 now (and, for a cluster node, with port + 10000 free too). */
    static int freePort(boolean withBus) {
        for (int i = 0; i < 50; i++) {
            int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            if (!withBus) {
                return port;
            }
            if (port + 10_000 <= 65_535) {
                try (ServerSocket bus = new ServerSocket(port + 10_000, 1, InetAddress.getLoopbackAddress())) {
                    return bus.getLocalPort() - 10_000;
                } catch (IOException e) {
                    // taken: try another
                }
            }
        }
        throw new AssertionError("no free loopback port pair for a cluster node");
    }
}
