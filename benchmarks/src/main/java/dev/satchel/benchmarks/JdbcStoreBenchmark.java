package dev.satchel.benchmarks;

import com.zaxxer.hikari.HikariDataSource;
import dev.satchel.SessionManager;
import dev.satchel.store.jdbc.JdbcSessionManager;
import org.openjdk.jmh.annotations.Param;

/**
 * The JDBC store on PostgreSQL next to raw JDBC issuing the same statements on the same pool (the store's
 * {@code SELECT} by id; its one-statement merge {@code UPDATE … RETURNING}) and to Spring Session JDBC's
 * {@code JdbcIndexedSessionRepository} as its users run it (its own schema, {@code JdbcTemplate} and a
 * {@code TransactionTemplate}, JDK serialization of values), all on one PostgreSQL on loopback with one
 * HikariCP pool of 4 connections each: {@code get}, {@code put} of one changed attribute, and the
 * {@code cycle} of both.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar JdbcStoreBenchmark -t 1     # starts its own PostgreSQL
 * java -Dsatchel.bench.postgres=jdbc:postgresql://127.0.0.1:5433/postgres -jar benchmarks/target/benchmarks.jar JdbcStoreBenchmark -t 2
 * </pre>
 */
public class JdbcStoreBenchmark extends StoreBenchmark {

    static final String TABLE = "bench_sessions";

    /** What is measured. */
    public enum Impl {
        /** {@code JdbcSessionManager}: {@code get} = one {@code SELECT} and decode; {@code put} = one {@code UPDATE}. */
        SATCHEL,
        /** The same statements through the same pool, without Satchel's code around them. */
        JDBC_RAW,
        /** Spring Session JDBC {@code JdbcIndexedSessionRepository}: {@code findById}; {@code save}. */
        SPRING_SESSION
    }

    /** One {@link Impl}, or several joined by {@code +} to take turns in one fork ({@link Interleaving}). */
    @Param({"SATCHEL", "JDBC_RAW", "SPRING_SESSION"})
    String impl;

    /** The server and pool every client of this fork uses; the tables are dropped once, before the first client. */
    private PostgresProcess postgres;
    private HikariDataSource pool;

    @Override
    protected String implementations() {
        return impl;
    }

    @Override
    protected StoreClient open(String name) {
        if (postgres == null) {
            postgres = PostgresProcess.obtain();
            pool = postgres.pool(4);
            PostgresProcess.drop(pool, TABLE, "spring_session_attributes", "spring_session");
        }
        AutoCloseable cleanup = () -> {}; // what the clients share is closed once, by closeShared
        try {
            switch (Impl.valueOf(name)) {
                case SATCHEL:
                    return new SatchelStoreClient(satchel(pool), sessions, cleanup);
                case JDBC_RAW:
                    return new JdbcRawClient(satchel(pool), pool, TABLE, sessions, cleanup);
                case SPRING_SESSION:
                    return new SpringJdbcClient(pool, sessions, cleanup);
                default:
                    throw new AssertionError(name);
            }
        } catch (RuntimeException e) {
            closeShared();
            throw e;
        }
    }

    @Override
    protected void closeShared() {
        if (postgres == null) {
            return;
        }
        try {
            PostgresProcess.drop(pool, TABLE, "spring_session_attributes", "spring_session");
            pool.close();
        } finally {
            postgres.close();
            postgres = null;
        }
    }

    private static SessionManager satchel(HikariDataSource pool) {
        return JdbcSessionManager.builder(pool).tableName(TABLE).createSchemaIfMissing().withoutSweeper().build();
    }
}
