package dev.satchel.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code satchel.store.uri=datasource:}: the application's own pool (Boot's auto-configured Hikari) as the store, on
 * a PostgreSQL server of the test's own, over real HTTP.
 */
class DataSourceStoreIT {

    static PostgresProcess pg;

    @BeforeAll
    static void startDatabase() {
        pg = PostgresProcess.start();
    }

    @AfterAll
    static void stopDatabase() {
        if (pg != null) {
            pg.close();
        }
    }

    static Map<String, Object> properties(String database, Map<String, Object> more) {
        Map<String, Object> p = new java.util.LinkedHashMap<>();
        p.put("spring.autoconfigure.exclude", ""); // RunningApp's default leaves Boot's DataSource out
        p.put("spring.datasource.url", "jdbc:postgresql://127.0.0.1:" + pg.port + "/" + database);
        p.put("spring.datasource.username", PostgresProcess.USER);
        p.put("satchel.store.uri", "datasource:");
        p.putAll(more);
        return p;
    }

    @Test
    void theSessionIsARowOfTheApplicationsDatabaseFromLoginToLogout() throws SQLException {
        try (RunningApp app = RunningApp.start(properties("satchel", Map.of("satchel.store.jdbc.create-schema", "true")),
                TestApps.DefaultSecurity.class)) {
            assertInstanceOf(HikariDataSource.class, app.bean(DataSource.class)); // Boot's pool, not one of Satchel's

            Browser b = new Browser();
            assertEquals(302, FormLoginIT.logIn(app, b, "secret-password-1").statusCode());
            assertEquals("hello alice", app.get(b, "/hello"));
            String sid = b.cookie(FormLoginIT.COOKIE).split("!", 2)[0];
            assertEquals("alice", principalOfRow(sid));

            FormLoginIT.logOut(app, b);
            assertFalse(rowExists(sid), "the row is deleted at logout");
        }
    }

    @Test
    void withoutCreateSchemaAMissingTableStopsTheStartupNamingTheProperty() {
        pg.execute("postgres", "CREATE DATABASE empty");
        Throwable e = assertThrows(Throwable.class,
                () -> RunningApp.start(properties("empty", Map.of()), TestApps.DefaultSecurity.class).close());
        StringBuilder messages = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            messages.append(t.getMessage()).append('\n');
        }
        assertTrue(messages.toString().contains("satchel.store.jdbc.create-schema=true"), messages.toString());
        assertTrue(messages.toString().contains("satchel_sessions"), messages.toString());
    }

    private static String principalOfRow(String sid) throws SQLException {
        try (Connection c = pg.connect();
                PreparedStatement ps = c.prepareStatement("SELECT principal FROM satchel_sessions WHERE id = ?")) {
            ps.setString(1, sid);
            try (ResultSet rs = ps.executeQuery()) {
                assertTrue(rs.next(), "no row for the session");
                return rs.getString(1);
            }
        }
    }

    private static boolean rowExists(String sid) throws SQLException {
        try (Connection c = pg.connect();
                PreparedStatement ps = c.prepareStatement("SELECT 1 FROM satchel_sessions WHERE id = ?")) {
            ps.setString(1, sid);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        }
    }
}
