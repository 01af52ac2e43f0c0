package dev.satchel.store.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import dev.satchel.SessionManager;
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

    @Override
    protected SessionManager createManager(Clock clock) {
        // The manager creates its table (createSchemaIfMissing) and detects the dialect.
        String name = "contract_" + TABLES.incrementAndGet();
        SessionManager m = JdbcSessionManager.builder(pool()).tableName(name).createSchemaIfMissing().clock(clock)
                .withoutSweeper().build();
        table = TestTable.existing(((StoreManager) m).store().dialect(), pool(), name);
        return m;
    }

    @AfterEach
    void dropTable() {
        if (table != null) {
            table.close();
        }
    }

    @Override
    protected StoreBackdoor backdoor() {
        return new StoreBackdoor() {
            @Override
            public boolean isStored(String sid) {
                return table.exists(sid);
            }

            @Override
            public boolean plantCorrupt(String sid) {
                table.insertRaw(sid, "AAAAAAAAAAAAAAAAAAAAAA", 1, "{\"a\": {\"not\": \"a string\"}}",
                        Long.MAX_VALUE / 2);
                return true;
            }

            @Override
            public int sweepExpired() {
                return ((StoreManager) manager).sweep();
            }
        };
    }
}
