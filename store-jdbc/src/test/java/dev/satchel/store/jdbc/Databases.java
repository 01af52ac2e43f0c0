package dev.satchel.store.jdbc;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives tests the servers shared by the whole test run: one {@link PostgresServer} and one
 * {@link MariaDbServer}, each started on first use and stopped when the run ends (and by a shutdown hook
 * if the JVM ends otherwise). Declare a parameter of either type in a {@code @BeforeAll} method or a
 * test. Tests that stop or reconfigure a server start their own instead.
 */
final class Databases implements ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(Databases.class);

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        return type == PostgresServer.class || type == MariaDbServer.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        Class<?> type = parameter.getParameter().getType();
        ExtensionContext.Store store = context.getRoot().getStore(NAMESPACE);
        if (type == PostgresServer.class) {
            return store.computeIfAbsent(PostgresServer.class, k -> PostgresServer.create(), PostgresServer.class);
        }
        return store.computeIfAbsent(MariaDbServer.class, k -> MariaDbServer.create(), MariaDbServer.class);
    }
}
