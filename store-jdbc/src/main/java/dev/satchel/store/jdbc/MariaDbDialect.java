package dev.satchel.store.jdbc;

import dev.satchel.spi.ChangeSet;
import dev.satchel.spi.SessionRecord;
import dev.satchel.store.jdbc.JdbcSessionManager.Dialect;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.SQLIntegrityConstraintViolationException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * MariaDB 10.6+ (and MySQL 8, which runs the same statements). MariaDB has no {@code UPDATE … RETURNING},
 * so the closest atomic equivalent of PostgreSQL's one statement is:
 * <ol>
 *   <li>one {@code UPDATE} that merges with {@code JSON_MERGE_PATCH(attributes, patch)} — the patch maps
 *       each attribute this request set to its JSON text (a string: replaced whole, never merged into) and
 *       each one it removed to {@code null} — and names the version the request read. InnoDB takes the
 *       row's lock and applies the merge to the row as it is then, in one statement. When it matches, the
 *       merged row is the request's own changes on what it read: one round trip, nothing to read back.</li>
 *   <li>when it does not match because another request wrote in between, the same {@code UPDATE} without
 *       the version, then a {@code SELECT} of the merged row, both in one transaction, so the row read is
 *       the row written (the {@code UPDATE}'s lock holds until the commit; the lock is held for that one
 *       extra round trip, never across a request).</li>
 * </ol>
 * Either {@code UPDATE} matches nothing when the row is gone or expired: no resurrection. A new row is a
 * plain {@code INSERT}; a duplicate key (1062) is the answer "taken", never an overwrite. Sweeps run in
 * {@code READ COMMITTED}, so locking a range of the expiry index takes no gap locks that would make new
 * sessions wait.
 */
final class MariaDbDialect extends SqlDialect {

    private static final int DUPLICATE_KEY = 1062;

    private final NamedSql insert;
    private final NamedSql mergeAtVersion;
    private final NamedSql mergeAtVersionTouch;
    private final NamedSql merge;
    private final NamedSql mergeTouch;
    private final NamedSql readBack;
    private final NamedSql sweepCandidates;
    private final NamedSql sweepOne;

    MariaDbDialect(TableName table) {
        super(table, '`');
        insert = NamedSql.of("INSERT INTO " + t + " (id, randval, created_ms, last_access_ms, idle_timeout_ms, "
                + "deadline_ms, expires_at_ms, principal, version, format_version, attributes) VALUES (:id, :randval, "
                + ":created, :access, :idle, :deadline, :expiresAt, :principal, :version, :format, :setAttributes)");
        String where = "\nWHERE id = :id AND format_version = 1 AND expires_at_ms > :access";
        String patch = "UPDATE " + t + " SET\n    attributes = JSON_MERGE_PATCH(attributes, :patch),\n    ";
        String touch = "UPDATE " + t + " SET\n    ";
        String assignments = mergeAssignments("", "");
        mergeAtVersion = NamedSql.of(patch + assignments + where + " AND version = :baseVersion");
        mergeAtVersionTouch = NamedSql.of(touch + assignments + where + " AND version = :baseVersion");
        merge = NamedSql.of(patch + assignments + where);
        mergeTouch = NamedSql.of(touch + assignments + where);
        readBack = NamedSql.of("SELECT " + COLUMNS + " FROM " + t + " WHERE id = :id");
        sweepCandidates = NamedSql.of("SELECT id, " + COLUMNS + " FROM " + t + " WHERE expires_at_ms <= :now"
                + " AND format_version = 1 ORDER BY expires_at_ms LIMIT :limit FOR UPDATE SKIP LOCKED");
        sweepOne = NamedSql.of("DELETE FROM " + t + " WHERE id = :id");
    }

    /** The merge of a change that nobody raced, with named parameters; for the README. */
    String mergeStatement() {
        return mergeAtVersion.text;
    }

    @Override
    Dialect kind() {
        return Dialect.MARIADB;
    }

    @Override
    boolean nulFree() {
        return false;
    }

    @Override
    String attributesAreAnObject() {
        return "JSON_TYPE(attributes) = 'OBJECT'";
    }

    @Override
    void checkDatabase(Connection c, int timeout) throws SQLException {
        DatabaseMetaData meta = c.getMetaData();
        int major = meta.getDatabaseMajorVersion();
        int minor = meta.getDatabaseMinorVersion();
        // MySQL's driver reports MariaDB as "MySQL" too; MariaDB's versions start at 10.
        boolean mariaDb = major >= 10 || meta.getDatabaseProductName().toLowerCase(java.util.Locale.ROOT).contains("mariadb");
        if (mariaDb ? major == 10 && minor < 6 : major < 8) {
            throw new IllegalStateException((mariaDb ? "MariaDB " : "MySQL ") + meta.getDatabaseProductVersion()
                    + " is older than " + (mariaDb ? "10.6" : "8.0") + ", the oldest the JDBC session store supports");
        }
        super.checkDatabase(c, timeout);
    }

