package dev.satchel.store.jdbc;

import dev.satchel.store.jdbc.JdbcSessionManager.Dialect;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * A session table of one test: a fresh name, created from the shipped DDL, dropped by {@link #close()};
 * and row-level access that bypasses the store — what another program (or a corrupting one) would do.
 */
final class TestTable implements AutoCloseable {

    private static final AtomicInteger NAMES = new AtomicInteger();

    final Dialect dialect;
    final DataSource pool;
    final String name;

    private TestTable(Dialect dialect, DataSource pool, String name) {
        this.dialect = dialect;
        this.pool = pool;
        this.name = name;
    }

    /** A new, empty table named {@code prefix_N}. */
    static TestTable create(Dialect dialect, DataSource pool, String prefix) {
        TestTable t = new TestTable(dialect, pool, prefix + "_" + NAMES.incrementAndGet());
        for (String ddl : SqlDialect.of(dialect, TableName.of(t.name)).schemaStatements()) {
            t.execute(ddl);
        }
        return t;
    }

    /** The table {@code name}, which exists. */
    static TestTable existing(Dialect dialect, DataSource pool, String name) {
        return new TestTable(dialect, pool, name);
    }

    /** A builder for a manager over this table, dialect given, no background sweeper. */
    JdbcSessionManager.Builder manager(DataSource over) {
        return JdbcSessionManager.builder(over).tableName(name).dialect(dialect).withoutSweeper();
    }

    /** Runs {@code sql}, in which {@code {t}} stands for this table's name. */
    void execute(String sql) {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
            s.execute(sql.replace("{t}", name));
        } catch (SQLException e) {
            throw new AssertionError("test statement failed: " + e.getMessage(), e);
        }
    }

    /** The number {@code sql} answers ({@code {t}}: this table). */
    long count(String sql) {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql.replace("{t}", name))) {
            rs.next();
            return rs.getLong(1);
        } catch (SQLException e) {
            throw new AssertionError("test query failed: " + e.getMessage(), e);
        }
    }

    /** The text {@code sql} answers ({@code {t}}: this table); fails with the database's message. */
    String text(String sql) {
        try (Connection c = pool.getConnection(); Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(sql.replace("{t}", name))) {
            rs.next();
            return rs.getString(1);
        } catch (SQLException e) {
            throw new AssertionError("test query failed: " + e.getMessage(), e);
        }
    }

    /** Whether a row with this id exists. */
    boolean exists(String id) {
        return row(id) != null;
    }

    /** The row of {@code id}, column name to value as the driver reads it (attributes as text), or {@code null}. */
    Map<String, Object> row(String id) {
        String attributes = dialect == Dialect.POSTGRESQL ? "attributes::text AS attributes" : "attributes";
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT id, randval, "
                + "created_ms, last_access_ms, idle_timeout_ms, deadline_ms, expires_at_ms, principal, version, "
                + "format_version, " + attributes + " FROM " + name + " WHERE id = ?")) {
            ps.setString(1, id);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    return null;
                }
                ResultSetMetaData meta = rs.getMetaData();
                Map<String, Object> row = new LinkedHashMap<>();
                for (int i = 1; i <= meta.getColumnCount(); i++) {
                    row.put(meta.getColumnLabel(i).toLowerCase(java.util.Locale.ROOT), rs.getObject(i));
                }
                return row;
            }
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    /**
     * Inserts a row as another program might: the given randval, format version, attributes column text
     * and expiry, the other columns valid (idle 1 s, created and last accessed 1 s before the expiry or at
     * 0, version 1).
     */
    void insertRaw(String id, String randval, int format, String attributes, long expiresAt) {
        String sql = "INSERT INTO " + name + " (id, randval, created_ms, last_access_ms, idle_timeout_ms, "
                + "deadline_ms, expires_at_ms, principal, version, format_version, attributes) VALUES "
                + "(?, ?, ?, ?, 1000, NULL, ?, NULL, 1, ?, " + (dialect == Dialect.POSTGRESQL ? "?::jsonb" : "?") + ")";
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, id);
            ps.setString(2, randval);
            ps.setLong(3, Math.max(0, expiresAt - 1000));
            ps.setLong(4, Math.max(0, expiresAt - 1000));
            ps.setLong(5, expiresAt);
            ps.setInt(6, format);
            ps.setString(7, attributes);
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    /** Inserts {@code record} as another program following the documented layout would. */
    void insertRecord(dev.satchel.spi.SessionRecord r) {
        String sql = "INSERT INTO " + name + " (id, randval, created_ms, last_access_ms, idle_timeout_ms, "
                + "deadline_ms, expires_at_ms, principal, version, format_version, attributes) VALUES "
                + "(?, ?, ?, ?, ?, ?, ?, ?, ?, 1, " + (dialect == Dialect.POSTGRESQL ? "?::jsonb" : "?") + ")";
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, r.id());
            ps.setString(2, r.randval());
            ps.setLong(3, r.created());
            ps.setLong(4, r.lastAccess());
            ps.setLong(5, r.idleTimeoutMillis());
            if (r.deadline() == dev.satchel.spi.SessionRecord.NO_DEADLINE) {
                ps.setNull(6, java.sql.Types.BIGINT);
            } else {
                ps.setLong(6, r.deadline());
            }
            ps.setLong(7, r.expiresAt());
            ps.setString(8, r.principal());
            ps.setLong(9, r.version());
            ps.setString(10, AttributesColumn.of(r));
            ps.executeUpdate();
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        execute("DROP TABLE IF EXISTS " + name);
    }
}
