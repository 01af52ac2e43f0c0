package dev.satchel.store.jdbc;

import dev.satchel.spi.ChangeSet;
import dev.satchel.spi.PrincipalIndexedStore;
import dev.satchel.spi.SessionRecord;
import dev.satchel.spi.SessionStore;
import dev.satchel.spi.SweepableStore;
import dev.satchel.store.jdbc.JdbcSessionManager.Dialect;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.SQLException;
import java.util.Collection;
import java.util.Locale;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The I/O of the JDBC store, for core's {@link dev.satchel.spi.StoreSessionManager}: no clock, no expiry
 * decision, no id validation (every id it is given is valid). Each operation borrows one connection from the
 * {@link DataSource}, runs its statements (see {@link JdbcSessionManager} for which), commits if the
 * connection is not in auto-commit, and returns it.
 *
 * <p><b>Retries.</b> A statement the database rolled back (serialization failure, deadlock: nothing of it
 * applied) runs again, up to {@value #MAX_ATTEMPTS} times in all, whatever it does. A read or delete whose
 * connection broke under it (outcome unknown, but repeating it changes nothing) runs once more on another
 * connection. A create or merge whose connection broke is not repeated: the caller gets
 * {@link dev.satchel.SessionStoreUnavailableException}. Every operation throws a
 * {@link dev.satchel.SessionStoreException} subclass when the database fails ({@link SqlFailures}).
 * Thread-safe.
 */
final class JdbcSessionStore implements SessionStore, SweepableStore, PrincipalIndexedStore {

    static final int MAX_ATTEMPTS = 3;

    private static final Logger LOG = LoggerFactory.getLogger(JdbcSessionStore.class);

    private final DataSource dataSource;
    private final SqlDialect sql;
    private final int timeout;
    private final boolean nulFree;

    private JdbcSessionStore(DataSource dataSource, SqlDialect sql, int timeoutSeconds) {
        this.dataSource = dataSource;
        this.sql = sql;
        this.timeout = timeoutSeconds;
        this.nulFree = sql.nulFree();
    }

    /**
     * A store over {@code table}. Connects once when {@code dialect} is {@code null} (to detect it) or
     * {@code createSchema}, and then checks the database and the table; otherwise makes no connection.
     */
    static JdbcSessionStore open(DataSource dataSource, Dialect dialect, TableName table, boolean createSchema,
            int timeoutSeconds) {
        if (dialect != null && !createSchema) {
            return new JdbcSessionStore(dataSource, SqlDialect.of(dialect, table), timeoutSeconds);
        }
        Connection c;
        try {
            c = dataSource.getConnection();
        } catch (SQLException e) {
            throw SqlFailures.translate("connecting to check the database", e, table);
        }
        try (c) {
            SqlDialect sql = SqlDialect.of(dialect != null ? dialect : detect(c.getMetaData()), table);
            if (createSchema) {
                sql.createSchema(c, timeoutSeconds);
                if (!c.getAutoCommit()) {
                    c.commit();
                }
            }
            sql.checkDatabase(c, timeoutSeconds);
            if (!c.getAutoCommit()) {
                c.commit();
            }
            return new JdbcSessionStore(dataSource, sql, timeoutSeconds);
        } catch (SQLException e) {
            throw SqlFailures.translate(createSchema ? "creating or checking the table" : "checking the table", e, table);
        }
    }

    /** The dialect of the database behind {@code meta}. */
    static Dialect detect(DatabaseMetaData meta) throws SQLException {
        String product = meta.getDatabaseProductName();
        String p = product == null ? "" : product.toLowerCase(Locale.ROOT);
        if (p.contains("postgresql")) {
            return Dialect.POSTGRESQL;
        }
        if (p.contains("mariadb") || p.contains("mysql")) {
            return Dialect.MARIADB;
        }
        throw new IllegalStateException("the JDBC session store supports PostgreSQL and MariaDB/MySQL, not " + product
                + "; set dialect(...) if this database speaks one of their dialects");
    }

    /** The dialect in use. */
    Dialect dialect() {
        return sql.kind();
    }

    /** The statements of this store, for tests and the README. */
    SqlDialect sql() {
        return sql;
    }

    // ------------------------------------------------------------------ SessionStore

    /** The stored record, expired or not; {@code null} if none; an unreadable row throws. */
    @Override
    public SessionRecord load(String id) {
        return run("reading a session", true, c -> sql.load(c, id, timeout));
    }

    /** Stores a new record; {@code false} if the id is taken (nothing written, never an overwrite). */
    @Override
    public boolean create(SessionRecord record) {
        AttributesColumn.requireStorablePrincipal(record.principal(), nulFree);
        for (int i = 0, n = record.attributeCount(); i < n; i++) {
            AttributesColumn.requireStorableName(record.attributeName(i), nulFree);
        }
        return run("creating a session", false, c -> sql.create(c, record, timeout));
    }

    /**
     * Merges {@code changes} into the stored row atomically; the record now stored, or {@code null} if the
     * row is absent, expired or ended by this change (an expired or ended row is deleted).
     */
    @Override
    public SessionRecord apply(ChangeSet changes) {
        if (changes.principalChanged()) {
            AttributesColumn.requireStorablePrincipal(changes.principal(), nulFree);
        }
        for (String name : changes.setAttributes().keySet()) {
            AttributesColumn.requireStorableName(name, nulFree);
        }
        return run("saving a session", false, c -> sql.apply(c, changes, timeout));
    }

    /** Deletes the row of {@code id}, if any. Idempotent. */
    @Override
    public void delete(String id) {
        run("removing a session", true, c -> {
            sql.delete(c, id, timeout);
            return null;
        });
    }

    /** Deletes an unreadable row of this format; a row of a newer format stays. */
    @Override
    public void discard(String id) {
        run("deleting an unreadable session", true, c -> {
            sql.discard(c, id, timeout);
            return null;
        });
    }

    // ------------------------------------------------------------------ SweepableStore, PrincipalIndexedStore

    /**
     * Deletes at most {@code limit} rows of this format expired at {@code now} (epoch ms), oldest expiry first,
     * passing each to {@code removed}; returns how many. A row a request is changing is left for the next
     * sweep; an expired row that is unreadable is deleted without being passed on.
     */
    @Override
    public int sweep(long now, int limit, Consumer<? super SessionRecord> removed) {
        return run("deleting expired sessions", true, c -> sql.sweep(c, now, limit, removed, timeout));
    }

    /** Ids of rows whose principal is {@code principal}, expired or not. */
    @Override
    public Collection<String> idsOfPrincipal(String principal) {
        return run("finding sessions by principal", true, c -> sql.idsOfPrincipal(c, principal, timeout));
    }

    /** Nothing to release: the data source belongs to the application. */
    @Override
    public void close() {}

    // ------------------------------------------------------------------ execution

    /** Work on one borrowed connection. */
    @FunctionalInterface
    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T run(String action, boolean idempotent, Work<T> work) {
        for (int attempt = 1; ; attempt++) {
            Connection c;
            try {
                c = dataSource.getConnection();
            } catch (SQLException e) {
                throw SqlFailures.translate(action, e, sql.table);
            }
            try {
                T result = work.run(c);
                if (!c.getAutoCommit()) {
                    c.commit();
                }
                return result;
            } catch (SQLException e) {
                rollbackQuietly(c);
                boolean again = SqlFailures.isRolledBack(e) ? attempt < MAX_ATTEMPTS
                        : idempotent && attempt == 1 && SqlFailures.isBrokenConnection(e);
                if (!again) {
                    throw SqlFailures.translate(action, e, sql.table);
                }
                LOG.debug("Running again after attempt {} failed while {} (SQLState {})", attempt, action,
                        e.getSQLState());
            } catch (RuntimeException e) {
                rollbackQuietly(c);
                throw e;
            } finally {
                closeQuietly(c);
            }
            // A short random pause, so two requests that collided do not collide again at once.
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(ThreadLocalRandom.current().nextInt(1, 5 * attempt)));
        }
    }

    private static void rollbackQuietly(Connection c) {
        try {
            if (!c.getAutoCommit()) {
                c.rollback();
            }
        } catch (SQLException e) {
            // the connection is broken; the pool discards it
        }
    }

    private static void closeQuietly(Connection c) {
        try {
            c.close();
        } catch (SQLException e) {
            LOG.debug("Closing a connection failed", e);
        }
    }
}
