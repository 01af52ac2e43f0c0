package dev.satchel.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.zaxxer.hikari.HikariDataSource;
import dev.satchel.SessionManager;
import dev.satchel.spi.StoreSessionManager;
import dev.satchel.store.jdbc.JdbcSessionManager.Dialect;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The README's sweep figures: 100,000 expired rows and 10,000 live ones; two threads read live sessions
 * without pause, first for 3 s alone (after 2 s of warm-up), then while one sweep deletes the expired rows in batches of 1,000.
 * Reported: how long the sweep took, and the read latencies (median, 99th percentile, longest) in both
 * phases — the longest read during the sweep is the longest stall the sweep caused. A measurement, not a
 * test: excluded from the build; appended to {@code target/sweep-measurement.txt}. Run:
 *
 * <pre>
 * mvn -B -pl store-jdbc -am verify -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dit.test=SweepMeasurementIT -Dfailsafe.failIfNoSpecifiedTests=false -Dfailsafe.excludedGroups=none
 * </pre>
 */
@Tag("measure")
@ParameterizedClass
@EnumSource(Dialect.class)
@ExtendWith(Databases.class)
class SweepMeasurementIT {

    private static final int EXPIRED = 100_000;
    private static final int LIVE = 10_000;
    private static final int READERS = 2;

    @Parameter
    Dialect dialect;

    @Test
    @DisplayName("sweep of 100,000 expired rows while reads continue")
    void sweepWhileReading() throws Exception {
        DatabaseServer server = Databases.server(dialect);
        try (HikariDataSource pool = server.pool("measure", READERS + 2);
                TestTable table = TestTable.create(dialect, pool, "measure")) {
            long now = System.currentTimeMillis();
            fill(table, "A", EXPIRED, now - 60_000);
            fill(table, "B", LIVE, now + 3_600_000);
            table.execute(dialect == Dialect.POSTGRESQL ? "ANALYZE {t}" : "ANALYZE TABLE {t}");
            JdbcSessionStore store = JdbcSessionStore.open(pool, dialect, TableName.of(table.name), false, 5);
            try (SessionManager m = table.manager(pool).clock(Clock.systemUTC()).sweepBatch(1_000).build()) {
                read(store, 2_000, null); // warm-up: connections, JIT
                List<long[]> baseline = read(store, 3_000, null);
                long[] sweep = new long[2];
                List<long[]> during = read(store, 0, () -> {
                    long start = System.nanoTime();
                    sweep[0] = StoreSessionManager.sweepNow(m);
                    sweep[1] = System.nanoTime() - start;
                });
                assertEquals(EXPIRED, sweep[0]);
                assertEquals(LIVE, table.count("SELECT count(*) FROM {t}"));
                String line = String.format(Locale.ROOT, "%s: swept %,d rows in %,d ms (%d batches of 1,000); reads "
                        + "alone: %s; reads during the sweep: %s", dialect, sweep[0], sweep[1] / 1_000_000,
                        (sweep[0] + 999) / 1000 + 1, summary(baseline), summary(during));
                System.out.println(line);
                Files.writeString(Path.of(System.getProperty("basedir", "."), "target", "sweep-measurement.txt"),
                        line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
            }
        }
    }

    /** Inserts {@code n} rows with ids {@code prefix + number + A} (22 characters, canonical), expiring at {@code expiresAt}. */
    private void fill(TestTable table, String prefix, int n, long expiresAt) {
        String attributes = "{\"cart\": \"{\\\"items\\\":[{\\\"sku\\\":\\\"A-1\\\",\\\"qty\\\":2}]}\", "
                + "\"theme\": \"\\\"dark\\\"\", \"user\": \"\\\"someone@example.com\\\"\"}";
        if (dialect == Dialect.MARIADB) {
            attributes = attributes.replace("\\", "\\\\"); // a backslash escapes in MariaDB's string literals
        }
        String id = dialect == Dialect.POSTGRESQL ? "'" + prefix + "' || lpad(n::text, 20, '0') || 'A'"
                : "CONCAT('" + prefix + "', LPAD(seq, 20, '0'), 'A')";
        String select = "SELECT " + id + ", 'RRRRRRRRRRRRRRRRRRRRRA', " + (expiresAt - 1_800_000) + ", " + (expiresAt
                - 1_800_000) + ", 1800000, NULL, " + expiresAt + ", NULL, 1, 1, '" + attributes + "'"
                + (dialect == Dialect.POSTGRESQL ? "::jsonb FROM generate_series(1, " + n + ") AS n"
                        : " FROM seq_1_to_" + n); // MariaDB's sequence engine
        String columns = " (id, randval, created_ms, last_access_ms, idle_timeout_ms, deadline_ms, expires_at_ms, "
                + "principal, version, format_version, attributes) ";
        table.execute("INSERT INTO {t}" + columns + select);
    }

    /**
     * Reads random live sessions on {@link #READERS} threads for {@code millis}, or — when {@code during}
     * is given — for as long as {@code during} runs on this thread. Returns each thread's latencies (ns).
     */
    private List<long[]> read(JdbcSessionStore store, long millis, Runnable during) throws Exception {
        AtomicBoolean stop = new AtomicBoolean();
        long[][] latencies = new long[READERS][];
        List<Thread> threads = new ArrayList<>();
        for (int t = 0; t < READERS; t++) {
            int index = t;
            Thread thread = new Thread(() -> {
                long[] lat = new long[1 << 16];
                int n = 0;
                ThreadLocalRandom random = ThreadLocalRandom.current();
                while (!stop.get()) {
                    String id = String.format(Locale.ROOT, "B%020dA", 1 + random.nextInt(LIVE));
                    long start = System.nanoTime();
                    store.load(id);
                    long took = System.nanoTime() - start;
                    if (n == lat.length) {
                        lat = Arrays.copyOf(lat, n * 2);
                    }
                    lat[n++] = took;
                }
                latencies[index] = Arrays.copyOf(lat, n);
            });
            thread.start();
            threads.add(thread);
        }
        if (during == null) {
            Thread.sleep(millis); // a measurement spans wall-clock time by design
        } else {
            during.run();
        }
        stop.set(true);
        for (Thread thread : threads) {
            thread.join();
        }
        return Arrays.asList(latencies);
    }

    private static String summary(List<long[]> perThread) {
        long[] all = perThread.stream().flatMapToLong(Arrays::stream).sorted().toArray();
        return String.format(Locale.ROOT, "%,d reads, median %.2f ms, p99 %.2f ms, longest %.1f ms", all.length,
                all[all.length / 2] / 1e6, all[(int) (all.length * 0.99)] / 1e6, all[all.length - 1] / 1e6);
    }
}
