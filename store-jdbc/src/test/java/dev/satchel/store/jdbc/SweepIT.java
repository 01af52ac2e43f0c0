package dev.satchel.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.satchel.Session;
import dev.satchel.spi.SessionIds;
import dev.satchel.SessionManager;
import dev.satchel.spi.SessionRecord;
import dev.satchel.spi.StoreSessionManager;
import dev.satchel.store.jdbc.JdbcSessionManager.Dialect;
import dev.satchel.testkit.MutableClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** Expired rows: deleted in bounded batches, by the background sweeper too; live rows stay. */
@ParameterizedClass
@EnumSource(Dialect.class)
@ExtendWith(Databases.class)
class SweepIT {

    @Parameter
    Dialect dialect;

    private HikariDataSource pool;
    private TestTable table;
    private MutableClock clock;

    @BeforeEach
    void open() {
        pool = Databases.server(dialect).pool("sweep", 4);
        table = TestTable.create(dialect, pool, "sweep");
        clock = MutableClock.startingNow();
    }

    @AfterEach
    void close() {
        table.close();
        pool.close();
    }

    @Test
    @DisplayName("a sweep deletes expired rows in statements of at most the batch size, reports each, and no live row")
    void boundedBatches() {
        try (SessionManager m = table.manager(pool).clock(clock).sweepBatch(100).build()) {
            List<String> live = new ArrayList<>();
            for (int i = 0; i < 250; i++) {
                store(m, Duration.ofMinutes(1));
            }
            for (int i = 0; i < 20; i++) {
                live.add(store(m, Duration.ofHours(1)));
            }
            clock.advance(Duration.ofMinutes(2));
            JdbcSessionStore store = JdbcSessionStore.open(pool, dialect, TableName.of(table.name), false, 5);
            List<SessionRecord> reported = new ArrayList<>();
            assertEquals(100, store.sweep(clock.millis(), 100, reported::add));
            assertEquals(100, store.sweep(clock.millis(), 100, reported::add));
            assertEquals(50, store.sweep(clock.millis(), 100, reported::add));
            assertEquals(0, store.sweep(clock.millis(), 100, reported::add));
            assertEquals(250, reported.stream().map(SessionRecord::id).distinct().count(), "each deleted row reported");
            reported.forEach(r -> assertEquals("1", r.attribute("a")));
            assertEquals(20, table.count("SELECT count(*) FROM {t}"));
            live.forEach(id -> assertTrue(m.exists(id)));
        }
    }

    @Test
    @DisplayName("the background sweeper deletes every expired row, batch after batch")
    void backgroundSweeper() {
        try (SessionManager m = JdbcSessionManager.builder(pool).tableName(table.name).dialect(dialect).clock(clock)
                .sweepInterval(Duration.ofMillis(50)).sweepBatch(10).build()) {
            for (int i = 0; i < 35; i++) {
                store(m, Duration.ofMinutes(1));
            }
            String live = store(m, Duration.ofHours(1));
            clock.advance(Duration.ofMinutes(2));
            DatabaseServer.await("the sweeper deleted the expired rows", Duration.ofSeconds(30),
                    () -> table.count("SELECT count(*) FROM {t}") == 1);
            assertTrue(m.exists(live));
        }
    }

    @Test
    @DisplayName("a row is swept by what its expires_at_ms column says, and only rows of this format")
    void sweepTrustsTheExpiryColumn() {
        try (SessionManager m = table.manager(pool).clock(clock).build()) {
            String id = store(m, Duration.ofHours(1));
            String newer = SessionIds.newId();
            table.insertRaw(newer, SessionIds.newId(), 2, "{}", 0);
            table.execute("UPDATE {t} SET expires_at_ms = 0 WHERE id = '" + id + "'");
            assertEquals(1, StoreSessionManager.sweepNow(m));
            assertFalse(table.exists(id));
            assertTrue(table.exists(newer));
        }
    }

    private String store(SessionManager m, Duration idle) {
        Session s = m.newSession();
        s.setIdleTimeout(idle);
        s.put("a", 1);
        assertTrue(m.put(s));
        return s.id();
    }
}
