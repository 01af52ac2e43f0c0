package dev.satchel.spring;

import dev.satchel.HttpSessions;
import dev.satchel.SessionListener;
import dev.satchel.SessionManager;
import dev.satchel.SessionManagers;
import dev.satchel.servlet.SatchelSessionFilter;
import dev.satchel.spi.StoreMetrics;
import dev.satchel.store.caching.CacheMetrics;
import dev.satchel.store.caching.CachingSessionManager;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpSessionAttributeListener;
import jakarta.servlet.http.HttpSessionIdListener;
import jakarta.servlet.http.HttpSessionListener;
import java.time.Clock;
import java.time.Duration;
import java.util.EventListener;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.BeanFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * Makes {@code request.getSession()} a Satchel session in a Spring Boot servlet application: a
 * {@link SessionManager} from {@code satchel.store.uri} (or the application's {@code DataSource} with
 * {@code satchel.store.uri=datasource:}) (behind a cache when satchel-store-caching is on the
 * class path), an {@link HttpSessions} from the {@code satchel.*} and {@code server.servlet.session.*}
 * properties, and the {@link SatchelSessionFilter} registered before Spring Security's filter chain for the
 * request, forward, async and error dispatches. Each bean backs off when the application defines its own.
 *
 * <p>The servlet container's own sessions are never created: every {@code getSession()} goes to Satchel.
 */
@AutoConfiguration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass({SatchelSessionFilter.class, FilterRegistrationBean.class})
@EnableConfigurationProperties(SatchelProperties.class)
public class SatchelAutoConfiguration {

    /**
     * The filter's default order: before Spring Security's filter chain (-100) and Boot's request wrappers,
     * after only the character-encoding filter. Spring Session's filter takes the same place.
     */
    public static final int DEFAULT_FILTER_ORDER = Integer.MIN_VALUE + 50;

    private static final Logger LOG = LoggerFactory.getLogger(SatchelAutoConfiguration.class);

    /** The auto-configuration is created by Spring. */
    public SatchelAutoConfiguration() {}

    /**
     * The sessions of the application, signed with {@code satchel.signing-keys}.
     *
     * @throws IllegalStateException at startup, saying which property to set, if no signing key is configured or
     *     a setting breaks a rule
     */
    @Bean
    @ConditionalOnMissingBean
    public HttpSessions satchelHttpSessions(SatchelProperties properties, SessionManager manager, Environment env,
            ObjectProvider<SessionListener> listeners) {
        HttpSessions.Builder b = HttpSessions.builder()
                .manager(manager)
                .signingKeys(SessionSettings.signingKeys(properties))
                .cookie(SessionSettings.cookie(properties, env))
                .touchThreshold(properties.getTouchThreshold());
        Duration idle = SessionSettings.idleTimeout(properties, env);
        if (idle != null) {
            b.idleTimeout(idle);
        }
        Duration absolute = properties.getAbsoluteTimeout();
        b.absoluteTimeout(absolute == null || absolute.isZero() ? null : absolute);
        listeners.orderedStream().forEach(b::addListener);
        return b.build();
    }

