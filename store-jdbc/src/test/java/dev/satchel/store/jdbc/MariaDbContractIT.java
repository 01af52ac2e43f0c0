package dev.satchel.store.jdbc;

import com.zaxxer.hikari.HikariDataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/** The manager contract on MariaDB. */
@ExtendWith(Databases.class)
class MariaDbContractIT extends JdbcManagerContract {

    private static HikariDataSource pool;

    @BeforeAll
    static void openPool(MariaDbServer server) {
        pool = server.pool("maria-contract", 8);
    }

    @AfterAll
    static void closePool() {
        pool.close();
    }

    @Override
    HikariDataSource pool() {
        return pool;
    }

    @Override
    JdbcSessionManager.Dialect dialect() {
        return JdbcSessionManager.Dialect.MARIADB;
    }
}
