package dev.satchel.store.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import dev.satchel.SessionManager;
import dev.satchel.spi.StoreSessionManager;
import dev.satchel.store.jdbc.JdbcSessionManager.Dialect;
import dev.satchel.testkit.SessionManagerContract;
import dev.satchel.testkit.StoreBackdoor;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;

/**
 * The testkit's manager contract against a real database: every test in a table of its own, created by
 * the manager ({@code createSchemaIfMissing}) and dropped afterwards, over one pool per test class.
 */
abstract class JdbcManagerContract extends SessionManagerContract {

    private static final AtomicInteger TABLES = new AtomicInteger();

    private TestTable table;

    /** The pool of the test class, over its database. */
    abstract HikariDataSource pool();

    /** Its database's dialect (the manager detects it; the test's own SQL needs it). */
    abstract Dialect dialect();

    @Override
    protected SessionManager createManager(Clock clock) {
        // The manager creates its table (createSchemaIfMissing) and detects the dialect.
        String name = "contract_" + TABLES.incrementAndGet();
        SessionManager m = JdbcSessionManager.builder(pool()).tableName(name).createSchemaIfMissing().clock(clock)
                .withoutSweeper().build();
        table = TestTable.existing(dialect(), pool(), name);
        return m;
    }

    /** Another app server over the same table: a manager of its own, with the dialect given. */
    @Override
    protected SessionManager createSecondManager(Clock clock) {
        return table.manager(pool()).clock(clock).build();
    }

    @AfterEach
    void dropTable() {
        if (table != null) {
            table.close();
        }
    }

    @Override
    protected StoreBackdoor backdoor() {
        return new RowBackdoor(table, () -> StoreSessionManager.sweepNow(manager));
    }
}
