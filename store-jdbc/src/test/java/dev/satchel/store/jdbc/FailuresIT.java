package dev.satchel.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.satchel.Session;
import dev.satchel.SessionConflictException;
import dev.satchel.spi.SessionIds;
import dev.satchel.SessionManager;
import dev.satchel.spi.SessionAccess;
import dev.satchel.SessionStoreException;
import dev.satchel.SessionStoreTimeoutException;
import dev.satchel.SessionStoreUnavailableException;
import dev.satchel.store.jdbc.JdbcSessionManager.Dialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.AfterParameterizedClassInvocation;
import org.junit.jupiter.params.BeforeParameterizedClassInvocation;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import org.slf4j.LoggerFactory;

/**
 * Failures against real servers of this class's own (they are stopped, locked up and made read-only):
 * the database restarted mid-run, a statement timeout, a full pool, a serialization failure or deadlock,
 * a read-only replica, a missing table. Each failure is the matching {@link SessionStoreException}
 * subclass with the driver's exception as cause, leaves no row half written, and the same manager works
 * again once the database does.
 */
@ParameterizedClass
@EnumSource(Dialect.class)
class FailuresIT {

    private static DatabaseServer server;

    @Parameter
    Dialect dialect;

    private final List<AutoCloseable> closing = new ArrayList<>();
    private TestTable table;

    @BeforeParameterizedClassInvocation
    static void startServer(Dialect dialect) {
        server = dialect == Dialect.POSTGRESQL ? PostgresServer.create() : MariaDbServer.create();
    }

    @AfterParameterizedClassInvocation
    static void stopServer() {
        server.close();
    }

    @BeforeEach
    void createTable() {
        table = TestTable.create(dialect, pool(2, Duration.ofSeconds(5)), "failures");
    }

    @AfterEach
    void closeAll() throws Exception {
        if (!server.isRunning()) {
            server.start();
        }
        table.close();
        for (int i = closing.size() - 1; i >= 0; i--) {
            closing.get(i).close();
        }
    }

    @Test
    @DisplayName("the database restarted mid-run: clear errors while it is down, then the same manager recovers")
    void restartMidRun() throws Exception {
        SessionManager m = manager(pool(4, Duration.ofMillis(500)), Duration.ofSeconds(2));
        Session s = m.newSession();
        s.put("cart", List.of(1, 2));
        assertTrue(m.put(s));
        String sid = s.id();
        Session pending = m.get(sid).orElseThrow();
        pending.put("cart", List.of(1, 2, 3));

        server.stop();
        assertUnavailable(() -> m.get(sid));
        assertUnavailable(() -> m.put(pending));
        Session fresh = m.newSession();
        fresh.put("x", 1);
        assertUnavailable(() -> m.put(fresh));
        assertUnavailable(() -> m.remove(sid));
        SessionStoreException detect = assertThrows(SessionStoreUnavailableException.class,
                () -> JdbcSessionManager.builder(table.pool).tableName(table.name).build(),
                "detecting the dialect needs the database");
        assertNotNull(detect.getCause());
        SessionManager builtWhileDown = manager(table.pool, Duration.ofSeconds(2)); // dialect set: no connection

        server.start();
        DatabaseServer.await("the manager reads again", Duration.ofSeconds(60), () -> {
            try {
                return m.get(sid).isPresent();
            } catch (SessionStoreUnavailableException e) {
                return false;
            }
        });
        assertEquals(List.of(1, 2), m.get(sid).orElseThrow().get("cart"), "the failed put wrote nothing");
        assertTrue(m.put(pending), "a change kept across the outage is saved now");
        assertEquals(List.of(1, 2, 3), builtWhileDown.get(sid).orElseThrow().get("cart"));
        assertTrue(m.put(fresh), "and so is a new session");
        m.remove(sid);
        assertFalse(m.exists(sid));
    }

