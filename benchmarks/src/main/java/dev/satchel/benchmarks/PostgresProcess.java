package dev.satchel.benchmarks;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.sql.DataSource;

/**
 * The PostgreSQL the JDBC benchmarks talk to: the one {@code -Dsatchel.bench.postgres=jdbc:postgresql://…}
 * names (user {@code satchel}, no password), else one started here — {@code initdb} and {@code pg_ctl} from
 * {@code /usr/lib/postgresql/*}{@code /bin} on a free loopback port, in a folder of its own, run as the
 * {@code postgres} user when this JVM is root — and stopped by {@link #close()}. {@code fsync} stays on;
 * {@code synchronous_commit} is off, so a commit does not wait for this VM's shared disk (1–6 ms a flush,
 * varying with the other builds on the machine), which would otherwise dominate every write of every
 * implementation alike and hide what the stores themselves cost.
 */
final class PostgresProcess implements AutoCloseable {

    static final String URL_PROPERTY = "satchel.bench.postgres";
    static final String USER = "satchel";

    private final String url;
    private final Path bin;
    private final Path data;

    private PostgresProcess(String url, Path bin, Path data) {
        this.url = url;
        this.bin = bin;
        this.data = data;
    }

    /** The server named by the property, or a new one. */
    static PostgresProcess obtain() {
        String url = System.getProperty(URL_PROPERTY);
        if (url != null && !url.isEmpty()) {
            return new PostgresProcess(url, null, null);
        }
        Path bin = binaries();
        Path dir = Scratch.newDir("postgres");
        Path data = dir.resolve("data");
        int port = freePort();
        PostgresProcess p = new PostgresProcess("jdbc:postgresql://127.0.0.1:" + port + "/postgres", bin, data);
        try {
            p.asPostgres(dir, bin.resolve("initdb").toString(), "-D", data.toString(), "-U", USER, "-A", "trust",
                    "-E", "UTF8", "--locale=C");
            Files.write(data.resolve("postgresql.conf"), List.of("listen_addresses = '127.0.0.1'", "port = " + port,
                    "unix_socket_directories = ''", "max_connections = 50", "shared_buffers = 128MB",
                    "synchronous_commit = off"),
                    StandardCharsets.UTF_8, StandardOpenOption.APPEND);
            p.asPostgres(dir, bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l",
                    dir.resolve("postgres.log").toString(), "-w", "-t", "60", "start");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return p;
    }

    /** A pool of {@code size} connections to it, as an application configures HikariCP. */
    HikariDataSource pool(int size) {
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(url);
        c.setUsername(USER);
        c.setMaximumPoolSize(size);
        c.setMinimumIdle(size);
        return new HikariDataSource(c);
    }

    /** Drops the tables a client made. */
    static void drop(DataSource ds, String... tables) {
        try (var c = ds.getConnection(); var s = c.createStatement()) {
            for (String t : tables) {
                s.execute("DROP TABLE IF EXISTS " + t + " CASCADE");
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("cannot drop the benchmark's tables", e);
        }
    }

    /** Stops the server if it was started here and deletes its folder. */
    @Override
    public void close() {
        if (bin == null) {
            return;
        }
        try {
            asPostgres(data.getParent(), bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "fast", "-w",
                    "stop");
            Scratch.delete(data.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void asPostgres(Path dir, String... command) throws IOException {
        List<String> cmd = new ArrayList<>();
        if ("root".equals(System.getProperty("user.name"))) {
            // PostgreSQL refuses to run as root: hand the folder to the postgres user and run as it.
            run(List.of("chown", "-R", "postgres:", dir.toString()));
            cmd.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        cmd.addAll(List.of(command));
        run(cmd);
    }

    private static void run(List<String> command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start();
        try {
            if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException(String.join(" ", command) + " failed");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static Path binaries() {
        try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("initdb")))
                    .max(Path::compareTo)
                    .orElseThrow(() -> new IllegalStateException("no initdb: install the Debian package postgresql"));
        } catch (IOException e) {
            throw new IllegalStateException("no /usr/lib/postgresql: install the Debian package postgresql", e);
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
