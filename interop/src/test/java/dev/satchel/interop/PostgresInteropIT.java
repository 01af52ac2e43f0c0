package dev.satchel.interop;

import dev.satchel.SessionManager;
import dev.satchel.store.jdbc.JdbcSessionManager;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The shared session on PostgreSQL: the Java side's {@link JdbcSessionManager} (which creates the table) and
 * PHP's ({@code pgsql}) and Python's (psycopg2) PostgreSQL stores, running the same merge statement against a
 * PostgreSQL server of the test's own.
 */
class PostgresInteropIT extends SharedSessionScenarios {

    private PostgresProcess pg;
    private SessionManager manager;

    @Override
    void startStore() {
        pg = PostgresProcess.start();
        PGSimpleDataSource ds = new PGSimpleDataSource();
        ds.setURL(pg.jdbcUrl());
        ds.setUser(PostgresProcess.USER);
        manager = JdbcSessionManager.builder(ds).createSchemaIfMissing().withoutSweeper().build();
    }

    @Override
    SessionManager manager() {
        return manager;
    }

    @Override
    String storeSpec() {
        return "pgsql:" + pg.conninfo();
    }

    @Override
    boolean otherSideMayChangePrincipal() {
        return true;
    }

    @Override
    void plantNewerFormat(String sid, String randval) {
        long now = System.currentTimeMillis();
        pg.psql("INSERT INTO satchel_sessions (id, randval, created_ms, last_access_ms, idle_timeout_ms, deadline_ms, "
                + "expires_at_ms, principal, version, format_version, attributes) VALUES ('" + sid + "', '" + randval
                + "', " + now + ", " + now + ", 3600000, NULL, " + (now + 3_600_000) + ", NULL, 1, 2, '{\"count\":\"41\"}')");
    }

    @Override
    void plantCorrupt(String sid) {
        long now = System.currentTimeMillis();
        pg.psql("INSERT INTO satchel_sessions (id, randval, created_ms, last_access_ms, idle_timeout_ms, deadline_ms, "
                + "expires_at_ms, principal, version, format_version, attributes) VALUES ('" + sid + "', 'not a randval', "
                + now + ", " + now + ", 3600000, NULL, " + (now + 3_600_000) + ", NULL, 1, 1, '{\"count\":41}')");
    }

    @Override
    String rawEntry(String sid) {
        String row = pg.psql("SELECT row_to_json(s)::text FROM satchel_sessions s WHERE id = '" + sid + "'");
        return row.isEmpty() ? null : row;
    }

    @Override
    void stopStore() {
        if (manager != null) {
            manager.close();
        }
        if (pg != null) {
            pg.close();
        }
    }
}
