package dev.satchel.store.jdbc;

import dev.satchel.spi.ChangeSet;
import dev.satchel.spi.UnreadableEntryException;
import dev.satchel.spi.SessionCodec;
import dev.satchel.SessionConflictException;
import dev.satchel.spi.SessionRecord;
import dev.satchel.store.jdbc.JdbcSessionManager.Dialect;
import dev.satchel.store.jdbc.NamedSql.Param;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Consumer;

/**
 * The SQL of one database for one table: every statement the store issues, written once when the store is
 * built (no SQL text is assembled per request), and the parts of an operation that differ between
 * databases. Subclasses: {@link PostgresDialect}, {@link MariaDbDialect}. Thread-safe (immutable); each
 * method works on the connection it is given and neither commits nor closes it.
 */
abstract class SqlDialect {

    /** The columns every read returns, in this order, after which a dialect may add its own. */
    static final String COLUMNS = "randval, created_ms, last_access_ms, idle_timeout_ms, deadline_ms, principal, "
            + "version, format_version, attributes";
    /** An expiry that never comes: what {@code deadline_ms IS NULL} and an endless idle timeout mean. */
    static final String NEVER = "9223372036854775807";

    final TableName table;
    /** The table name as SQL text, quoted. */
    final String t;
    private final NamedSql select;
    private final NamedSql selectIdsOfPrincipal;
    private final NamedSql delete;
    private final NamedSql discard;
    private final NamedSql classify;
    private final NamedSql deleteExpired;
    private final NamedSql deleteEnded;
    private final NamedSql probe;

    SqlDialect(TableName table, char quote) {
        this.table = table;
        this.t = table.quoted(quote);
        this.select = NamedSql.of("SELECT " + COLUMNS + " FROM " + t + " WHERE id = :id");
        this.selectIdsOfPrincipal = NamedSql.of("SELECT id FROM " + t + " WHERE principal = :principal");
        this.delete = NamedSql.of("DELETE FROM " + t + " WHERE id = :id");
        // Never a row of a newer format: this code does not understand it, so it must not destroy it.
        this.discard = NamedSql.of("DELETE FROM " + t + " WHERE id = :id AND format_version = 1");
        this.classify = NamedSql.of("SELECT format_version, expires_at_ms, " + attributesAreAnObject() + " FROM " + t
                + " WHERE id = :id");
        this.deleteExpired = NamedSql.of("DELETE FROM " + t
                + " WHERE id = :id AND format_version = 1 AND expires_at_ms <= :access");
        this.deleteEnded = NamedSql.of("DELETE FROM " + t + " WHERE id = :id AND version = :version");
        this.probe = NamedSql.of("SELECT id, expires_at_ms, " + COLUMNS + " FROM " + t + " WHERE 1 = 0");
    }

    static SqlDialect of(Dialect dialect, TableName table) {
        return dialect == Dialect.POSTGRESQL ? new PostgresDialect(table) : new MariaDbDialect(table);
    }

    /** Which database this is. */
    abstract Dialect kind();

    /** Whether text may not hold U+0000 (PostgreSQL's cannot). */
    abstract boolean nulFree();

    /** An SQL expression that is true when the row's attributes column holds an object. */
    abstract String attributesAreAnObject();

