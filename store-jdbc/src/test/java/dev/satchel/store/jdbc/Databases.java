package dev.satchel.store.jdbc;

import dev.satchel.store.jdbc.JdbcSessionManager.Dialect;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The servers shared by the whole test run: one {@link PostgresServer} and one {@link MariaDbServer},
 * each started on first use and stopped when the run ends (registered with the root extension context,
 * and by a shutdown hook if the JVM ends otherwise). Tests get them from {@link #server} in classes that
 * {@code @ExtendWith(Databases.class)}. Tests that stop or reconfigure a server start their own.
 */
final class Databases implements BeforeAllCallback {

    private static PostgresServer postgres;
    private static MariaDbServer mariadb;

    /** The shared server of {@code dialect}, started on first use. */
    static synchronized DatabaseServer server(Dialect dialect) {
        if (dialect == Dialect.POSTGRESQL) {
            if (postgres == null) {
                postgres = PostgresServer.create();
            }
            return postgres;
        }
        if (mariadb == null) {
            mariadb = MariaDbServer.create();
        }
        return mariadb;
    }

    @Override
    public void beforeAll(ExtensionContext context) {
        context.getRoot().getStore(ExtensionContext.Namespace.create(Databases.class))
                .computeIfAbsent("stop at the end of the run", k -> (AutoCloseable) Databases::stopAll);
    }

    private static synchronized void stopAll() {
        if (postgres != null) {
            postgres.close();
            postgres = null;
        }
        if (mariadb != null) {
            mariadb.close();
            mariadb = null;
        }
    }
}