    /**
     * The filter, ordered by {@code satchel.filter.order}, with the declared attribute types
     * ({@code satchel.attribute-types}, {@link SatchelFilterCustomizer} beans, session-scoped beans) and the
     * application's {@code HttpSessionListener}, {@code HttpSessionAttributeListener} and
     * {@code HttpSessionIdListener} beans (a filter cannot see the container's listener list).
     */
    @Bean
    @ConditionalOnMissingBean(name = "satchelSessionFilter")
    public FilterRegistrationBean<Filter> satchelSessionFilter(HttpSessions sessions,
            SatchelProperties properties, ObjectProvider<SatchelFilterCustomizer> customizers,
            ObjectProvider<HttpSessionListener> sessionListeners,
            ObjectProvider<HttpSessionAttributeListener> attributeListeners,
            ObjectProvider<HttpSessionIdListener> idListeners, ConfigurableListableBeanFactory beans) {
        SatchelSessionFilter.Builder b = SatchelSessionFilter.builder(sessions)
                .storeFailureStatus(properties.getFilter().getStoreFailureStatus());
        for (Map.Entry<String, Class<?>> e : properties.getAttributeTypes().entrySet()) {
            b.attribute(e.getKey(), e.getValue());
        }
        SessionScopedBeans.declare(beans, b);
        customizers.orderedStream().forEach(c -> c.customize(b));
        Set<EventListener> listeners = new LinkedHashSet<>();
        sessionListeners.orderedStream().forEach(listeners::add);
        attributeListeners.orderedStream().forEach(listeners::add);
        idListeners.orderedStream().forEach(listeners::add);
        listeners.forEach(b::listener);
        FilterRegistrationBean<Filter> registration = new FilterRegistrationBean<>(new SpringSessionValues(b.build()));
        registration.setName("satchelSessionFilter");
        registration.setOrder(properties.getFilter().getOrder());
        registration.setAsyncSupported(true);
        registration.setDispatcherTypes(DispatcherType.REQUEST, DispatcherType.FORWARD, DispatcherType.ASYNC,
                DispatcherType.ERROR);
        registration.addUrlPatterns("/*");
        return registration;
    }

    /** With satchel-store-caching on the class path: the store behind a cache (unless {@code satchel.cache.enabled=false}). */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(CachingSessionManager.class)
    static class CachedStore {

        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean
        SessionManager satchelSessionManager(SatchelProperties properties, ObjectProvider<StoreMetrics> storeMetrics,
                ObjectProvider<CacheMetrics> cacheMetrics, BeanFactory beans) {
            String uri = properties.getStore().getUri();
            SessionManager store = open(properties.getStore(), storeMetrics, beans);
            Boolean enabled = properties.getCache().getEnabled();
            if (enabled == null ? isMemory(uri) : !enabled) {
                return store;
            }
            try {
                CachingSessionManager.Builder b = CachingSessionManager.over(store)
                        .maximumSize(properties.getCache().getMaximumSize());
                if (properties.getCache().getMaxStaleness() != null) {
                    b.maxStaleness(properties.getCache().getMaxStaleness());
                }
                CacheMetrics metrics = cacheMetrics.getIfAvailable();
                if (metrics != null) {
                    b.metrics(metrics);
                }
                return b.build();
            } catch (RuntimeException e) {
                store.close();
                throw e;
            }
        }
    }

    /** Without satchel-store-caching: the store itself. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnMissingClass("dev.satchel.store.caching.CachingSessionManager")
    static class UncachedStore {

        @Bean(destroyMethod = "close")
        @ConditionalOnMissingBean
        SessionManager satchelSessionManager(SatchelProperties properties, ObjectProvider<StoreMetrics> storeMetrics,
                BeanFactory beans) {
            if (Boolean.TRUE.equals(properties.getCache().getEnabled())) {
                throw new IllegalStateException("satchel.cache.enabled=true needs dev.satchel:satchel-store-caching on the class path");
            }
            return open(properties.getStore(), storeMetrics, beans);
        }
    }

    static SessionManager open(SatchelProperties.Store settings, ObjectProvider<StoreMetrics> storeMetrics,
            BeanFactory beans) {
        String uri = settings.getUri();
        if (uri == null || uri.isBlank()) {
            throw new IllegalStateException("satchel.store.uri is empty; known schemes: " + SessionManagers.schemes()
                    + ", or " + DataSourceStore.SCHEME + " for the application's DataSource");
        }
        if (DataSourceStore.isDataSource(uri)) {
            return DataSourceStore.open(uri, settings.getJdbc(), storeMetrics.getIfAvailable(() -> StoreMetrics.NONE),
                    beans);
        }
        if (isMemory(uri)) {
            LOG.info("Satchel keeps sessions in this process's memory (satchel.store.uri={}): they are lost at restart "
                    + "and not shared with other instances", uri);
        }
        return SessionManagers.open(uri, Clock.systemUTC(), storeMetrics.getIfAvailable(() -> StoreMetrics.NONE));
    }

    private static boolean isMemory(String uri) {
        return uri.regionMatches(true, 0, "memory:", 0, 7);
    }
}