    /** The DDL of the table and its indexes, from this dialect's resource. */
    final String schemaSql() {
        String resource = kind() == Dialect.POSTGRESQL ? "postgresql.sql" : "mariadb.sql";
        try (InputStream in = SqlDialect.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).replace("${table}", t)
                    .replace("${name}", table.name);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The statements of {@link #schemaSql()}, one per element. */
    final List<String> schemaStatements() {
        List<String> statements = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        for (String line : schemaSql().split("\n")) {
            current.append(line).append('\n');
            if (line.endsWith(";")) {
                statements.add(current.toString().trim());
                current.setLength(0);
            }
        }
        return statements;
    }

    /** Creates the table and indexes where missing; the caller commits. */
    void createSchema(Connection c, int timeout) throws SQLException {
        try (Statement s = c.createStatement()) {
            s.setQueryTimeout(timeout);
            for (String ddl : schemaStatements()) {
                s.execute(ddl);
            }
        }
    }

    /**
     * Checks what this store relies on: the server's version and the table's columns.
     *
     * @throws IllegalStateException if something is missing or different, saying what to do
     */
    void checkDatabase(Connection c, int timeout) throws SQLException {
        try (PreparedStatement ps = prepare(c, probe, timeout)) {
            ps.executeQuery().close();
        }
    }

    // ------------------------------------------------------------------ operations

    /** The stored record of {@code id}, or {@code null}; a row this code cannot read throws. */
    final SessionRecord load(Connection c, String id, int timeout) throws SQLException {
        try (PreparedStatement ps = prepare(c, select, timeout)) {
            bind(ps, select, Values.ofId(id));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? decode(id, rs) : null;
            }
        }
    }

    /** Inserts {@code record} unless its id exists; {@code false} then, nothing written. */
    abstract boolean create(Connection c, SessionRecord record, int timeout) throws SQLException;

    /**
     * Merges {@code changes} into the stored row in one statement and returns the record now stored, or
     * {@code null} when the row is absent, expired (then deleted) or ended by this change (then deleted).
     *
     * @throws UnreadableEntryException if the row cannot be read or is of a newer format; nothing written
     */
    abstract SessionRecord apply(Connection c, ChangeSet changes, int timeout) throws SQLException;

    /**
     * Deletes up to {@code limit} rows expired at {@code now}, of this format only, passing each readable one
     * to {@code removed}; returns how many.
     */
    abstract int sweep(Connection c, long now, int limit, Consumer<? super SessionRecord> removed, int timeout)
            throws SQLException;

    /** Passes the deleted row at {@code rs} (id, then {@link #COLUMNS}) to {@code removed}, if it reads. */
    static void passDeleted(ResultSet rs, Consumer<? super SessionRecord> removed) throws SQLException {
        SessionRecord r;
        try {
            r = decodeAt(rs.getString(1), rs, 1);
        } catch (UnreadableEntryException e) {
            return; // expired and unreadable: deleted, with nothing to report
        }
        removed.accept(r);
    }

    final void delete(Connection c, String id, int timeout) throws SQLException {
        update(c, delete, Values.ofId(id), timeout);
    }

    final void discard(Connection c, String id, int timeout) throws SQLException {
        update(c, discard, Values.ofId(id), timeout);
    }

    final Collection<String> idsOfPrincipal(Connection c, String principal, int timeout) throws SQLException {
        Values v = new Values();
        v.principal = principal;
        List<String> ids = new ArrayList<>();
        try (PreparedStatement ps = prepare(c, selectIdsOfPrincipal, timeout)) {
            bind(ps, selectIdsOfPrincipal, v);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    ids.add(rs.getString(1));
                }
            }
        }
        return ids;
    }

    /** What a merge that matched no row means. */
    enum Miss {
        /** No row, or an expired one that is now deleted: the session is over. */
        GONE,
        /** A live row that the merge should have matched: it changed in between; merge again. */
        AGAIN
    }

    /**
     * Why the merge of {@code changes} matched nothing: the row is gone, expired (deleted now), of a newer
     * format or unreadable (thrown), or — rarely, a concurrent change — live after all.
     */
    final Miss whyUnmatched(Connection c, ChangeSet changes, int timeout) throws SQLException {
        Values v = Values.ofId(changes.sessionId());
        v.access = changes.accessTime();
        try (PreparedStatement ps = prepare(c, classify, timeout)) {
            bind(ps, classify, v);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return Miss.GONE;
                }
                int format = rs.getInt(1);
                if (format != SessionCodec.FORMAT_VERSION) {
                    throw unsupportedFormat(format);
                }
                if (rs.getLong(2) > changes.accessTime()) {
                    if (!rs.getBoolean(3)) {
                        throw new UnreadableEntryException("session row's attributes column is not a JSON object");
                    }
                    return Miss.AGAIN;
                }
            }
        }
        update(c, deleteExpired, v, timeout);
        return Miss.GONE;
    }

    /** Deletes the row this very change ended (a deadline already past), if nobody changed it since. */
    final void deleteEnded(Connection c, String id, long version, int timeout) throws SQLException {
        Values v = Values.ofId(id);
        v.version = version;
        update(c, deleteEnded, v, timeout);
    }

    /** After {@code attempts} merges that kept missing a row that is live: give up. */
    static SessionConflictException keptChanging(int attempts) {
        return new SessionConflictException("the session row changed under " + attempts + " merges in a row");
    }

    // ------------------------------------------------------------------ for subclasses

    /**
     * The {@code SET} assignments of a merge besides {@code attributes}, the same rules as
     * {@link ChangeSet#applyTo}: last access moved forward only, idle timeout, deadline and principal where
     * this request changed them, the expiry {@code min(last access + idle timeout, deadline)} of the merged
     * row (an idle timeout that would overflow never ends), version + 1. Each assignment reads only the
     * row's previous values or repeats the expression it overwrote, so the outcome is the same whether the
     * database evaluates assignments against the old row (PostgreSQL, the SQL standard) or left to right
     * (MySQL, MariaDB). {@code bigint} and {@code bool} are appended to parameters of those types (casts).
     */
    static String mergeAssignments(String bigint, String bool) {
        String access = "GREATEST(last_access_ms, :access" + bigint + ")";
        String idle = "COALESCE(:idle" + bigint + ", idle_timeout_ms)";
        String deadline = "CASE WHEN :deadlineChanged" + bool + " THEN :deadline" + bigint + " ELSE deadline_ms END";
        return "last_access_ms = " + access + ",\n"
                + "    idle_timeout_ms = " + idle + ",\n"
                + "    deadline_ms = " + deadline + ",\n"
                + "    principal = CASE WHEN :principalChanged" + bool + " THEN :principal ELSE principal END,\n"
                + "    expires_at_ms = LEAST(\n"
                + "        CASE WHEN " + idle + " > " + NEVER + " - " + access + "\n"
                + "             THEN " + NEVER + "\n"
                + "             ELSE " + access + " + " + idle + " END,\n"
                + "        COALESCE(" + deadline + ", " + NEVER + ")),\n"
                + "    version = version + 1";
    }

    /** The values a statement binds, by {@link Param}; one per call, filled with what that call has. */
    static final class Values {
        String id;
        String randval;
        long created;
        long access;
        /** {@code null}: unchanged. */
        Long idle;
        boolean deadlineChanged;
        /** {@code null}: none. */
        Long deadline;
        long expiresAt;
        boolean principalChanged;
        String principal;
        long version;
        long baseVersion;
        String setAttributes;
        String[] removedAttributes;
        String patch;
        long now;
        int limit;

        static Values ofId(String id) {
            Values v = new Values();
            v.id = id;
            return v;
        }

        /** Every column of a new row. */
        static Values ofRecord(SessionRecord r) {
            Values v = ofId(r.id());
            v.randval = r.randval();
            v.created = r.created();
            v.access = r.lastAccess();
            v.idle = r.idleTimeoutMillis();
            v.deadline = r.deadline() == SessionRecord.NO_DEADLINE ? null : r.deadline();
            v.expiresAt = r.expiresAt();
            v.principal = r.principal();
            v.version = r.version();
            v.setAttributes = AttributesColumn.of(r);
            return v;
        }

        /** What a merge binds besides the attributes. */
        static Values ofChanges(ChangeSet ch) {
            Values v = ofId(ch.sessionId());
            v.access = ch.accessTime();
            v.idle = ch.idleTimeoutChanged() ? ch.idleTimeoutMillis() : null;
            v.deadlineChanged = ch.deadlineChanged();
            v.deadline = !ch.deadlineChanged() || ch.deadline() == SessionRecord.NO_DEADLINE ? null : ch.deadline();
            v.principalChanged = ch.principalChanged();
            v.principal = ch.principalChanged() ? ch.principal() : null;
            v.baseVersion = ch.baseVersion();
            return v;
        }
    }

    static PreparedStatement prepare(Connection c, NamedSql q, int timeout) throws SQLException {
        PreparedStatement ps = c.prepareStatement(q.sql);
        ps.setQueryTimeout(timeout);
        return ps;
    }

    /** Binds every position of {@code q} from {@code v}. */
    void bind(PreparedStatement ps, NamedSql q, Values v) throws SQLException {
        Param[] positions = q.positions;
        for (int i = 0; i < positions.length; i++) {
            int at = i + 1;
            switch (positions[i]) {
                case ID: ps.setString(at, v.id); break;
                case RANDVAL: ps.setString(at, v.randval); break;
                case CREATED: ps.setLong(at, v.created); break;
                case ACCESS: ps.setLong(at, v.access); break;
                case IDLE: setLong(ps, at, v.idle); break;
                case DEADLINE_CHANGED: ps.setBoolean(at, v.deadlineChanged); break;
                case DEADLINE: setLong(ps, at, v.deadline); break;
                case EXPIRES_AT: ps.setLong(at, v.expiresAt); break;
                case PRINCIPAL_CHANGED: ps.setBoolean(at, v.principalChanged); break;
                case PRINCIPAL: setString(ps, at, v.principal); break;
                case VERSION: ps.setLong(at, v.version); break;
                case BASE_VERSION: ps.setLong(at, v.baseVersion); break;
                case FORMAT: ps.setInt(at, SessionCodec.FORMAT_VERSION); break;
                case SET_ATTRIBUTES: ps.setString(at, v.setAttributes); break;
                case REMOVED_ATTRIBUTES: ps.setArray(at, ps.getConnection().createArrayOf("text", v.removedAttributes));
                    break;
                case PATCH: ps.setString(at, v.patch); break;
                case NOW: ps.setLong(at, v.now); break;
                case LIMIT: ps.setInt(at, v.limit); break;
                default: throw new IllegalStateException("unbound parameter " + positions[i]);
            }
        }
    }

    /** Runs an update statement and returns the rows it changed. */
    final int update(Connection c, NamedSql q, Values v, int timeout) throws SQLException {
        try (PreparedStatement ps = prepare(c, q, timeout)) {
            bind(ps, q, v);
            return ps.executeUpdate();
        }
    }

    /**
     * The record in the current row of {@code rs}, whose first columns are {@link #COLUMNS}.
     *
     * @throws UnreadableEntryException if the row is not a complete, valid session of this format
     */
    static SessionRecord decode(String id, ResultSet rs) throws SQLException {
        return decodeAt(id, rs, 0);
    }

    /** {@link #decode}, with {@link #COLUMNS} starting after {@code skip} other columns. */
    static SessionRecord decodeAt(String id, ResultSet rs, int skip) throws SQLException {
        int format = rs.getInt(skip + 8);
        if (format != SessionCodec.FORMAT_VERSION) {
            throw unsupportedFormat(format);
        }
        long created = nonNegative(rs, skip + 2, "created_ms");
        long lastAccess = nonNegative(rs, skip + 3, "last_access_ms");
        long idle = nonNegative(rs, skip + 4, "idle_timeout_ms");
        long deadline = rs.getLong(skip + 5);
        if (rs.wasNull()) {
            deadline = SessionRecord.NO_DEADLINE;
        } else if (deadline < 0) {
            throw new UnreadableEntryException("session row's deadline_ms is negative");
        }
        long version = nonNegative(rs, skip + 7, "version");
        SessionRecord.Builder b;
        try {
            b = SessionRecord.builder(id, rs.getString(skip + 1))
                    .created(created).lastAccess(lastAccess).idleTimeoutMillis(idle).deadline(deadline)
                    .principal(rs.getString(skip + 6)).version(version);
        } catch (IllegalArgumentException e) {
            throw new UnreadableEntryException("session row has an invalid field: " + e.getMessage(), e);
        }
        AttributesColumn.readInto(rs.getString(skip + 9), b);
        return b.build();
    }

    private static long nonNegative(ResultSet rs, int column, String name) throws SQLException {
        long value = rs.getLong(column);
        if (rs.wasNull() || value < 0) {
            throw new UnreadableEntryException("session row's " + name + " is missing or negative");
        }
        return value;
    }

    static UnreadableEntryException unsupportedFormat(int format) {
        return format > SessionCodec.FORMAT_VERSION ? UnreadableEntryException.newerFormat(format)
                : new UnreadableEntryException("session row has unsupported format version " + format);
    }

    private static void setLong(PreparedStatement ps, int at, Long value) throws SQLException {
        if (value == null) {
            ps.setNull(at, Types.BIGINT);
        } else {
            ps.setLong(at, value);
        }
    }

    private static void setString(PreparedStatement ps, int at, String value) throws SQLException {
        if (value == null) {
            ps.setNull(at, Types.VARCHAR);
        } else {
            ps.setString(at, value);
        }
    }
}
