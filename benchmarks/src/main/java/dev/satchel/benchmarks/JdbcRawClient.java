package dev.satchel.benchmarks;

import dev.satchel.Session;
import dev.satchel.SessionManager;
import dev.satchel.spi.SessionAccess;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;

/**
 * The floor under {@code JdbcSessionManager} on PostgreSQL: the statements the store sends, on the same
 * pool, with nothing around them. {@code get} is the store's {@code SELECT} by id, its columns read but the
 * attributes left undecoded; {@code put} is the store's merge {@code UPDATE … RETURNING} for a change of one
 * attribute, with the version this client last saw (so the row comes back without attributes when nobody
 * else wrote, as for the store). The sessions are created by the store, so the rows are the same.
 */
final class JdbcRawClient implements StoreClient {

    private static final String SELECT = "SELECT randval, created_ms, last_access_ms, idle_timeout_ms, deadline_ms, "
            + "principal, version, format_version, attributes FROM \"%s\" WHERE id = ?";
    private static final String MERGE = "UPDATE \"%s\" SET\n"
            + "    attributes = attributes || ?::jsonb,\n"
            + "    last_access_ms = GREATEST(last_access_ms, ?::bigint),\n"
            + "    idle_timeout_ms = COALESCE(?::bigint, idle_timeout_ms),\n"
            + "    deadline_ms = CASE WHEN ?::boolean THEN ?::bigint ELSE deadline_ms END,\n"
            + "    principal = CASE WHEN ?::boolean THEN ? ELSE principal END,\n"
            + "    expires_at_ms = LEAST(\n"
            + "        CASE WHEN COALESCE(?::bigint, idle_timeout_ms) > 9223372036854775807 - GREATEST(last_access_ms, ?::bigint)\n"
            + "             THEN 9223372036854775807\n"
            + "             ELSE GREATEST(last_access_ms, ?::bigint) + COALESCE(?::bigint, idle_timeout_ms) END,\n"
            + "        COALESCE(CASE WHEN ?::boolean THEN ?::bigint ELSE deadline_ms END, 9223372036854775807)),\n"
            + "    version = version + 1\n"
            + "WHERE id = ? AND format_version = 1 AND expires_at_ms > ?::bigint\n"
            + "    AND jsonb_typeof(attributes) = 'object'\n"
            + "RETURNING randval, created_ms, last_access_ms, idle_timeout_ms, deadline_ms, principal, version, "
            + "format_version, CASE WHEN version = ?::bigint + 1 THEN NULL ELSE attributes END, expires_at_ms";

    private final SessionManager manager;
    private final DataSource pool;
    private final String select;
    private final String merge;
    private final AutoCloseable cleanup;
    private final String[] ids;
    /** The version each session had after this client's last write (racy across threads, like the store's). */
    private final long[] versions;

    JdbcRawClient(SessionManager manager, DataSource pool, String table, int sessions, AutoCloseable cleanup) {
        this.manager = manager;
        this.pool = pool;
        this.select = String.format(SELECT, table);
        this.merge = String.format(MERGE, table);
        this.cleanup = cleanup;
        this.ids = new String[sessions];
        this.versions = new long[sessions];
    }

    @Override
    public void create(int n) {
        Session s = manager.newSession();
        TypicalSession.fill(s, n);
        manager.put(s);
        ids[n] = s.id();
        versions[n] = SessionAccess.record(s).version();
    }

    @Override
    public Object get(int n) throws SQLException {
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(select)) {
            ps.setQueryTimeout(5);
            ps.setString(1, ids[n]);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("a stored session was not found");
                }
                return rs.getString(9); // the attributes, undecoded
            }
        }
    }

    @Override
    public Object put(Object loaded, int n, int value) throws SQLException {
        long now = System.currentTimeMillis();
        long base = versions[n];
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(merge)) {
            ps.setQueryTimeout(5);
            int i = 1;
            ps.setString(i++, "{\"" + TypicalSession.CHANGED + "\":\"" + value + "\"}");
            ps.setLong(i++, now);
            ps.setNull(i++, java.sql.Types.BIGINT);
            ps.setBoolean(i++, false);
            ps.setNull(i++, java.sql.Types.BIGINT);
            ps.setBoolean(i++, false);
            ps.setNull(i++, java.sql.Types.VARCHAR);
            ps.setNull(i++, java.sql.Types.BIGINT);
            ps.setLong(i++, now);
            ps.setLong(i++, now);
            ps.setNull(i++, java.sql.Types.BIGINT);
            ps.setBoolean(i++, false);
            ps.setNull(i++, java.sql.Types.BIGINT);
            ps.setString(i++, ids[n]);
            ps.setLong(i++, now);
            ps.setLong(i, base);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("a stored session was not found when saving it");
                }
                versions[n] = rs.getLong(7);
                return rs.getString(9);
            }
        }
    }

    @Override
    public void close() throws Exception {
        try {
            manager.close();
        } finally {
            cleanup.close();
        }
    }
}
