package dev.satchel.store.jdbc;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;

/**
 * A database server process of the tests' own: data under {@code target/}, listening on a free loopback
 * port, never the machine's own service. Subclasses know how to create, start and stop one kind of server.
 * {@link #close()} stops it and deletes its directory; a JVM shutdown hook stops whatever a crashed test
 * left running.
 */
abstract class DatabaseServer implements AutoCloseable {

    /** How long a starting server, or a condition a test waits for, may take on a loaded machine. */
    static final Duration STARTUP = Duration.ofSeconds(90);

    private static final Set<DatabaseServer> RUNNING = ConcurrentHashMap.newKeySet();
    private static final AtomicInteger NAMES = new AtomicInteger();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> RUNNING.forEach(DatabaseServer::stopQuietly),
                "satchel-test-databases-stop"));
    }

    /** The server's own directory under {@code target/}. */
    final Path dir;
    /** Its TCP port on 127.0.0.1. */
    final int port;

    /**
     * A server whose files live under {@code target/}; when {@code otherUserRuns} (the process drops root to
     * another user) and that user cannot reach {@code target/} (a checkout under a private home folder),
     * under the temporary directory instead, which is said on standard error.
     */
    DatabaseServer(String kind, boolean otherUserRuns) {
        this.port = freePort();
        Path target = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().resolve("target");
        if (otherUserRuns && runningAsRoot() && !reachableByOthers(target.getParent())) {
            System.err.println(target + " is not reachable by other users; the test database lives under "
                    + System.getProperty("java.io.tmpdir") + " instead");
            target = Path.of(System.getProperty("java.io.tmpdir"));
        }
        // Short names: a Unix socket path may not be longer than 107 bytes.
        this.dir = target.resolve(kind + ProcessHandle.current().pid() % 10_000 + "-" + NAMES.incrementAndGet());
        deleteTree(dir);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether every folder from the root down to {@code dir} lets other users through. */
    private static boolean reachableByOthers(Path dir) {
        try {
            for (Path p = dir; p != null; p = p.getParent()) {
                if (!Files.getPosixFilePermissions(p).contains(java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE)) {
                    return false;
                }
            }
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    /** A JDBC URL reaching the test database as the test user. */
    abstract String jdbcUrl();

    /** The test user, and its password ({@code null}: none). */
    abstract String user();

    abstract String password();

    /** Starts the process (again) on the same port and data, and waits until it accepts connections. */
    abstract void start();

    /** Stops the process and waits until it is gone; the data stays for {@link #start()}. */
    abstract void stop();

    /** Whether the process is running. */
    abstract boolean isRunning();

    /** The last lines of the server's log, for failure messages. */
    abstract String logTail();

    /** How many connections wait for a row or table lock now (seen with administrator rights). */
    abstract long sessionsWaitingForLocks();

    /** A pool of at most {@code size} connections, waiting at most {@code wait} for a free one. */
    final HikariDataSource pool(String name, int size, Duration wait) {
        HikariConfig c = new HikariConfig();
        c.setPoolName(name);
        c.setJdbcUrl(jdbcUrl());
        c.setUsername(user());
        c.setPassword(password());
        c.setMaximumPoolSize(size);
        c.setMinimumIdle(0);
        c.setConnectionTimeout(wait.toMillis());
        c.setValidationTimeout(Math.max(250, wait.toMillis() / 2));
        // Fail at once when the server is down when the pool starts; tests decide what to expect.
        c.setInitializationFailTimeout(-1);
        return new HikariDataSource(c);
    }

    /** A pool of {@code size} connections waiting up to 5 s for one. */
    final HikariDataSource pool(String name, int size) {
        return pool(name, size, Duration.ofSeconds(5));
    }

    /** A new connection outside any pool, as the test user. */
    final Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), user(), password());
    }

    /** A new connection with administrator rights (other users' locks, global settings, LOCK TABLES). */
    abstract Connection connectAsAdmin() throws SQLException;

    /** Runs each statement on a connection of its own. */
    final void execute(String... sql) {
        try (Connection c = connect(); Statement s = c.createStatement()) {
            for (String q : sql) {
                s.execute(q);
            }
        } catch (SQLException e) {
            throw new AssertionError("test statement failed: " + e.getMessage(), e);
        }
    }

    final void register() {
        RUNNING.add(this);
    }

    @Override
    public void close() {
        RUNNING.remove(this);
        stopQuietly();
        deleteTree(dir);
    }

    private void stopQuietly() {
        try {
            if (isRunning()) {
                stop();
            }
        } catch (RuntimeException | AssertionError e) {
            // a shutdown hook or a cleanup: nothing more to do
        }
    }

    // ------------------------------------------------------------------ for subclasses

    /** Runs {@code command}, waits up to {@code timeout}, and returns its output; fails with the output otherwise. */
    static String run(List<String> command, Map<String, String> env, Duration timeout) {
        Process p;
        Path out;
        try {
            out = Files.createTempFile("satchel-cmd-", ".log");
            ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(out.toFile());
            b.environment().putAll(env);
            p = b.start();
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command.get(0) + ": " + e.getMessage(), e);
        }
        try {
            boolean done = p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
            String output = Files.readString(out, StandardCharsets.UTF_8);
            if (!done) {
                p.destroyForcibly();
                throw new AssertionError(String.join(" ", command) + " did not end within " + timeout + ":\n" + output);
            }
            if (p.exitValue() != 0) {
                throw new AssertionError(String.join(" ", command) + " failed with exit code " + p.exitValue()
                        + ":\n" + output);
            }
            return output;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
            throw new AssertionError("interrupted while running " + command.get(0), e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            try {
                Files.deleteIfExists(out);
            } catch (IOException e) {
                // a temporary file
            }
        }
    }

    /** Whether this JVM runs as root (servers that refuse root then run as another user). */
    static boolean runningAsRoot() {
        return "root".equals(System.getProperty("user.name"));
    }

    /** The first of {@code names} found as an executable in {@code dirs} or on the PATH, or {@code null}. */
    static Path findExecutable(List<String> dirs, String... names) {
        List<String> search = new ArrayList<>(dirs);
        String path = System.getenv("PATH");
        if (path != null) {
            search.addAll(List.of(path.split(":")));
        }
        for (String name : names) {
            for (String d : search) {
                if (d.isEmpty()) {
                    continue;
                }
                Path candidate = Path.of(d, name);
                if (Files.isExecutable(candidate)) {
                    return candidate;
                }
            }
        }
        return null;
    }

    /** Polls {@code condition} until it holds or {@code timeout} passes, then fails naming {@code what}. */
    static void await(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + timeout + " waiting until " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }

    /** Whether {@code url} accepts a connection as {@code user} now. */
    static boolean accepts(String url, String user, String password) {
        try (Connection c = DriverManager.getConnection(url, user, password)) {
            return c.isValid(2);
        } catch (SQLException e) {
            return false;
        }
    }

    /** A port free on 127.0.0.1 now. */
    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // best effort: under target/
        }
    }
}
