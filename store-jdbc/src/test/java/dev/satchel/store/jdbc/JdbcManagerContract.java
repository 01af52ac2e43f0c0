package dev.satchel.store.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import dev.satchel.SessionManager;
import dev.satchel.testkit.SessionManagerContract;
import dev.satchel.testkit.StoreBackdoor;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;

/**
 * The testkit's manager contract against a real database: every test in a table of its own, created by
 * the manager ({@code createSchemaIfMissing}) and dropped afterwards, over one pool per test class.
 */
abstract class JdbcManagerContract extends SessionManagerContract {

    private static final AtomicInteger TABLES = new AtomicInteger();

    private String table;

    /** The pool of the test class, over its database. */
    abstract HikariDataSource pool();

    @Override
    protected SessionManager createManager(Clock clock) {
        table = "contract_" + TABLES.incrementAndGet();
        return JdbcSessionManager.builder(pool()).tableName(table).createSchemaIfMissing().clock(clock)
                .withoutSweeper().build();
    }

    @AfterEach
    void dropTable() throws SQLException {
        Rows.drop(pool(), table);
    }

    @Override
    protected StoreBackdoor backdoor() {
        return new StoreBackdoor() {
            @Override
            public boolean isStored(String sid) {
                return Rows.exists(pool(), table, sid);
            }

            @Override
            public boolean plantCorrupt(String sid) {
                Rows.insertRaw(pool(), table, sid, "AAAAAAAAAAAAAAAAAAAAAA", 1, "{\"a\": {\"not\": \"a string\"}}",
                        Long.MAX_VALUE / 2);
                return true;
            }

            @Override
            public int sweepExpired() {
                return ((StoreManager) manager).sweep();
            }
        };
    }

    /** Row-level access for tests, bypassing the store. */
    static final class Rows {
        private Rows() {}

        static boolean exists(HikariDataSource pool, String table, String id) {
            try (Connection c = pool.getConnection();
                    PreparedStatement ps = c.prepareStatement("SELECT 1 FROM " + table + " WHERE id = ?")) {
                ps.setString(1, id);
                try (ResultSet rs = ps.executeQuery()) {
                    return rs.next();
                }
            } catch (SQLException e) {
                throw new AssertionError(e);
            }
        }

        /** Inserts a row as another program might, attributes given as column text. */
        static void insertRaw(HikariDataSource pool, String table, String id, String randval, int format,
                String attributes, long expiresAt) {
            String sql = "INSERT INTO " + table + " (id, randval, created_ms, last_access_ms, idle_timeout_ms, "
                    + "deadline_ms, expires_at_ms, principal, version, format_version, attributes) VALUES "
                    + "(?, ?, 0, 0, 1000, NULL, ?, NULL, 1, ?, " + (isPostgres(pool) ? "?::jsonb" : "?") + ")";
            try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
                ps.setString(1, id);
                ps.setString(2, randval);
                ps.setLong(3, expiresAt);
                ps.setInt(4, format);
                ps.setString(5, attributes);
                ps.executeUpdate();
            } catch (SQLException e) {
                throw new AssertionError(e);
            }
        }

        static void drop(HikariDataSource pool, String table) throws SQLException {
            if (table == null) {
                return;
            }
            try (Connection c = pool.getConnection(); var s = c.createStatement()) {
                s.execute("DROP TABLE IF EXISTS " + table);
            }
        }

        static boolean isPostgres(HikariDataSource pool) {
            return pool.getJdbcUrl().startsWith("jdbc:postgresql:");
        }
    }
}
