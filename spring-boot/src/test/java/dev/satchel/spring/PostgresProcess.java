package dev.satchel.spring;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A PostgreSQL server of a test's own, as store-jdbc's tests start one: {@code initdb} from
 * {@code /usr/lib/postgresql/<newest>/bin} into {@code target/pg-…}, {@code pg_ctl} on a free loopback port (TCP
 * only), durability off, superuser {@code satchel} trusted, database {@code satchel}. PostgreSQL refuses to run as
 * root, so a root JVM runs its commands as the {@code postgres} user the Debian package creates. {@link #close()}
 * stops it and deletes its folder.
 */
final class PostgresProcess implements AutoCloseable {

    static final String USER = "satchel";
    private static final String SERVICE_USER = "postgres";

    private final Path bin;
    private final Path dir;
    final int port;

    private PostgresProcess(Path bin, Path dir, int port) {
        this.bin = bin;
        this.dir = dir;
        this.port = port;
    }

    static PostgresProcess start() {
        Path bin = binaries();
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path target = Path.of("target").toAbsolutePath();
        if (root() && !reachableByOthers(target.getParent())) {
            target = Path.of(System.getProperty("java.io.tmpdir")); // the postgres user could not reach target/
        }
        Path dir = target.resolve("pg-" + ProcessHandle.current().pid() + "-" + port);
        PostgresProcess p = new PostgresProcess(bin, dir, port);
        try {
            Files.createDirectories(dir);
            p.run(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-U", USER, "-A", "trust",
                    "-E", "UTF8", "--locale=C", "--no-sync");
            Files.write(dir.resolve("data").resolve("postgresql.conf"), List.of("listen_addresses = '127.0.0.1'",
                    "port = " + port, "unix_socket_directories = ''", "fsync = off", "synchronous_commit = off",
                    "full_page_writes = off", "max_connections = 50"), StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            p.run(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-l",
                    dir.resolve("postgres.log").toString(), "-w", "-t", "90", "start");
            p.execute("postgres", "CREATE DATABASE satchel");
            return p;
        } catch (IOException | RuntimeException e) {
            p.close();
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    /** The JDBC URL of database {@code satchel}. */
    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/satchel";
    }

    /** Runs {@code sql} in database {@code database} as the superuser. */
    void execute(String database, String sql) {
        try (Connection c = DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + database, USER, null);
                Statement s = c.createStatement()) {
            s.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }

    /** A connection to database {@code satchel} outside the application's pool. */
    Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), USER, null);
    }

    @Override
    public void close() {
        if (Files.exists(dir.resolve("data").resolve("postmaster.pid"))) {
            run(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "immediate", "-w", "stop");
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException | UncheckedIOException e) {
            // best effort, under target/
        }
    }

    private void run(String... command) {
        List<String> cmd = new ArrayList<>();
        if (root()) {
            chownToServiceUser();
            cmd.addAll(List.of("runuser", "-u", SERVICE_USER, "--"));
        }
        cmd.addAll(List.of(command));
        try {
            Path out = dir.resolve("command.log");
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(out.toFile()).start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException(command[0] + " did not end: " + Files.readString(out));
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + " failed: " + Files.readString(out));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void chownToServiceUser() {
        try (Stream<Path> files = Files.walk(dir)) {
            UserPrincipal owner = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName(SERVICE_USER);
            for (Path f : (Iterable<Path>) files::iterator) {
                Files.setOwner(f, owner);
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot hand " + dir + " to the user postgres (the Debian package "
                    + "postgresql creates it): " + e.getMessage(), e);
        }
    }

    private static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static boolean reachableByOthers(Path dir) {
        try {
            for (Path p = dir; p != null; p = p.getParent()) {
                if (!Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE)) {
                    return false;
                }
            }
            return true;
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static Path binaries() {
        try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
                    .max(Comparator.comparing(b -> b.getParent().getFileName().toString(),
                            Comparator.comparingInt(String::length).thenComparing(Comparator.naturalOrder())))
                    .orElseThrow();
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("PostgreSQL's initdb and pg_ctl are needed in /usr/lib/postgresql/*/bin: "
                    + "apt-get install -y postgresql", e);
        }
    }
}
