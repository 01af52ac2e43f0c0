package dev.satchel.store.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import dev.satchel.SessionManager;
import dev.satchel.spi.StoreSessionManager;
import dev.satchel.store.jdbc.JdbcSessionManager.Dialect;
import dev.satchel.testkit.SessionManagerContract;
import dev.satchel.testkit.StoreBackdoor;
import java.time.Clock;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The testkit's manager contract on both databases: every test in a table of its own, created by the
 * manager ({@code createSchemaIfMissing}, dialect detected) and dropped afterwards.
 */
@ParameterizedClass
@EnumSource(Dialect.class)
@ExtendWith(Databases.class)
class ManagerContractIT extends SessionManagerContract {

    private static final AtomicInteger TABLES = new AtomicInteger();
    private static final Map<Dialect, HikariDataSource> POOLS = new EnumMap<>(Dialect.class);

    @Parameter
    Dialect dialect;

    private TestTable table;

    @Override
    protected SessionManager createManager(Clock clock) {
        String name = "contract_" + TABLES.incrementAndGet();
        SessionManager m = JdbcSessionManager.builder(pool()).tableName(name).createSchemaIfMissing().clock(clock)
                .withoutSweeper().build();
        table = TestTable.existing(dialect, pool(), name);
        return m;
    }

    /** Another app server over the same table: a manager of its own, with the dialect given. */
    @Override
    protected SessionManager createSecondManager(Clock clock) {
        return table.manager(pool()).clock(clock).build();
    }

    @Override
    protected StoreBackdoor backdoor() {
        return new RowBackdoor(table, () -> StoreSessionManager.sweepNow(manager));
    }

    @AfterEach
    void dropTable() {
        if (table != null) {
            table.close();
        }
    }

    @AfterAll
    static void closePools() {
        POOLS.values().forEach(HikariDataSource::close);
        POOLS.clear();
    }

    private HikariDataSource pool() {
        return POOLS.computeIfAbsent(dialect, d -> Databases.server(d).pool("contract-" + d, 8));
    }
}
