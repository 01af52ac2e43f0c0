package dev.satchel.store.jdbc;

import dev.satchel.spi.ChangeSet;
import dev.satchel.spi.UnreadableEntryException;
import dev.satchel.spi.SessionRecord;
import dev.satchel.store.jdbc.JdbcSessionManager.Dialect;
import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.function.Consumer;

/**
 * PostgreSQL 13+. A change is one {@code UPDATE … RETURNING}: the merge happens in the statement, on the
 * row as it is when the statement takes the row's lock (under {@code READ COMMITTED} PostgreSQL re-reads a
 * row that another transaction changed meanwhile and re-evaluates the whole statement on it), and the same
 * round trip answers with the merged row — or, when the new version is exactly one more than the version
 * the request read (nobody wrote in between), without the attributes, which the request then knows.
 */
final class PostgresDialect extends SqlDialect {

    private static final int OLDEST_MAJOR = 13;
    private static final String RETURNING = "\nRETURNING " + COLUMNS.replace("attributes",
            "CASE WHEN version = :baseVersion::bigint + 1 THEN NULL ELSE attributes END") + ", expires_at_ms";

    private final NamedSql insert;
    /** By what the change touches: [0] no attributes, [1] set only, [2] removed only, [3] both. */
    private final NamedSql[] merge = new NamedSql[4];
    private final NamedSql sweep;

    PostgresDialect(TableName table) {
        super(table, '"');
        insert = NamedSql.of("INSERT INTO " + t + " (id, randval, created_ms, last_access_ms, idle_timeout_ms, "
                + "deadline_ms, expires_at_ms, principal, version, format_version, attributes) VALUES (:id, :randval, "
                + ":created, :access, :idle, :deadline, :expiresAt, :principal, :version, :format, "
                + ":setAttributes::jsonb) ON CONFLICT (id) DO NOTHING");
        // A touch does not assign attributes at all, so a large session's value is not rewritten.
        String[] attributes = {
            "",
            "attributes = attributes || :setAttributes::jsonb,\n    ",
            "attributes = attributes - :removedAttributes::text[],\n    ",
            "attributes = (attributes - :removedAttributes::text[]) || :setAttributes::jsonb,\n    ",
        };
        for (int i = 0; i < merge.length; i++) {
            merge[i] = NamedSql.of("UPDATE " + t + " SET\n    " + attributes[i]
                    + mergeAssignments("::bigint", "::boolean")
                    + "\nWHERE id = :id AND format_version = 1 AND expires_at_ms > :access::bigint"
                    + "\n    AND jsonb_typeof(attributes) = 'object'" + RETURNING);
        }
        // SKIP LOCKED: a row a request is changing right now is left for the next pass, never waited for.
        sweep = NamedSql.of("DELETE FROM " + t + " WHERE id IN (SELECT id FROM " + t
                + " WHERE expires_at_ms <= :now AND format_version = 1 ORDER BY expires_at_ms LIMIT :limit"
                + " FOR UPDATE SKIP LOCKED) RETURNING id, " + COLUMNS);
    }

    /** The merge of a change that sets and removes attributes, with named parameters; for the README. */
    String mergeStatement() {
        return merge[3].text;
    }

    @Override
    Dialect kind() {
        return Dialect.POSTGRESQL;
    }

    @Override
    boolean nulFree() {
        return true;
    }

    @Override
    String attributesAreAnObject() {
        return "jsonb_typeof(attributes) = 'object'";
    }

    /** In one transaction holding an advisory lock, so nodes starting together do not race on the catalog. */
    @Override
    void createSchema(Connection c, int timeout) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try {
            try (PreparedStatement lock = c.prepareStatement("SELECT pg_advisory_xact_lock(?)")) {
                lock.setQueryTimeout(timeout);
                lock.setLong(1, ("satchel-schema:" + table).hashCode());
                lock.executeQuery().close();
            }
            super.createSchema(c, timeout);
            c.commit();
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }

