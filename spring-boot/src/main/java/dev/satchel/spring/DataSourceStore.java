package dev.satchel.spring;

import dev.satchel.SessionManager;
import dev.satchel.SessionStoreException;
import dev.satchel.spi.StoreMetrics;
import dev.satchel.store.jdbc.JdbcSessionManager;
import javax.sql.DataSource;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.NoSuchBeanDefinitionException;
import org.springframework.util.ClassUtils;

/**
 * {@code satchel.store.uri=datasource:} (or {@code datasource:<bean name>}): the application's own
 * {@link DataSource} bean — Boot's pool — as the store, through satchel-store-jdbc. Only this class names
 * satchel-store-jdbc, and it is loaded only for that scheme, so the starter runs without it.
 */
final class DataSourceStore {

    static final String SCHEME = "datasource:";
    private static final String JDBC_MANAGER = "dev.satchel.store.jdbc.JdbcSessionManager";

    private DataSourceStore() {}

    static boolean isDataSource(String uri) {
        return uri.regionMatches(true, 0, SCHEME, 0, SCHEME.length());
    }

    /**
     * The manager over the data source {@code uri} names; its {@code close()} leaves the data source open (the
     * application's, closed by Spring).
     *
     * @throws IllegalStateException naming what to add or set, if satchel-store-jdbc is missing or no such bean
     *     exists; the store's own exception if the table is missing (without {@code satchel.store.jdbc.create-schema})
     *     or the database cannot be reached
     */
    static SessionManager open(String uri, SatchelProperties.Store.Jdbc jdbc, StoreMetrics metrics, BeanFactory beans) {
        if (!ClassUtils.isPresent(JDBC_MANAGER, DataSourceStore.class.getClassLoader())) {
            throw new IllegalStateException("satchel.store.uri=" + SCHEME + " needs dev.satchel:satchel-store-jdbc on "
                    + "the class path");
        }
        String name = uri.substring(SCHEME.length());
        DataSource dataSource;
        if (name.isEmpty()) {
            dataSource = beans.getBeanProvider(DataSource.class).getIfUnique();
            if (dataSource == null) {
                throw new IllegalStateException("satchel.store.uri=" + SCHEME + " needs one DataSource bean (or a "
                        + "@Primary one); there is none or several: name one with " + SCHEME + "<bean name>");
            }
        } else {
            try {
                dataSource = beans.getBean(name, DataSource.class);
            } catch (NoSuchBeanDefinitionException e) {
                throw new IllegalStateException("satchel.store.uri=" + uri + ": no DataSource bean named '" + name + "'", e);
            }
        }
        JdbcSessionManager.Builder b = JdbcSessionManager.builder(dataSource).tableName(jdbc.getTable()).metrics(metrics);
        if (jdbc.isCreateSchema()) {
            b.createSchemaIfMissing();
            return b.build();
        }
        try {
            return b.build();
        } catch (SessionStoreException | IllegalStateException e) {
            // The store's message names its builder; a Boot user sets a property instead.
            throw new IllegalStateException("satchel.store.uri=" + uri + " cannot be used: " + e.getMessage() + " (with Spring Boot: "
                    + "satchel.store.jdbc.create-schema=true creates the table at startup)", e);
        }
    }
}