    @Override
    boolean create(Connection c, SessionRecord record, int timeout) throws SQLException {
        try {
            return update(c, insert, Values.ofRecord(record), timeout) == 1;
        } catch (SQLIntegrityConstraintViolationException e) {
            if (e.getErrorCode() == DUPLICATE_KEY) {
                return false;
            }
            throw e;
        }
    }

    @Override
    SessionRecord apply(Connection c, ChangeSet changes, int timeout) throws SQLException {
        Values v = Values.ofChanges(changes);
        boolean touch = changes.setAttributes().isEmpty() && changes.removedAttributes().isEmpty();
        if (!touch) {
            v.patch = AttributesColumn.changes(changes.setAttributes(), changes.removedAttributes(), true);
        }
        if (update(c, touch ? mergeAtVersionTouch : mergeAtVersion, v, timeout) == 1) {
            SessionRecord merged = changes.applyTo(changes.base());
            if (merged == null) {
                deleteEnded(c, changes.sessionId(), changes.baseVersion() + 1, timeout);
            }
            return merged;
        }
        for (int attempt = 1; attempt <= 3; attempt++) {
            SessionRecord merged = mergeAndReadBack(c, touch ? mergeTouch : merge, changes, v, timeout);
            if (merged != null) {
                if (merged.isExpiredAt(changes.accessTime())) {
                    deleteEnded(c, changes.sessionId(), merged.version(), timeout);
                    return null;
                }
                return merged;
            }
            if (whyUnmatched(c, changes, timeout) == Miss.GONE) {
                return null;
            }
        }
        throw keptChanging(3);
    }

    /** The general merge and the read of its row in one transaction; {@code null} if it matched nothing. */
    private SessionRecord mergeAndReadBack(Connection c, NamedSql q, ChangeSet changes, Values v, int timeout)
            throws SQLException {
        boolean auto = c.getAutoCommit();
        if (auto) {
            c.setAutoCommit(false);
        }
        try {
            SessionRecord merged = null;
            if (update(c, q, v, timeout) == 1) {
                try (PreparedStatement ps = prepare(c, readBack, timeout)) {
                    bind(ps, readBack, v);
                    try (ResultSet rs = ps.executeQuery()) {
                        merged = rs.next() ? decode(changes.sessionId(), rs) : null;
                    }
                }
            }
            if (auto) {
                c.commit();
            }
            return merged;
        } catch (SQLException | RuntimeException e) {
            if (auto) {
                c.rollback();
            }
            throw e;
        } finally {
            if (auto) {
                c.setAutoCommit(true);
            }
        }
    }

    /**
     * In one {@code READ COMMITTED} transaction: lock up to {@code limit} expired rows, skipping rows a request
     * holds (MariaDB 10.6+, MySQL 8), and delete them by id in one batch. No {@code DELETE … RETURNING}, so
     * the same statements run on MySQL.
     */
    @Override
    int sweep(Connection c, long now, int limit, Consumer<? super SessionRecord> removed, int timeout)
            throws SQLException {
        int isolation = c.getTransactionIsolation();
        boolean auto = c.getAutoCommit();
        if (auto) {
            c.setAutoCommit(false);
        }
        if (isolation != Connection.TRANSACTION_READ_COMMITTED) {
            c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
        }
        try {
            Values v = new Values();
            v.now = now;
            v.limit = limit;
            List<SessionRecord> records = new ArrayList<>();
            int n = 0;
            try (PreparedStatement select = prepare(c, sweepCandidates, timeout);
                    PreparedStatement delete = prepare(c, sweepOne, timeout)) {
                bind(select, sweepCandidates, v);
                try (ResultSet rs = select.executeQuery()) {
                    while (rs.next()) {
                        delete.setString(1, rs.getString(1));
                        delete.addBatch();
                        passDeleted(rs, records::add);
                        n++;
                    }
                }
                if (n > 0) {
                    delete.executeBatch();
                }
            }
            if (auto) {
                c.commit();
            }
            records.forEach(removed); // only once the deletion is committed
            return n;
        } catch (SQLException | RuntimeException e) {
            if (auto) {
                c.rollback();
            }
            throw e;
        } finally {
            if (isolation != Connection.TRANSACTION_READ_COMMITTED) {
                c.setTransactionIsolation(isolation);
            }
            if (auto) {
                c.setAutoCommit(true);
            }
        }
    }
}