    @Test
    @DisplayName("a statement that outlives the statement timeout: SessionStoreTimeoutException, nothing written")
    void statementTimeout() throws Exception {
        SessionManager m = manager(pool(2, Duration.ofSeconds(5)), Duration.ofSeconds(1));
        Session s = m.newSession();
        s.put("n", 1);
        assertTrue(m.put(s));
        Session change = m.get(s.id()).orElseThrow();
        change.put("n", 2);
        try (Connection locker = server.connectAsAdmin()) {
            locker.setAutoCommit(false);
            try (PreparedStatement lock = locker.prepareStatement("SELECT id FROM " + table.name
                    + " WHERE id = ? FOR UPDATE")) {
                lock.setString(1, s.id());
                lock.executeQuery().close();
            }
            long start = System.nanoTime();
            SessionStoreTimeoutException e = assertThrows(SessionStoreTimeoutException.class, () -> m.put(change));
            assertNotNull(e.getCause());
            assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(30), "cancelled, not waited out");
            locker.rollback();
        }
        assertEquals(1, m.get(s.id()).orElseThrow().get("n"), "the timed-out put wrote nothing");
        assertEquals(1L, ((Number) table.row(s.id()).get("version")).longValue());
        assertTrue(m.put(change), "the same change goes through once the lock is gone");
        assertEquals(2, m.get(s.id()).orElseThrow().get("n"));
    }

    @Test
    @DisplayName("a read blocked by a table lock: SessionStoreTimeoutException")
    void readTimeout() throws Exception {
        SessionManager m = manager(pool(2, Duration.ofSeconds(5)), Duration.ofSeconds(1));
        Session s = m.newSession();
        s.put("n", 1);
        assertTrue(m.put(s));
        try (Connection locker = server.connectAsAdmin()) {
            locker.setAutoCommit(false);
            try (var st = locker.createStatement()) {
                st.execute(dialect == Dialect.POSTGRESQL
                        ? "LOCK TABLE " + table.name + " IN ACCESS EXCLUSIVE MODE"
                        : "LOCK TABLES " + table.name + " WRITE");
            }
            assertInstanceOf(SQLException.class,
                    assertThrows(SessionStoreTimeoutException.class, () -> m.get(s.id())).getCause());
            try (var st = locker.createStatement()) {
                if (dialect == Dialect.MARIADB) {
                    st.execute("UNLOCK TABLES");
                }
            }
            locker.rollback();
        }
        assertEquals(1, m.get(s.id()).orElseThrow().get("n"));
    }

    @Test
    @DisplayName("a full pool: SessionStoreTimeoutException after the pool's wait, then normal service")
    void fullPool() throws Exception {
        HikariDataSource small = pool(2, Duration.ofMillis(300));
        SessionManager m = manager(small, Duration.ofSeconds(2));
        Session s = m.newSession();
        s.put("n", 1);
        assertTrue(m.put(s));
        try (Connection a = small.getConnection(); Connection b = small.getConnection()) {
            SessionStoreTimeoutException e = assertThrows(SessionStoreTimeoutException.class, () -> m.get(s.id()));
            assertTrue(e.getMessage().contains("pool"), e.getMessage());
            assertNotNull(e.getCause());
            Session change = m.newSession();
            change.put("n", 2);
            assertThrows(SessionStoreTimeoutException.class, () -> m.put(change));
            assertFalse(table.exists(change.id()));
        }
        assertEquals(1, m.get(s.id()).orElseThrow().get("n"));
    }

    @Test
    @DisplayName("a serialization failure or deadlock is retried: the change is stored once")
    void rolledBackStatementIsRetried() throws Exception {
        HikariDataSource strict = pool(2, Duration.ofSeconds(5), "TRANSACTION_REPEATABLE_READ");
        SessionManager m = manager(strict, Duration.ofSeconds(30));
        Session s = m.newSession();
        s.put("n", 1);
        assertTrue(m.put(s));
        Session change = m.get(s.id()).orElseThrow();
        change.put("mine", true);
        try (RetryLog retries = new RetryLog(); Connection other = server.connectAsAdmin()) {
            other.setAutoCommit(false);
            Future<Boolean> put = collideOnce(other, s.id(), () -> m.put(change));
            assertTrue(put.get(60, TimeUnit.SECONDS), "stored after the retry");
            assertTrue(retries.count() >= 1, "the statement was rolled back and run again");
        }
        Session end = m.get(s.id()).orElseThrow();
        assertEquals(Boolean.TRUE, end.get("mine"));
        assertEquals(3L, SessionAccess.record(end).version(), "created, the other transaction's write, this change: once each");
    }

    @Test
    @DisplayName("a statement rolled back more often than retried: SessionConflictException after 3 attempts")
    void retriesRunOut() {
        SessionManager m = manager(pool(2, Duration.ofSeconds(5)), Duration.ofSeconds(5));
        Session s = m.newSession();
        s.put("n", 1);
        assertTrue(m.put(s));
        Session change = m.get(s.id()).orElseThrow();
        change.put("mine", true);
        // A trigger that fails every update of the table as a serialization failure (SQLState 40001), and
        // counts the attempts in a sequence (sequences are not rolled back).
        if (dialect == Dialect.POSTGRESQL) {
            table.execute("CREATE SEQUENCE {t}_attempts");
            table.execute("CREATE FUNCTION {t}_refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                    + "PERFORM nextval('{t}_attempts'); RAISE EXCEPTION 'refused' USING ERRCODE = '40001'; END $$");
            table.execute("CREATE TRIGGER {t}_refuse BEFORE UPDATE ON {t} FOR EACH ROW EXECUTE FUNCTION {t}_refuse()");
        } else {
            table.execute("CREATE SEQUENCE {t}_attempts");
            table.execute("CREATE TRIGGER {t}_refuse BEFORE UPDATE ON {t} FOR EACH ROW BEGIN "
                    + "DECLARE n BIGINT; SET n = NEXTVAL({t}_attempts); SIGNAL SQLSTATE '40001'; END");
        }
        SessionConflictException e = assertThrows(SessionConflictException.class, () -> m.put(change));
        assertNotNull(e.getCause());
        assertEquals(JdbcSessionStore.MAX_ATTEMPTS, table.count(dialect == Dialect.POSTGRESQL
                ? "SELECT last_value FROM {t}_attempts" : "SELECT NEXTVAL({t}_attempts) - 1"));
        assertFalse(m.get(s.id()).orElseThrow().contains("mine"), "nothing written");
    }

    @Test
    @DisplayName("a read-only database (a replica after a failover): reads work, writes are unavailable")
    void readOnlyReplica() throws Exception {
        SessionManager primary = manager(pool(2, Duration.ofSeconds(5)), Duration.ofSeconds(2));
        Session s = primary.newSession();
        s.put("n", 1);
        assertTrue(primary.put(s));
        DatabaseServer replica = null;
        try {
            SessionManager m;
            if (dialect == Dialect.POSTGRESQL) {
                replica = ((PostgresServer) server).standby();
                closing.add(replica);
                m = manager(pool(replica, 2), Duration.ofSeconds(2));
                DatabaseServer.await("the standby has the session", Duration.ofSeconds(60), () -> m.exists(s.id()));
            } else {
                ((MariaDbServer) server).executeAsAdmin("SET GLOBAL read_only = ON");
                m = primary;
            }
            Session change = m.get(s.id()).orElseThrow();
            change.put("n", 2);
            SessionStoreUnavailableException e = assertThrows(SessionStoreUnavailableException.class, () -> m.put(change));
            assertTrue(e.getMessage().contains("read-only"), e.getMessage());
            assertNotNull(e.getCause());
            Session fresh = m.newSession();
            fresh.put("x", 1);
            assertThrows(SessionStoreUnavailableException.class, () -> m.put(fresh));
            assertThrows(SessionStoreUnavailableException.class, () -> m.remove(s.id()));
            assertEquals(1, m.get(s.id()).orElseThrow().get("n"), "reads still work");
        } finally {
            if (dialect == Dialect.MARIADB) {
                ((MariaDbServer) server).executeAsAdmin("SET GLOBAL read_only = OFF");
            }
        }
        assertEquals(1, primary.get(s.id()).orElseThrow().get("n"));
    }

    @Test
    @DisplayName("a missing table: build() with detection says how to create it; without, every call does")
    void missingTable() {
        SessionStoreException atBuild = assertThrows(SessionStoreException.class,
                () -> JdbcSessionManager.builder(table.pool).tableName("no_such_table").build());
        assertTrue(atBuild.getMessage().contains("no_such_table") && atBuild.getMessage().contains("schemaSql"),
                atBuild.getMessage());
        SessionManager m = JdbcSessionManager.builder(table.pool).tableName("no_such_table").dialect(dialect)
                .withoutSweeper().build();
        closing.add(m);
        SessionStoreException e = assertThrows(SessionStoreException.class, () -> m.get(SessionIds.newId()));
        assertTrue(e.getMessage().contains("createSchemaIfMissing"), e.getMessage());
    }

    // ------------------------------------------------------------------ helpers

    private static void assertUnavailable(Executable call) {
        SessionStoreUnavailableException e = assertThrows(SessionStoreUnavailableException.class, call);
        assertNotNull(e.getCause(), "the driver's exception is attached");
    }

    /**
     * Starts {@code call} on another thread and makes its statement collide once with a transaction on
     * {@code other}, which changes the row and commits only after {@code call}'s statement waits for it.
     */
    private Future<Boolean> collideOnce(Connection other, String sid, Supplier<Boolean> call) throws Exception {
        ExecutorService thread = Executors.newSingleThreadExecutor();
        closing.add(thread::shutdownNow);
        if (dialect == Dialect.POSTGRESQL) {
            // Repeatable read: an UPDATE that waited for a row another transaction then changed fails (40001).
            Future<Boolean> put = submitAfterLocking(other, sid, thread, call);
            other.commit();
            return put;
        }
        // MariaDB: a deadlock (1213). The other transaction holds a shared lock on the row and has written 50
        // rows elsewhere, so InnoDB picks the store's one-row statement as the victim when both want the row.
        try (var st = other.createStatement()) {
            st.execute("CREATE TABLE IF NOT EXISTS ballast (n INT PRIMARY KEY)");
            other.commit();
            st.execute("DELETE FROM ballast");
            for (int i = 0; i < 50; i++) {
                st.execute("INSERT INTO ballast VALUES (" + i + ")");
            }
        }
        try (PreparedStatement share = other.prepareStatement("SELECT id FROM " + table.name
                + " WHERE id = ? LOCK IN SHARE MODE")) {
            share.setString(1, sid);
            share.executeQuery().close();
        }
        Future<Boolean> put = thread.submit(call::get);
        DatabaseServer.await("the store's statement waits for the row", Duration.ofSeconds(30),
                () -> server.sessionsWaitingForLocks() == 1);
        try (PreparedStatement update = other.prepareStatement("UPDATE " + table.name
                + " SET version = version + 1 WHERE id = ?")) {
            update.setString(1, sid);
            update.executeUpdate(); // deadlock: the store's statement is rolled back and waits again
        }
        other.commit();
        return put;
    }

    /** Locks and changes the row on {@code other}, then runs {@code call} until its statement waits. */
    private Future<Boolean> submitAfterLocking(Connection other, String sid, ExecutorService thread,
            Supplier<Boolean> call) throws Exception {
        try (PreparedStatement update = other.prepareStatement("UPDATE " + table.name
                + " SET version = version + 1 WHERE id = ?")) {
            update.setString(1, sid);
            update.executeUpdate();
        }
        Future<Boolean> put = thread.submit(call::get);
        DatabaseServer.await("the store's statement waits for the row", Duration.ofSeconds(30),
                () -> server.sessionsWaitingForLocks() == 1);
        return put;
    }

    private HikariDataSource pool(int size, Duration wait) {
        return pool(size, wait, null);
    }

    private HikariDataSource pool(int size, Duration wait, String isolation) {
        HikariDataSource p = server.pool("failures", size, wait);
        if (isolation != null) {
            p.close();
            HikariConfig c = new HikariConfig();
            p.copyStateTo(c);
            c.setTransactionIsolation(isolation);
            p = new HikariDataSource(c);
        }
        closing.add(p);
        return p;
    }

    private HikariDataSource pool(DatabaseServer on, int size) {
        HikariDataSource p = on.pool("replica", size, Duration.ofSeconds(2));
        closing.add(p);
        return p;
    }

    private SessionManager manager(javax.sql.DataSource pool, Duration statementTimeout) {
        SessionManager m = table.manager(pool).statementTimeout(statementTimeout).build();
        closing.add(m);
        return m;
    }

    /** Counts the store's "running again" debug lines while open. */
    private static final class RetryLog implements AutoCloseable {
        private final Logger logger = (Logger) LoggerFactory.getLogger(JdbcSessionStore.class);
        private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
        private final Level before = logger.getLevel();

        RetryLog() {
            appender.start();
            logger.addAppender(appender);
            logger.setLevel(Level.DEBUG);
        }

        long count() {
            return appender.list.stream().filter(e -> e.getFormattedMessage().startsWith("Running again")).count();
        }

        @Override
        public void close() {
            logger.detachAppender(appender);
            logger.setLevel(before);
        }
    }
}
