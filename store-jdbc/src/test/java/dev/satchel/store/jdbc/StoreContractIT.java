package dev.satchel.store.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import dev.satchel.spi.SessionStore;
import dev.satchel.store.jdbc.JdbcSessionManager.Dialect;
import dev.satchel.testkit.SessionStoreContract;
import dev.satchel.testkit.StoreBackdoor;
import java.time.Clock;
import java.util.EnumMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/** The testkit's store contract (below the manager) on both databases, each test in a table of its own. */
@ParameterizedClass
@EnumSource(Dialect.class)
@ExtendWith(Databases.class)
class StoreContractIT extends SessionStoreContract {

    private static final Map<Dialect, HikariDataSource> POOLS = new EnumMap<>(Dialect.class);

    @Parameter
    Dialect dialect;

    private TestTable table;

    @Override
    protected SessionStore createStore(Clock clock) {
        HikariDataSource pool = POOLS.computeIfAbsent(dialect, d -> Databases.server(d).pool("store-" + d, 8));
        table = TestTable.create(dialect, pool, "store");
        return JdbcSessionStore.open(pool, dialect, TableName.of(table.name), false, 5);
    }

    @Override
    protected StoreBackdoor backdoor() {
        JdbcSessionStore jdbc = (JdbcSessionStore) store;
        return new RowBackdoor(table, () -> {
            int total = 0;
            int n;
            do {
                n = jdbc.sweep(clock.millis(), 1_000, r -> {});
                total += n;
            } while (n == 1_000);
            return total;
        });
    }

    @AfterEach
    void dropTable() {
        table.close();
    }

    @AfterAll
    static void closePools() {
        POOLS.values().forEach(HikariDataSource::close);
        POOLS.clear();
    }
}
