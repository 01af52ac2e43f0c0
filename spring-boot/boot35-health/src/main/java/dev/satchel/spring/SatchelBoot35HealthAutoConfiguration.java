package dev.satchel.spring;

import dev.satchel.SessionManager;
import dev.satchel.SessionStoreException;
import java.security.SecureRandom;
import java.util.Base64;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;

/**
 * The {@code satchel} health indicator for Spring Boot 3.5's Actuator ({@code org.springframework.boot.actuate.health};
 * Boot 4's is {@code SatchelHealthAutoConfiguration}): UP when the session store answers a lookup of a random id,
 * DOWN with the failure's type (no message: nothing of the store's address reaches the endpoint) when it does not.
 * Registered only when Boot 3.5's {@code HealthIndicator} is on the class path; off with
 * {@code management.health.satchel.enabled=false}.
 *
 * <p>Compiled against Boot 3.5 in its own module and shipped inside the starter's jar.
 */
@AutoConfiguration(afterName = "dev.satchel.spring.SatchelAutoConfiguration")
@ConditionalOnClass(name = "org.springframework.boot.actuate.health.HealthIndicator")
@ConditionalOnBean(SessionManager.class)
@ConditionalOnProperty(prefix = "management.health.satchel", name = "enabled", matchIfMissing = true)
public class SatchelBoot35HealthAutoConfiguration {

    private static final SecureRandom RANDOM = new SecureRandom();

    /** Created by Spring. */
    public SatchelBoot35HealthAutoConfiguration() {}

    /**
     * The indicator; thread-safe, one store lookup per call. A store failure is reported as DOWN, never thrown.
     *
     * @param manager the application's session manager
     * @return the indicator named {@code satchel}
     */
    @Bean
    @ConditionalOnMissingBean(name = "satchelHealthIndicator")
    public HealthIndicator satchelHealthIndicator(SessionManager manager) {
        return () -> {
            try {
                manager.exists(randomId());
                return Health.up().build();
            } catch (SessionStoreException e) {
                return Health.down().withDetail("error", e.getClass().getName()).build();
            }
        };
    }

    /** An id no session has: the lookup reaches the store (a cache has never seen it). */
    private static String randomId() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
