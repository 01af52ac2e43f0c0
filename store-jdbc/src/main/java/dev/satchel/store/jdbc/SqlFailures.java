package dev.satchel.store.jdbc;

import dev.satchel.SessionConflictException;
import dev.satchel.SessionStoreException;
import dev.satchel.SessionStoreTimeoutException;
import dev.satchel.SessionStoreUnavailableException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLRecoverableException;
import java.sql.SQLTimeoutException;
import java.sql.SQLTransientConnectionException;

/**
 * What an {@link SQLException} from PostgreSQL's or MariaDB's driver (or the pool in front of them) means
 * for a session store: which {@link SessionStoreException} to throw, and whether the statement may run
 * again. Decided by SQLState (PostgreSQL's are precise) and MariaDB/MySQL error code, never by message text.
 *
 * <p>Exception messages name the action, the SQLState and the vendor code, never the driver's message:
 * PostgreSQL's can quote a row ("Failing row contains …", with the randval), MariaDB's a key. The cause
 * is attached — except for data and constraint errors (SQLState classes 22 and 23), whose driver message
 * quotes values: their cause is a copy carrying only the SQLState and code, with the original stack trace.
 */
final class SqlFailures {

    private SqlFailures() {}

    /** The exception for {@code e}, which happened while {@code action} ("reading a session"). */
    static SessionStoreException translate(String action, SQLException e, TableName table) {
        String state = state(e);
        int code = e.getErrorCode();
        String where = " while " + action + " (SQLState " + (state.isEmpty() ? "none" : state) + ", code " + code + ")";
        if (isPoolTimeout(e)) {
            return new SessionStoreTimeoutException("no pooled connection became free within the pool's "
                    + "connection timeout" + where, e);
        }
        if (isTimeout(e)) {
            return new SessionStoreTimeoutException("the database did not answer within the statement timeout "
                    + "or a lock wait timeout" + where, e);
        }
        if (isReadOnly(e)) {
            return new SessionStoreUnavailableException("the database is read-only (a replica, or a primary "
                    + "that failed over): point the pool at the primary" + where, e);
        }
        if (isUnavailable(e)) {
            return new SessionStoreUnavailableException("the database is unreachable or refuses to serve" + where, e);
        }
        if (isRolledBack(e)) {
            return new SessionConflictException("the database kept rolling the statement back (serialization "
                    + "failure or deadlock)" + where, e);
        }
        if (state.equals("42P01") || state.equals("42703") || code == 1146 || code == 1054) {
            return new SessionStoreException("table " + table + " is missing or lacks a column this store needs: "
                    + "create it with JdbcSessionManager.schemaSql (the README shows it) or build with "
                    + "createSchemaIfMissing()" + where, e);
        }
        if (state.equals("42501") || code == 1142 || code == 1044 || code == 1045) {
            return new SessionStoreException("the database user lacks a privilege on table " + table + where, e);
        }
        if (state.startsWith("22") || state.startsWith("23")) {
            SQLException withheld = new SQLException("the driver's message is withheld: it may quote stored "
                    + "values", state, code);
            withheld.setStackTrace(e.getStackTrace());
            return new SessionStoreException("the database refused the data" + where, withheld);
        }
        return new SessionStoreException("the database failed" + where, e);
    }

    /**
     * Whether the database rolled the statement (or its transaction) back: a serialization failure or a
     * deadlock. Nothing of it was applied, so running it again is safe whatever it does.
     */
    static boolean isRolledBack(SQLException e) {
        SQLException s = e;
        for (int depth = 0; s != null && depth < 8; depth++, s = next(s)) {
            String state = state(s);
            if (state.equals("40001") || state.equals("40P01") || s.getErrorCode() == 1213) {
                return true;
            }
        }
        return false;
    }

    /**
     * Whether the connection broke under a statement that was sent (reset, closed by a restarting server):
     * whether it took effect is unknown, so only a statement that is safe to repeat may run again.
     */
    static boolean isBrokenConnection(SQLException e) {
        return !isPoolTimeout(e) && !isTimeout(e) && (e instanceof SQLRecoverableException
                || e instanceof SQLNonTransientConnectionException || state(e).startsWith("08")
                || state(e).equals("57P01") || state(e).equals("57P02"));
    }

    private static boolean isPoolTimeout(SQLException e) {
        // HikariCP (and others) report an exhausted pool as a transient connection exception; one that
        // carries a failed connection attempt as its cause is a database that cannot be reached instead.
        return e instanceof SQLTransientConnectionException && !state(e).startsWith("08") && !hasConnectFailure(e);
    }

    private static boolean isTimeout(SQLException e) {
        String state = state(e);
        int code = e.getErrorCode();
        return e instanceof SQLTimeoutException
                || state.equals("57014") // query_canceled: statement_timeout or a cancel (setQueryTimeout)
                || state.equals("55P03") // lock_not_available: lock_timeout
                || code == 1969 // MariaDB: max_statement_time exceeded
                || code == 3024 // MySQL: max_execution_time exceeded
                || code == 1205; // lock wait timeout exceeded
    }

    private static boolean isReadOnly(SQLException e) {
        int code = e.getErrorCode();
        return state(e).equals("25006") // read_only_sql_transaction: a hot standby, default_transaction_read_only
                || code == 1290 // running with --read-only
                || code == 1792 // read-only transaction
                || code == 1836; // MySQL: running in read-only mode
    }

    private static boolean isUnavailable(SQLException e) {
        String state = state(e);
        int code = e.getErrorCode();
        return state.startsWith("08")
                || state.equals("57P01") || state.equals("57P02") || state.equals("57P03") // shutdown, starting
                || state.equals("53300") // too_many_connections
                || code == 1040 || code == 1053 || code == 1927 || code == 2002 || code == 2006 || code == 2013
                || e instanceof SQLTransientConnectionException || e instanceof SQLNonTransientConnectionException
                || e instanceof SQLRecoverableException || hasConnectFailure(e);
    }

    private static boolean hasConnectFailure(Throwable e) {
        Throwable t = e;
        for (int depth = 0; t != null && depth < 16; depth++, t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof ConnectException || t instanceof UnknownHostException || t instanceof NoRouteToHostException) {
                return true;
            }
            if (t instanceof SQLException && t != e && state((SQLException) t).startsWith("08")) {
                return true;
            }
        }
        return false;
    }

    private static SQLException next(SQLException e) {
        SQLException n = e.getNextException();
        if (n != null && n != e) {
            return n;
        }
        return e.getCause() instanceof SQLException && e.getCause() != e ? (SQLException) e.getCause() : null;
    }

    private static String state(SQLException e) {
        String s = e.getSQLState();
        return s == null ? "" : s;
    }
}
