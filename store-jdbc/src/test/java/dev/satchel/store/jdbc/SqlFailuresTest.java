package dev.satchel.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.SessionConflictException;
import dev.satchel.SessionStoreException;
import dev.satchel.SessionStoreTimeoutException;
import dev.satchel.SessionStoreUnavailableException;
import java.net.ConnectException;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** How driver and pool exceptions are read: by SQLState and vendor code, as both drivers report them. */
class SqlFailuresTest {

    private static final TableName T = TableName.of("satchel_sessions");

    private static SessionStoreException translate(SQLException e) {
        return SqlFailures.translate("reading a session", e, T);
    }

    @Test
    @DisplayName("each failure maps to its exception, the cause attached")
    void mapping() {
        SQLException refused = new SQLException("Connection refused", "08001");
        assertSame(refused, assertInstanceOf(SessionStoreUnavailableException.class, translate(refused)).getCause());
        assertInstanceOf(SessionStoreUnavailableException.class, translate(new SQLException("x", "57P01")));
        assertInstanceOf(SessionStoreUnavailableException.class, translate(new SQLException("x", "53300")));
        assertInstanceOf(SessionStoreUnavailableException.class, translate(new SQLException("x", "HY000", 1040)));
        assertInstanceOf(SessionStoreUnavailableException.class, translate(new SQLException("x", "25006")));
        assertTrue(translate(new SQLException("x", "HY000", 1290)).getMessage().contains("read-only"));
        assertInstanceOf(SessionStoreTimeoutException.class, translate(new SQLException("x", "57014")));
        assertInstanceOf(SessionStoreTimeoutException.class, translate(new SQLTimeoutException("x", "70100", 1969)));
        assertInstanceOf(SessionStoreTimeoutException.class, translate(new SQLException("x", "HY000", 1205)));
        assertInstanceOf(SessionConflictException.class, translate(new SQLException("x", "40001")));
        assertInstanceOf(SessionConflictException.class, translate(new SQLException("x", "40P01")));
        assertTrue(translate(new SQLException("x", "42P01")).getMessage().contains("createSchemaIfMissing"));
        assertTrue(translate(new SQLException("x", "42S02", 1146)).getMessage().contains("satchel_sessions"));
        assertEquals(SessionStoreException.class, translate(new SQLException("x", "53100")).getClass());
    }

    @Test
    @DisplayName("an exhausted pool is a timeout; a pool that cannot connect is the database being unavailable")
    void pool() {
        SessionStoreException full = translate(new SQLTransientConnectionException(
                "pool - Connection is not available, request timed out after 300ms"));
        assertInstanceOf(SessionStoreTimeoutException.class, full);
        assertTrue(full.getMessage().contains("pooled connection"), full.getMessage());
        SQLTransientConnectionException down = new SQLTransientConnectionException("timed out", null,
                new SQLException("refused", "08001", new ConnectException("Connection refused")));
        assertInstanceOf(SessionStoreUnavailableException.class, translate(down));
    }

    @Test
    @DisplayName("messages hold SQLState and code, never the driver's text; data errors withhold it from the cause too")
    void noDriverText() {
        SQLException quoting = new SQLIntegrityConstraintViolationException(
                "new row violates check constraint; Failing row contains (id, SECRET-RANDVAL)", "23514", 0);
        SessionStoreException e = translate(quoting);
        assertFalse(e.getMessage().contains("SECRET"), e.getMessage());
        assertFalse(e.getCause().getMessage().contains("SECRET"), e.getCause().getMessage());
        assertEquals("23514", ((SQLException) e.getCause()).getSQLState());
        assertTrue(e.getMessage().contains("SQLState 23514"), e.getMessage());
        assertFalse(translate(new SQLException("password for user=bob", "08001")).getMessage().contains("bob"));
    }

    @Test
    @DisplayName("rolled back (retry anything) and broken connection (retry only what is idempotent)")
    void retryClasses() {
        assertTrue(SqlFailures.isRolledBack(new SQLException("x", "40001")));
        assertTrue(SqlFailures.isRolledBack(new SQLException("x", "40001", 1213)));
        assertTrue(SqlFailures.isRolledBack(new SQLException("outer", "XX000", new SQLException("x", "40P01"))));
        assertFalse(SqlFailures.isRolledBack(new SQLException("x", "57014")));
        assertTrue(SqlFailures.isBrokenConnection(new SQLException("I/O error", "08006")));
        assertFalse(SqlFailures.isBrokenConnection(new SQLTransientConnectionException("pool timed out")));
        assertFalse(SqlFailures.isBrokenConnection(new SQLException("x", "57014")));
    }
}
