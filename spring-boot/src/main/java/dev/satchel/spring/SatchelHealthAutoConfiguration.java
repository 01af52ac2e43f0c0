package dev.satchel.spring;

import dev.satchel.SessionManager;
import dev.satchel.SessionStoreException;
import java.security.SecureRandom;
import java.util.Base64;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.context.annotation.Bean;

/**
 * The {@code satchel} health indicator (Spring Boot 4's health API): UP when the session store answers a
 * lookup of a random id, DOWN with the failure's type when it does not (no message: nothing of the store's address
 * reaches the endpoint). Off with {@code management.health.satchel.enabled=false}. Boot 3.5's indicator is
 * {@code SatchelBoot35HealthAutoConfiguration}, compiled against Boot 3.5 in the module {@code spring-boot/boot35-health}.
 */
@AutoConfiguration(after = SatchelAutoConfiguration.class)
@ConditionalOnClass(HealthIndicator.class)
@ConditionalOnBean(SessionManager.class)
@ConditionalOnProperty(prefix = "management.health.satchel", name = "enabled", matchIfMissing = true)
public class SatchelHealthAutoConfiguration {

    private static final SecureRandom RANDOM = new SecureRandom();

    /** Created by Spring. */
    public SatchelHealthAutoConfiguration() {}

    /** The indicator. */
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
    static String randomId() {
        byte[] b = new byte[16];
        RANDOM.nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
