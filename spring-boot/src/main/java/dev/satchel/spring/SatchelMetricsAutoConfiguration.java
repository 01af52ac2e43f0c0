package dev.satchel.spring;

import dev.satchel.Session;
import dev.satchel.SessionListener;
import dev.satchel.spi.StoreMetrics;
import dev.satchel.store.caching.CacheMetrics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Micrometer meters, when Micrometer is on the class path and the application has a {@code MeterRegistry}
 * (Actuator gives one):
 * <ul>
 *   <li>{@code satchel.store.operations} (timer; tags {@code operation}: load, create, apply, delete, sweep,
 *       find_by_principal; {@code outcome}: success, absent, conflict, failure) — every store operation, with
 *       its latency;</li>
 *   <li>{@code satchel.cache.requests} (counter; tag {@code result}: hit, miss, negative_hit),
 *       {@code satchel.cache.loads} (timer; {@code result}: success, failure) and {@code satchel.cache.evictions}
 *       (counter) — the cache in front of the store;</li>
 *   <li>{@code satchel.sessions.created}, {@code satchel.sessions.rotated} and {@code satchel.sessions.destroyed}
 *       (tag {@code reason}: invalidated, expired) — counters of session events.</li>
 * </ul>
 */
@AutoConfiguration(before = SatchelAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(MeterRegistry.class)
public class SatchelMetricsAutoConfiguration {

    /** Created by Spring. */
    public SatchelMetricsAutoConfiguration() {}

    /** Store operations, passed to the store through {@code SessionManagers.open(uri, clock, metrics)}. */
    @Bean
    @ConditionalOnMissingBean
    public StoreMetrics satchelStoreMetrics(ObjectProvider<MeterRegistry> registry) {
        MeterRegistry r = registry.getIfUnique();
        return r == null ? StoreMetrics.NONE : new StoreTimers(r);
    }

    /** Session events. */
    @Bean
    public SessionListener satchelSessionMeters(ObjectProvider<MeterRegistry> registry) {
        MeterRegistry r = registry.getIfUnique();
        return r == null ? new SessionListener() {} : new SessionCounters(r);
    }

    /** The cache's events. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(CacheMetrics.class)
    static class CacheMeters {
        @Bean
        @ConditionalOnMissingBean
        CacheMetrics satchelCacheMetrics(ObjectProvider<MeterRegistry> registry) {
            MeterRegistry r = registry.getIfUnique();
            return r == null ? CacheMetrics.disabled() : new CacheCounters(r);
        }
    }

    /** One timer per operation and outcome, made up front: recording allocates nothing. */
    static final class StoreTimers implements StoreMetrics {
        private final Timer[][] timers = new Timer[Operation.values().length][Outcome.values().length];

        StoreTimers(MeterRegistry registry) {
            for (Operation op : Operation.values()) {
                for (Outcome outcome : Outcome.values()) {
                    timers[op.ordinal()][outcome.ordinal()] = Timer.builder("satchel.store.operations")
                            .description("Session store operations, by operation and outcome")
                            .tag("operation", op.name().toLowerCase(Locale.ROOT))
                            .tag("outcome", outcome.name().toLowerCase(Locale.ROOT))
                            .register(registry);
                }
            }
        }

        @Override
        public void record(Operation operation, Outcome outcome, long nanos) {
            timers[operation.ordinal()][outcome.ordinal()].record(nanos, TimeUnit.NANOSECONDS);
        }
    }

    static final class CacheCounters implements CacheMetrics {
        private final Counter hits;
        private final Counter misses;
        private final Counter negativeHits;
        private final Counter evictions;
        private final Timer loadSuccess;
        private final Timer loadFailure;

        CacheCounters(MeterRegistry r) {
            hits = cacheRequests(r, "hit");
            misses = cacheRequests(r, "miss");
            negativeHits = cacheRequests(r, "negative_hit");
            evictions = Counter.builder("satchel.cache.evictions").description("Sessions dropped to keep the cache in bounds").register(r);
            loadSuccess = Timer.builder("satchel.cache.loads").tag("result", "success").description("Lookups in the store behind the cache").register(r);
            loadFailure = Timer.builder("satchel.cache.loads").tag("result", "failure").description("Lookups in the store behind the cache").register(r);
        }

        private static Counter cacheRequests(MeterRegistry r, String result) {
            return Counter.builder("satchel.cache.requests").tag("result", result)
                    .description("Session lookups answered by the cache (hit, negative_hit) or the store (miss)").register(r);
        }

        @Override
        public void recordHits(int count) {
            hits.increment(count);
        }

        @Override
        public void recordNegativeHits(int count) {
            negativeHits.increment(count);
        }

        @Override
        public void recordMisses(int count) {
            misses.increment(count);
        }

        @Override
        public void recordLoadSuccess(long loadTimeNanos) {
            loadSuccess.record(loadTimeNanos, TimeUnit.NANOSECONDS);
        }

        @Override
        public void recordLoadFailure(long loadTimeNanos) {
            loadFailure.record(loadTimeNanos, TimeUnit.NANOSECONDS);
        }

        @Override
        public void recordEviction(int weight) {
            evictions.increment();
        }
    }

    static final class SessionCounters implements SessionListener {
        private final Counter created;
        private final Counter rotated;
        private final Counter invalidated;
        private final Counter expired;

        SessionCounters(MeterRegistry r) {
            created = Counter.builder("satchel.sessions.created").description("Sessions stored for the first time").register(r);
            rotated = Counter.builder("satchel.sessions.rotated").description("Session ids changed (a login)").register(r);
            invalidated = Counter.builder("satchel.sessions.destroyed").tag("reason", "invalidated").description("Sessions ended").register(r);
            expired = Counter.builder("satchel.sessions.destroyed").tag("reason", "expired").description("Sessions ended").register(r);
        }

        @Override
        public void created(Session session) {
            created.increment();
        }

        @Override
        public void idChanged(Session session, String oldId) {
            rotated.increment();
        }

        @Override
        public void destroyed(Session session, Reason reason) {
            (reason == Reason.EXPIRED ? expired : invalidated).increment();
        }
    }
}
