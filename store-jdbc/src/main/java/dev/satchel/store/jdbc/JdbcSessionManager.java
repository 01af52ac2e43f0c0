package dev.satchel.store.jdbc;

import dev.satchel.SessionManager;
import dev.satchel.SessionStoreException;
import dev.satchel.spi.StoreMetrics;
import dev.satchel.spi.StoreSessionManager;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import javax.sql.DataSource;

/**
 * Sessions in one table of PostgreSQL (13 or newer) or MariaDB (10.6 or newer; MySQL 8 runs the same SQL),
 * through plain JDBC over a {@link DataSource} the application supplies — usually a pool such as HikariCP,
 * which this library does not bring.
 *
 * <pre>{@code
 * SessionManager sessions = JdbcSessionManager.builder(dataSource)
 *     .createSchemaIfMissing()          // or create the table yourself: schemaSql(...), the README
 *     .build();
 * }</pre>
 *
 * <p><b>Layout.</b> One row per session in table {@value #DEFAULT_TABLE} (see {@link Builder#tableName}):
 * {@code id}, {@code randval}, {@code created_ms}, {@code last_access_ms}, {@code idle_timeout_ms},
 * {@code deadline_ms} ({@code NULL}: none), {@code expires_at_ms} (indexed:
 * {@code min(last_access_ms + idle_timeout_ms, deadline_ms)}), {@code principal} (indexed),
 * {@code version}, {@code format_version} (the stored document's {@code "v"}, 1) and {@code attributes}:
 * a {@code jsonb} (PostgreSQL) or {@code JSON} (MariaDB) object mapping each attribute name to the exact
 * JSON text of its value, held as a JSON string. Times are epoch milliseconds. {@link #schemaSql} returns
 * the DDL, which the README prints.
 *
 * <p><b>Statements.</b> {@code get}: one {@code SELECT} by primary key. A new session: one {@code INSERT}
 * that never overwrites ({@code ON CONFLICT DO NOTHING}; on MariaDB a duplicate key is the answer). A
 * change: one {@code UPDATE} that merges this request's changes into the row as it is at that moment —
 * on PostgreSQL {@code (attributes - removed) || set}, on MariaDB {@code JSON_MERGE_PATCH} — moves the
 * last access forward, sets version + 1 and the new expiry, and matches nothing when the row is gone or
 * expired, so nothing is resurrected and no lock is held across a request. PostgreSQL returns the merged
 * row from the same statement ({@code RETURNING}); MariaDB needs none when nobody wrote in between (the
 * {@code UPDATE} then names the version the request read) and otherwise reads the row back inside the
 * {@code UPDATE}'s transaction. {@code remove}: one {@code DELETE}.
 *
 * <p><b>Failures</b> become the {@link SessionStoreException} family with the driver's exception as cause:
 * database down, refusing connections or read-only (a replica after a failover):
 * {@link dev.satchel.SessionStoreUnavailableException}; statement timeout or no free pooled connection
 * within the pool's timeout: {@link dev.satchel.SessionStoreTimeoutException}; a serialization failure or
 * deadlock still there after retries: {@link dev.satchel.SessionConflictException}. Statements the database
 * rolled back (serialization failure, deadlock) are retried up to 3 times; reads and deletes are also
 * retried once when the connection broke under them; nothing else is retried. No statement leaves a row
 * half written. The manager needs no restart when the database comes back.
 *
 * <p>The manager {@link #builder built} is core's {@link StoreSessionManager} over this store: thread-safe,
 * implementing {@link dev.satchel.PrincipalIndex} ({@code SELECT id … WHERE principal = ?}) and
 * {@link dev.satchel.ExpiryEvents}, deleting expired rows in the background in bounded batches. It logs no
 * session id, randval or attribute value, and its exception messages quote no row.
 */
public final class JdbcSessionManager {

