package dev.satchel.store.jdbc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A MariaDB server of the tests' own: {@code mariadb-install-db} into {@code target/maria…/data}, then
 * {@code mariadbd} in the foreground on a free loopback port with its socket under the same directory,
 * durability relaxed for speed. An init file creates, at every start, the database {@code satchel}, a
 * test user {@code satchel} with only the rights the store needs (so {@code read_only} applies to it,
 * as it does to an application on a replica) and an {@code admin} user for the tests' backdoors. The
 * server's default collation is left case-insensitive, as on most installations: the store's DDL must
 * not depend on it.
 */
final class MariaDbServer extends DatabaseServer {

    static final String USER = "satchel";
    static final String PASSWORD = "satchel-test";
    static final String ADMIN = "admin";
    static final String DATABASE = "satchel";
    private static final List<String> SBIN = List.of("/usr/sbin", "/usr/bin", "/usr/local/sbin", "/usr/local/bin");
    /** Longest Unix socket path the kernel takes. */
    private static final int MAX_SOCKET_PATH = 107;

    private final Path data;
    private final Path log;
    private final List<String> command;
    private Process process;

    private MariaDbServer(Path server, List<String> settings) {
        super("maria", false);
        this.data = dir.resolve("data");
        this.log = dir.resolve("error.log");
        Path init = dir.resolve("init.sql");
        try {
            Files.writeString(init, String.join("\n",
                    "CREATE DATABASE IF NOT EXISTS " + DATABASE + ";",
                    "CREATE USER IF NOT EXISTS '" + USER + "'@'127.0.0.1' IDENTIFIED BY '" + PASSWORD + "';",
                    "GRANT SELECT, INSERT, UPDATE, DELETE, CREATE, DROP, INDEX, ALTER, TRIGGER ON " + DATABASE + ".* TO '"
                            + USER + "'@'127.0.0.1';",
                    "CREATE USER IF NOT EXISTS '" + ADMIN + "'@'127.0.0.1' IDENTIFIED BY '" + PASSWORD + "';",
                    "GRANT ALL PRIVILEGES ON *.* TO '" + ADMIN + "'@'127.0.0.1' WITH GRANT OPTION;",
                    ""), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path socket = dir.resolve("sock");
        if (socket.toString().getBytes(StandardCharsets.UTF_8).length > MAX_SOCKET_PATH) {
            socket = Path.of(System.getProperty("java.io.tmpdir"), "satchel-maria-" + port + ".sock");
        }
        command = new ArrayList<>(List.of(server.toString(), "--no-defaults",
                "--datadir=" + data, "--port=" + port, "--bind-address=127.0.0.1", "--socket=" + socket,
                "--pid-file=" + dir.resolve("mariadbd.pid"), "--log-error=" + log, "--init-file=" + init,
                "--skip-name-resolve", "--skip-log-bin", "--max-connections=300",
                "--innodb-buffer-pool-size=128M", "--innodb-log-file-size=64M",
                "--innodb-flush-log-at-trx-commit=0", "--innodb-doublewrite=0", "--sync-frm=0",
                "--character-set-server=utf8mb4", "--max-allowed-packet=64M"));
        if (runningAsRoot()) {
            command.add("--user=root");
        }
        command.addAll(settings);
    }

    /** Creates and starts a new server; {@code settings} are extra {@code mariadbd} options. */
    static MariaDbServer create(String... settings) {
        Path installDb = findExecutable(SBIN, "mariadb-install-db", "mysql_install_db");
        Path server = findExecutable(SBIN, "mariadbd", "mysqld");
        if (installDb == null || server == null) {
            throw new AssertionError("MariaDB server binaries (mariadb-install-db, mariadbd) not found: install the "
                    + "Debian package mariadb-server (apt-get install -y mariadb-server)");
        }
        MariaDbServer s = new MariaDbServer(server, List.of(settings));
        List<String> install = new ArrayList<>(List.of(installDb.toString(), "--no-defaults",
                "--datadir=" + s.data, "--auth-root-authentication-method=normal", "--skip-test-db"));
        if (runningAsRoot()) {
            install.add("--user=root");
        }
        run(install, Map.of(), STARTUP);
        s.start();
        return s;
    }

    @Override
    String jdbcUrl() {
        return "jdbc:mariadb://127.0.0.1:" + port + "/" + DATABASE;
    }

    @Override
    String user() {
        return USER;
    }

    @Override
    String password() {
        return PASSWORD;
    }

    /** Runs statements as the {@code admin} user (global settings, other users' locks). */
    void executeAsAdmin(String... sql) {
        try (var c = connectAsAdmin(); var st = c.createStatement()) {
            for (String q : sql) {
                st.execute(q);
            }
        } catch (SQLException e) {
            throw new AssertionError("admin statement failed: " + e.getMessage(), e);
        }
    }

    @Override
    synchronized void start() {
        try {
            process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("stdout.log").toFile())).start();
        } catch (IOException e) {
            throw new AssertionError("cannot run " + command.get(0) + ": " + e.getMessage(), e);
        }
        register();
        Process p = process;
        try {
            await("MariaDB accepts connections on port " + port, STARTUP, () -> {
                if (!p.isAlive()) {
                    throw new AssertionError("mariadbd exited with " + p.exitValue() + ":\n" + logTail());
                }
                return accepts(jdbcUrl(), ADMIN, PASSWORD);
            });
        } catch (AssertionError e) {
            p.destroyForcibly();
            throw new AssertionError(e.getMessage() + "\n" + logTail(), e);
        }
    }

    @Override
    synchronized void stop() {
        Process p = process;
        if (p == null) {
            return;
        }
        p.destroy(); // SIGTERM: a clean shutdown
        try {
            if (!p.waitFor(STARTUP.toSeconds(), TimeUnit.SECONDS)) {
                p.destroyForcibly();
                p.waitFor(10, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        process = null;
    }

    @Override
    synchronized boolean isRunning() {
        return process != null && process.isAlive();
    }

    @Override
    Connection connectAsAdmin() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), ADMIN, PASSWORD);
    }

    @Override
    long sessionsWaitingForLocks() {
        try (var c = connectAsAdmin(); var st = c.createStatement();
                var rs = st.executeQuery("SELECT count(*) FROM information_schema.INNODB_TRX WHERE trx_state = 'LOCK WAIT'")) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log, StandardCharsets.ISO_8859_1);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e + ")";
        }
    }
}
