package dev.satchel.store.jdbc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A PostgreSQL server of the tests' own: {@code initdb} into {@code target/pg…/data}, started with
 * {@code pg_ctl} on a free loopback port with its Unix socket under the same directory, durability off
 * (tests need speed, not crash safety), superuser {@code satchel} trusted on loopback, database
 * {@code satchel} in UTF-8. PostgreSQL refuses to run as root, so a root JVM runs its commands as the
 * {@code postgres} user the Debian package creates.
 */
final class PostgresServer extends DatabaseServer {

    static final String USER = "satchel";
    static final String DATABASE = "satchel";
    private static final String SERVICE_USER = "postgres";
    /** Longest Unix socket path the kernel takes, less the socket's own file name. */
    private static final int MAX_SOCKET_DIR = 107 - ".s.PGSQL.65535".length() - 1;

    private final Path bin;
    private final Path data;
    private final Path log;

    private PostgresServer(Path bin) {
        super("pg", true);
        this.bin = bin;
        this.data = dir.resolve("data");
        this.log = dir.resolve("postgres.log");
    }

    /** Creates and starts a new server. */
    static PostgresServer create(String... settings) {
        PostgresServer s = new PostgresServer(binaries());
        s.initialise(settings);
        s.start();
        s.execute("CREATE DATABASE " + DATABASE, USER);
        return s;
    }

    /**
     * A hot standby of this server, started: a base backup streaming from it ({@code pg_basebackup -R}),
     * on a port of its own, read-only — what a connection still open to an old primary finds after a
     * failover.
     */
    PostgresServer standby() {
        PostgresServer s = new PostgresServer(bin);
        s.asServiceUser(List.of(bin.resolve("pg_basebackup").toString(), "-h", "127.0.0.1", "-p",
                Integer.toString(port), "-U", USER, "-D", s.data.toString(), "-R", "-X", "stream", "-c", "fast", "--no-sync"));
        s.appendSettings(List.of("port = " + s.port, "unix_socket_directories = '" + s.socketDir() + "'"));
        s.start();
        return s;
    }

    @Override
    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
    }

    @Override
    String user() {
        return USER;
    }

    @Override
    String password() {
        return null;
    }

    @Override
    void start() {
        asServiceUser(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", log.toString(),
                "-w", "-t", Long.toString(STARTUP.toSeconds()), "start"));
        register();
        await("PostgreSQL accepts connections on port " + port, STARTUP,
                () -> accepts("jdbc:postgresql://127.0.0.1:" + port + "/postgres", USER, null));
    }

    @Override
    void stop() {
        asServiceUser(List.of(bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "fast", "-w", "-t",
                Long.toString(STARTUP.toSeconds()), "stop"));
    }

    @Override
    boolean isRunning() {
        return Files.exists(data.resolve("postmaster.pid"));
    }

    @Override
    Connection connectAsAdmin() throws java.sql.SQLException {
        return connect(); // the test user is the superuser
    }

    @Override
    long sessionsWaitingForLocks() {
        try (var c = connect(); var st = c.createStatement();
                var rs = st.executeQuery("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'")) {
            rs.next();
            return rs.getLong(1);
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }

    private void initialise(String... settings) {
        asServiceUser(List.of(bin.resolve("initdb").toString(), "-D", data.toString(), "-U", USER, "-A", "trust",
                "-E", "UTF8", "--locale=C", "--no-sync"));
        List<String> conf = new ArrayList<>(List.of(
                "listen_addresses = '127.0.0.1'",
                "port = " + port,
                "unix_socket_directories = '" + socketDir() + "'",
                "max_connections = 200",
                "shared_buffers = 64MB",
                "fsync = off",
                "synchronous_commit = off",
                "full_page_writes = off",
                "wal_level = replica",
                "max_wal_senders = 4",
                "hot_standby = on",
                "log_min_messages = warning",
                "log_min_error_statement = panic"));
        conf.addAll(List.of(settings));
        appendSettings(conf);
    }

    /** The Unix socket directory under this server's own, or none (TCP only) where that path would be too long. */
    private String socketDir() {
        Path sockets = dir.resolve("s");
        if (sockets.toString().getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_DIR) {
            return "";
        }
        try {
            Files.createDirectories(sockets);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        chownToServiceUser(sockets);
        return sockets.toString();
    }

    private void appendSettings(List<String> lines) {
        try {
            Files.write(data.resolve("postgresql.conf"), lines, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void execute(String sql, String user) {
        try (var c = java.sql.DriverManager.getConnection(
                "jdbc:postgresql://127.0.0.1:" + port + "/postgres", user, null);
                var st = c.createStatement()) {
            st.execute(sql);
        } catch (java.sql.SQLException e) {
            throw new AssertionError("cannot prepare the test database: " + e.getMessage(), e);
        }
    }

    /** Runs a PostgreSQL command, as the {@code postgres} user when this JVM is root. */
    private void asServiceUser(List<String> command) {
        List<String> cmd = new ArrayList<>();
        if (runningAsRoot()) {
            chownToServiceUser(dir);
            Path runuser = findExecutable(List.of("/usr/sbin", "/sbin", "/usr/bin"), "runuser");
            if (runuser == null) {
                throw new AssertionError("PostgreSQL refuses to run as root and runuser is missing: install the "
                        + "Debian package util-linux, or run the tests as another user");
            }
            cmd.addAll(List.of(runuser.toString(), "-u", SERVICE_USER, "--"));
        }
        cmd.addAll(command);
        try {
            run(cmd, Map.of("LC_ALL", "C"), STARTUP);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + "\nserver log:\n" + logTail(), e);
        }
    }

    private void chownToServiceUser(Path path) {
        if (!runningAsRoot()) {
            return;
        }
        try (Stream<Path> files = Files.walk(path)) {
            for (Path p : (Iterable<Path>) files.sorted(Comparator.naturalOrder())::iterator) {
                Files.setOwner(p, p.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(SERVICE_USER));
            }
        } catch (IOException e) {
            throw new AssertionError("cannot hand " + path + " to the user " + SERVICE_USER + " (PostgreSQL refuses to "
                    + "run as root; the Debian package postgresql creates that user): " + e.getMessage(), e);
        }
    }

    /** The directory of {@code initdb}, {@code pg_ctl} and {@code pg_basebackup}; fails naming the package to install. */
    private static Path binaries() {
        List<Path> candidates = new ArrayList<>();
        Path pgConfig = findExecutable(List.of(), "pg_config");
        if (pgConfig != null) {
            try {
                candidates.add(Path.of(run(List.of(pgConfig.toString(), "--bindir"), Map.of(), Duration.ofSeconds(30))
                        .trim()));
            } catch (AssertionError e) {
                // fall back to the Debian layout below
            }
        }
        try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            versions.map(v -> v.resolve("bin"))
                    .sorted(Comparator.comparing((Path p) -> versionOf(p)).reversed())
                    .forEach(candidates::add);
        } catch (IOException e) {
            // no Debian layout
        }
        for (Path c : candidates) {
            if (Files.isExecutable(c.resolve("initdb")) && Files.isExecutable(c.resolve("pg_ctl"))) {
                return c;
            }
        }
        throw new AssertionError("PostgreSQL server binaries (initdb, pg_ctl) not found via pg_config --bindir or in "
                + "/usr/lib/postgresql/*/bin: install the Debian package postgresql (apt-get install -y postgresql)");
    }

    private static int versionOf(Path bin) {
        try {
            return Integer.parseInt(bin.getParent().getFileName().toString());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