    /** The default table name: {@value}. */
    public static final String DEFAULT_TABLE = "satchel_sessions";
    /** Default limit on each statement's execution: 5 seconds. */
    public static final Duration DEFAULT_STATEMENT_TIMEOUT = Duration.ofSeconds(5);
    /** Default pause between two background sweeps: one minute. */
    public static final Duration DEFAULT_SWEEP_INTERVAL = Duration.ofMinutes(1);
    /** Default number of expired rows one sweep batch deletes: {@value}. */
    public static final int DEFAULT_SWEEP_BATCH = 1_000;
    /** Longest principal name stored (the principal column is indexed): {@value} characters. */
    public static final int MAX_PRINCIPAL_LENGTH = 512;

    private JdbcSessionManager() {}

    /** The SQL dialect of the database; detected from the connection's metadata unless set. */
    public enum Dialect {
        /** PostgreSQL 13 or newer: {@code jsonb}, {@code INSERT … ON CONFLICT DO NOTHING}, {@code UPDATE … RETURNING}. */
        POSTGRESQL,
        /**
         * MariaDB 10.6 or newer, and MySQL 8 (detected as this too: same statements; this build tests
         * MariaDB only): {@code JSON}, {@code JSON_MERGE_PATCH}, binary collations for ids and principals.
         */
        MARIADB
    }

    /**
     * Starts configuring a manager over {@code dataSource}, which must hand out connections to a database
     * holding the table (or allowed to create it, see {@link Builder#createSchemaIfMissing}).
     *
     * @throws NullPointerException if {@code dataSource} is null
     */
    public static Builder builder(DataSource dataSource) {
        return new Builder(Objects.requireNonNull(dataSource, "dataSource"));
    }

    /**
     * The DDL that creates the table {@code tableName} and its indexes in {@code dialect}, as
     * {@link Builder#createSchemaIfMissing} runs it: statements ending in {@code ;}, each on its own lines,
     * every one of them a no-op when its object exists. For migration tools.
     *
     * @throws IllegalArgumentException if {@code tableName} is not a valid name (see {@link Builder#tableName})
     */
    public static String schemaSql(Dialect dialect, String tableName) {
        Objects.requireNonNull(dialect, "dialect");
        return SqlDialect.of(dialect, TableName.of(tableName)).schemaSql();
    }

    /**
     * Configures a JDBC session manager. Not thread-safe. Each setter may be called once (a second call
     * throws {@link IllegalStateException}); {@code null} arguments throw {@link NullPointerException};
     * {@link #build()} may be called more than once and never changes the builder.
     */
    public static final class Builder {
        private final DataSource dataSource;
        private TableName table;
        private Dialect dialect;
        private boolean createSchema;
        private Clock clock;
        private Duration statementTimeout;
        private Duration sweepInterval;
        private boolean noSweeper;
        private int sweepBatch;
        private StoreMetrics metrics;

        private Builder(DataSource dataSource) {
            this.dataSource = dataSource;
        }

        /**
         * The table holding the sessions; default {@value #DEFAULT_TABLE}. The name becomes part of SQL
         * text, so only a plain identifier is taken: a lowercase letter or {@code _}, then lowercase
         * letters, digits or {@code _}, at most 48 characters (index names add a suffix to it), optionally
         * qualified by a schema (PostgreSQL) or database (MariaDB) of the same form: {@code app.sessions}.
         *
         * @throws IllegalArgumentException if {@code name} is not such a name
         */
        public Builder tableName(String name) {
            requireUnset(table, "table name");
            this.table = TableName.of(Objects.requireNonNull(name, "name"));
            return this;
        }

        /** The SQL dialect, instead of detecting it from the first connection's metadata. */
        public Builder dialect(Dialect dialect) {
            requireUnset(this.dialect, "dialect");
            this.dialect = Objects.requireNonNull(dialect, "dialect");
            return this;
        }

        /**
         * Makes {@link #build()} create the table and its indexes when they do not exist
         * ({@code CREATE … IF NOT EXISTS}; safe when several nodes start at once). Off by default: most
         * teams create tables with their migration tool, from {@link JdbcSessionManager#schemaSql}.
         */
        public Builder createSchemaIfMissing() {
            if (createSchema) {
                throw new IllegalStateException("createSchemaIfMissing was already called");
            }
            this.createSchema = true;
            return this;
        }