    @Override
    void checkDatabase(Connection c, int timeout) throws SQLException {
        DatabaseMetaData meta = c.getMetaData();
        if (meta.getDatabaseMajorVersion() < OLDEST_MAJOR) {
            throw new IllegalStateException("PostgreSQL " + meta.getDatabaseProductVersion() + " is older than "
                    + OLDEST_MAJOR + ", the oldest the JDBC session store supports");
        }
        try (Statement s = c.createStatement()) {
            s.setQueryTimeout(timeout);
            try (ResultSet rs = s.executeQuery("SELECT current_setting('server_encoding')")) {
                rs.next();
                if (!"UTF8".equalsIgnoreCase(rs.getString(1))) {
                    throw new IllegalStateException("the PostgreSQL database is encoded in " + rs.getString(1)
                            + ", which cannot hold every attribute value; the JDBC session store needs UTF8");
                }
            }
        }
        super.checkDatabase(c, timeout);
    }

    @Override
    boolean create(Connection c, SessionRecord record, int timeout) throws SQLException {
        return update(c, insert, Values.ofRecord(record), timeout) == 1;
    }

    @Override
    SessionRecord apply(Connection c, ChangeSet changes, int timeout) throws SQLException {
        Values v = Values.ofChanges(changes);
        boolean set = !changes.setAttributes().isEmpty();
        String[] removed = removedNames(changes);
        if (set) {
            v.setAttributes = AttributesColumn.changes(changes.setAttributes(), changes.removedAttributes(), false);
        }
        v.removedAttributes = removed;
        NamedSql q = merge[(set ? 1 : 0) + (removed.length > 0 ? 2 : 0)];
        for (int attempt = 1; attempt <= 3; attempt++) {
            try (PreparedStatement ps = prepare(c, q, timeout)) {
                bind(ps, q, v);
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return merged(c, changes, rs, timeout);
                    }
                }
            }
            if (whyUnmatched(c, changes, timeout) == Miss.GONE) {
                return null;
            }
        }
        throw keptChanging(3);
    }

    @Override
    int sweep(Connection c, long now, int limit, Consumer<? super SessionRecord> removed, int timeout)
            throws SQLException {
        Values v = new Values();
        v.now = now;
        v.limit = limit;
        int n = 0;
        try (PreparedStatement ps = prepare(c, sweep, timeout)) {
            bind(ps, sweep, v);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    n++;
                    passDeleted(rs, removed);
                }
            }
        }
        return n;
    }

    /** The record the merge stored, from its {@code RETURNING} row; {@code null} if this change ended it. */
    private SessionRecord merged(Connection c, ChangeSet changes, ResultSet rs, int timeout) throws SQLException {
        long version = rs.getLong(7);
        long expiresAt = rs.getLong(10);
        if (expiresAt <= changes.accessTime()) {
            deleteEnded(c, changes.sessionId(), version, timeout);
            return null;
        }
        if (version == changes.baseVersion() + 1) {
            // Nobody wrote in between: the row is exactly the request's own changes on what it read.
            SessionRecord known = changes.applyTo(changes.base());
            if (known != null && known.expiresAt() == expiresAt) {
                return known;
            }
        }
        String attributes = rs.getString(9);
        if (attributes == null) {
            return load(c, changes.sessionId(), timeout);
        }
        try {
            return decode(changes.sessionId(), rs);
        } catch (UnreadableEntryException e) {
            throw new UnreadableEntryException("a session change was saved, but the row cannot be read back: "
                    + e.getMessage(), e);
        }
    }

    /** The removed names, less any holding U+0000 (PostgreSQL cannot have stored such a name). */
    private static String[] removedNames(ChangeSet changes) {
        String[] names = new String[changes.removedAttributes().size()];
        int n = 0;
        for (String name : changes.removedAttributes()) {
            if (name.indexOf('\u0000') < 0) {
                names[n++] = name;
            }
        }
        return n == names.length ? names : java.util.Arrays.copyOf(names, n);
    }
}
