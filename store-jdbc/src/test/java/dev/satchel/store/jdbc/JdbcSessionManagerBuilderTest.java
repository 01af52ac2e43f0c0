package dev.satchel.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.SessionManager;
import dev.satchel.store.jdbc.JdbcSessionManager.Dialect;
import java.io.PrintWriter;
import java.sql.Connection;
import java.time.Clock;
import java.time.Duration;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The builder's rules and the table name's, without a database. */
class JdbcSessionManagerBuilderTest {

    /** A data source that must not be used. */
    static final DataSource UNUSED = new DataSource() {
        @Override public Connection getConnection() {
            throw new AssertionError("no connection expected");
        }
        @Override public Connection getConnection(String user, String password) {
            throw new AssertionError("no connection expected");
        }
        @Override public PrintWriter getLogWriter() {
            return null;
        }
        @Override public void setLogWriter(PrintWriter out) {}
        @Override public void setLoginTimeout(int seconds) {}
        @Override public int getLoginTimeout() {
            return 0;
        }
        @Override public Logger getParentLogger() {
            return Logger.getGlobal();
        }
        @Override public <T> T unwrap(Class<T> iface) {
            throw new UnsupportedOperationException();
        }
        @Override public boolean isWrapperFor(Class<?> iface) {
            return false;
        }
    };

    @Test
    @DisplayName("a second call to a setter is refused with an exact message")
    void secondCallsAreRefused() {
        JdbcSessionManager.Builder b = JdbcSessionManager.builder(UNUSED).tableName("a").dialect(Dialect.MARIADB)
                .clock(Clock.systemUTC()).statementTimeout(Duration.ofSeconds(3)).sweepInterval(Duration.ofMinutes(5))
                .sweepBatch(10).createSchemaIfMissing();
        assertEquals("table name was already set to a",
                assertThrows(IllegalStateException.class, () -> b.tableName("b")).getMessage());
        assertEquals("dialect was already set to MARIADB",
                assertThrows(IllegalStateException.class, () -> b.dialect(Dialect.POSTGRESQL)).getMessage());
        assertEquals("statement timeout was already set to PT3S",
                assertThrows(IllegalStateException.class, () -> b.statementTimeout(Duration.ofSeconds(1))).getMessage());
        assertEquals("sweep interval was already set to PT5M",
                assertThrows(IllegalStateException.class, () -> b.sweepInterval(Duration.ofMinutes(1))).getMessage());
        assertEquals("sweep interval was already set to PT5M",
                assertThrows(IllegalStateException.class, b::withoutSweeper).getMessage());
        assertEquals("sweep batch was already set to 10",
                assertThrows(IllegalStateException.class, () -> b.sweepBatch(20)).getMessage());
        assertEquals("createSchemaIfMissing was already called",
                assertThrows(IllegalStateException.class, b::createSchemaIfMissing).getMessage());
        assertThrows(IllegalStateException.class, () -> b.clock(Clock.systemUTC()));
        b.metrics(dev.satchel.spi.StoreMetrics.NONE);
        assertThrows(IllegalStateException.class, () -> b.metrics(dev.satchel.spi.StoreMetrics.NONE));
        JdbcSessionManager.Builder off = JdbcSessionManager.builder(UNUSED).withoutSweeper();
        assertEquals("the background sweeper was already turned off",
                assertThrows(IllegalStateException.class, () -> off.sweepInterval(Duration.ofMinutes(1))).getMessage());
    }

    @Test
    @DisplayName("null is a NullPointerException naming the parameter")
    void nullsAreNamed() {
        assertEquals("dataSource", assertThrows(NullPointerException.class,
                () -> JdbcSessionManager.builder(null)).getMessage());
        JdbcSessionManager.Builder b = JdbcSessionManager.builder(UNUSED);
        assertEquals("name", assertThrows(NullPointerException.class, () -> b.tableName(null)).getMessage());
        assertEquals("dialect", assertThrows(NullPointerException.class, () -> b.dialect(null)).getMessage());
        assertEquals("clock", assertThrows(NullPointerException.class, () -> b.clock(null)).getMessage());
        assertEquals("timeout", assertThrows(NullPointerException.class, () -> b.statementTimeout(null)).getMessage());
        assertEquals("interval", assertThrows(NullPointerException.class, () -> b.sweepInterval(null)).getMessage());
        assertEquals("metrics", assertThrows(NullPointerException.class, () -> b.metrics(null)).getMessage());
    }

    @Test
    @DisplayName("out-of-range values are refused")
    void ranges() {
        JdbcSessionManager.Builder b = JdbcSessionManager.builder(UNUSED);
        assertThrows(IllegalArgumentException.class, () -> b.statementTimeout(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> b.sweepInterval(Duration.ofSeconds(-1)));
        assertEquals("sweep batch must be between 1 and 100000, was 0",
                assertThrows(IllegalArgumentException.class, () -> b.sweepBatch(0)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> b.sweepBatch(100_001));
    }

    @Test
    @DisplayName("with the dialect set and no schema to create, build() makes no connection; build() can repeat")
    void buildWithoutConnecting() {
        JdbcSessionManager.Builder b = JdbcSessionManager.builder(UNUSED).dialect(Dialect.POSTGRESQL).withoutSweeper();
        try (SessionManager one = b.build(); SessionManager two = b.build()) {
            assertTrue(one != two);
            assertTrue(one instanceof dev.satchel.PrincipalIndex);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "A", "Sessions", "1a", "a-b", "a b", "a;drop table x", "a\"b", "a`b", "a'b", "a.b.c",
        ".a", "a.", "ключ", "a\u0000", "a$b", "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvw"})
    @DisplayName("a table name that is not a plain lowercase identifier is refused")
    void badTableNames(String name) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> JdbcSessionManager.builder(UNUSED).tableName(name));
        assertTrue(e.getMessage().startsWith("table name "), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"a", "_", "satchel_sessions", "app.sessions", "s1.t_2", "user", "select",
        "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuv"})
    @DisplayName("plain identifiers pass, reserved words too (the store quotes them)")
    void goodTableNames(String name) {
        assertEquals(name, TableName.of(name).toString());
    }

    @Test
    @DisplayName("schemaSql: the shipped DDL for the table, quoted, with index names from the table's own name")
    void schemaSql() {
        String pg = JdbcSessionManager.schemaSql(Dialect.POSTGRESQL, "app.sessions");
        assertTrue(pg.contains("CREATE TABLE IF NOT EXISTS \"app\".\"sessions\" ("), pg);
        assertTrue(pg.contains("CREATE INDEX IF NOT EXISTS sessions_expires_at ON \"app\".\"sessions\" (expires_at_ms);"), pg);
        String maria = JdbcSessionManager.schemaSql(Dialect.MARIADB, "satchel_sessions");
        assertTrue(maria.contains("CREATE TABLE IF NOT EXISTS `satchel_sessions` ("), maria);
        assertTrue(maria.contains("INDEX satchel_sessions_principal (principal)"), maria);
        assertEquals(3, SqlDialect.of(Dialect.POSTGRESQL, TableName.of("t")).schemaStatements().size());
        assertEquals(1, SqlDialect.of(Dialect.MARIADB, TableName.of("t")).schemaStatements().size());
        assertThrows(IllegalArgumentException.class, () -> JdbcSessionManager.schemaSql(Dialect.MARIADB, "x;y"));
    }
}