        /** The clock for every expiry decision; default the system UTC clock. */
        public Builder clock(Clock clock) {
            requireUnset(this.clock, "clock");
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * The longest one statement may run before the driver cancels it and the call throws
         * {@link dev.satchel.SessionStoreTimeoutException}; default 5 seconds. JDBC counts whole seconds:
         * a part of a second is rounded up.
         *
         * @throws IllegalArgumentException if {@code timeout} is not positive
         */
        public Builder statementTimeout(Duration timeout) {
            requireUnset(statementTimeout, "statement timeout");
            this.statementTimeout = positive(timeout, "timeout", "statement timeout");
            return this;
        }

        /**
         * The pause between background sweeps of expired rows; default one minute. Each sweep deletes
         * expired rows in statements of {@link #sweepBatch} rows until none is left.
         *
         * @throws IllegalArgumentException if {@code interval} is not positive
         */
        public Builder sweepInterval(Duration interval) {
            requireUnset(sweepInterval, "sweep interval");
            if (noSweeper) {
                throw new IllegalStateException("the background sweeper was already turned off");
            }
            this.sweepInterval = positive(interval, "interval", "sweep interval");
            return this;
        }

        /** No background sweeper: expired rows stay (unread) until something else deletes them. */
        public Builder withoutSweeper() {
            if (noSweeper) {
                throw new IllegalStateException("withoutSweeper was already called");
            }
            if (sweepInterval != null) {
                throw new IllegalStateException("sweep interval was already set to " + sweepInterval);
            }
            this.noSweeper = true;
            return this;
        }

        /**
         * Expired rows one sweep statement deletes, between 1 and 100,000; default {@value #DEFAULT_SWEEP_BATCH}.
         * Smaller batches hold their locks for less time.
         *
         * @throws IllegalArgumentException if out of range
         */
        public Builder sweepBatch(int rows) {
            if (sweepBatch != 0) {
                throw new IllegalStateException("sweep batch was already set to " + sweepBatch);
            }
            if (rows < 1 || rows > 100_000) {
                throw new IllegalArgumentException("sweep batch must be between 1 and 100000, was " + rows);
            }
            this.sweepBatch = rows;
            return this;
        }

        /** Where the manager reports each store operation (Micrometer, say); default {@link StoreMetrics#NONE}. */
        public Builder metrics(StoreMetrics metrics) {
            requireUnset(this.metrics, "metrics");
            this.metrics = Objects.requireNonNull(metrics, "metrics");
            return this;
        }

        /**
         * Builds the manager and starts its sweeper. Connects once when the dialect must be detected or the
         * schema created, and then also checks the database: its version, that PostgreSQL stores UTF-8,
         * and that the table has the columns this store needs. With the dialect set and no schema to
         * create, makes no connection (an application may start while its database is down).
         *
         * @throws IllegalStateException if the database is of another kind or too old, or the table is
         *     missing or different
         * @throws SessionStoreException if the database cannot be reached or fails
         */
        public SessionManager build() {
            TableName t = table == null ? TableName.of(DEFAULT_TABLE) : table;
            long timeoutSeconds = (statementTimeout == null ? DEFAULT_STATEMENT_TIMEOUT : statementTimeout)
                    .plusNanos(999_999_999).toSeconds();
            JdbcSessionStore store = JdbcSessionStore.open(dataSource, dialect, t, createSchema,
                    (int) Math.min(Integer.MAX_VALUE, timeoutSeconds));
            return StoreSessionManager.over(store)
                    .clock(clock == null ? Clock.systemUTC() : clock)
                    .sweepInterval(noSweeper ? Duration.ZERO : sweepInterval == null ? DEFAULT_SWEEP_INTERVAL
                            : sweepInterval)
                    .sweepBatch(sweepBatch == 0 ? DEFAULT_SWEEP_BATCH : sweepBatch)
                    .metrics(metrics == null ? StoreMetrics.NONE : metrics)
                    .name("jdbc-" + t.name)
                    .build();
        }

        private static void requireUnset(Object current, String what) {
            if (current != null) {
                throw new IllegalStateException(what + " was already set to " + current);
            }
        }

        private static Duration positive(Duration d, String parameter, String what) {
            Objects.requireNonNull(d, parameter);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, was " + d);
            }
            return d;
        }
    }
}
