package dev.satchel.interop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A PostgreSQL server of the test's own: {@code initdb} into a folder under target/ (or the temporary
 * directory, when the {@code postgres} user cannot enter target/), started with
 * {@code pg_ctl} on a free loopback port (TCP only), durability off, superuser {@code satchel} trusted, database
 * {@code satchel} in UTF-8. Never the machine's own PostgreSQL. PostgreSQL refuses to run as root, so a root
 * JVM runs its commands as the {@code postgres} user the Debian package creates ({@code runuser}).
 */
final class PostgresProcess implements AutoCloseable {

    static final String USER = "satchel";
    static final String DATABASE = "satchel";

    private final Path bin;
    private final Path dir;
    private final Path data;
    private final int port;

    private PostgresProcess(Path bin, Path dir, int port) {
        this.bin = bin;
        this.dir = dir;
        this.data = dir.resolve("data");
        this.port = port;
    }

    static PostgresProcess start() {
        Path bin = binaries();
        for (int attempt = 1; ; attempt++) {
            PostgresProcess pg = new PostgresProcess(bin, folder(), Tools.freePort());
            pg.run("initdb", "-D", pg.data.toString(), "-U", USER, "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync");
            try {
                Files.write(pg.data.resolve("postgresql.conf"), List.of("listen_addresses = '127.0.0.1'",
                        "port = " + pg.port, "unix_socket_directories = ''", "fsync = off", "synchronous_commit = off",
                        "full_page_writes = off", "max_connections = 100", "log_min_messages = warning"),
                        StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            Runtime.getRuntime().addShutdownHook(new Thread(pg::close)); // a crashed test leaves none running
            if (pg.run("pg_ctl", "-D", pg.data.toString(), "-l", pg.dir.resolve("postgres.log").toString(), "-w", "-t", "60",
                    "start") == 0) {
                pg.run("createdb", "-h", "127.0.0.1", "-p", Integer.toString(pg.port), "-U", USER, "-E", "UTF8", DATABASE);
                return pg;
            }
            if (attempt == 3) {
                throw new AssertionError("PostgreSQL did not start:\n" + Tools.read(pg.dir.resolve("postgres.log")));
            }
        }
    }

    /** The libpq connection string of the test database. */
    String conninfo() {
        return "host=127.0.0.1 port=" + port + " user=" + USER + " dbname=" + DATABASE;
    }

    /** The JDBC URL of the test database. */
    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/" + DATABASE;
    }

    /** Runs {@code psql} with {@code sql} on the test database and returns what it printed (unaligned, no headers). */
    String psql(String sql) {
        Path out = dir.resolve("psql.out");
        int status = Tools.runTo(out, bin.resolve("psql").toString(), "-h", "127.0.0.1", "-p", Integer.toString(port), "-U",
                USER, "-d", DATABASE, "-X", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql);
        String text = Tools.read(out);
        if (status != 0) {
            throw new AssertionError("psql failed: " + text);
        }
        return text.strip();
    }

    @Override
    public void close() {
        if (Files.exists(data.resolve("postmaster.pid"))) {
            run("pg_ctl", "-D", data.toString(), "-m", "immediate", "-w", "-t", "60", "stop");
        }
    }

    private int run(String program, String... args) {
        List<String> command = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            chownToPostgres();
            command.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        command.add(bin.resolve(program).toString());
        command.addAll(List.of(args));
        int status = Tools.runTo(dir.resolve(program + ".out"), command.toArray(new String[0]));
        if (status != 0 && !program.equals("pg_ctl")) {
            throw new AssertionError(program + " failed:\n" + Tools.read(dir.resolve(program + ".out")));
        }
        return status;
    }

    private void chownToPostgres() {
        Tools.runTo(dir.resolve("chown.out"), "chown", "-R", "postgres", dir.toString());
    }

    /**
     * A new folder under target/, or under the temporary directory when the checkout is in a folder the
     * {@code postgres} user cannot enter (PostgreSQL runs as that user when the JVM is root).
     */
    private static Path folder() {
        Path dir = Tools.newFolder("pg-");
        if (!"root".equals(System.getProperty("user.name"))
                || Tools.runTo(dir.resolve("reach.out"), "runuser", "-u", "postgres", "--", "test", "-x", dir.toString()) == 0) {
            return dir;
        }
        try {
            return Files.createTempDirectory("satchel-interop-pg-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Path binaries() {
        try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
                    .max(Path::compareTo).orElseThrow();
        } catch (IOException | RuntimeException e) {
            throw new AssertionError("PostgreSQL's server programs are missing: install postgresql (Debian), as .ci/run does");
        }
    }
}
