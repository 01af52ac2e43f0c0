package dev.satchel.spring;

import dev.satchel.SessionManager;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.core.session.SessionRegistry;

/**
 * Spring Security without Java serialization: the {@link SatchelSecurityContextRepository},
 * {@link SatchelCsrfTokenRepository} and {@link SatchelRequestCache} beans, which {@link SatchelHttpConfigurer}
 * makes the defaults of every {@code HttpSecurity} (what the application's own {@code SecurityFilterChain}
 * configures still wins), and a {@link SatchelSessionRegistry} for the concurrent-session limit. Off with
 * {@code satchel.security.enabled=false}.
 */
@AutoConfiguration(after = SatchelAutoConfiguration.class)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(HttpSecurity.class)
@ConditionalOnBean(SessionManager.class)
@ConditionalOnProperty(prefix = "satchel.security", name = "enabled", matchIfMissing = true)
public class SatchelSecurityAutoConfiguration {

    /** Created by Spring. */
    public SatchelSecurityAutoConfiguration() {}

    /** Declares the JSON type of the stored authentication to the filter. */
    @Bean
    public SatchelFilterCustomizer satchelSecurityAttributeTypes() {
        return filter -> filter.attribute(SatchelSecurityContextRepository.ATTRIBUTE, StoredAuthentication.class);
    }

    /** The security context repository, with the application's {@link AuthenticationCodec} bean if it has one. */
    @Bean
    @ConditionalOnMissingBean
    public SatchelSecurityContextRepository satchelSecurityContextRepository(ObjectProvider<AuthenticationCodec> codec) {
        return new SatchelSecurityContextRepository(codec.getIfAvailable(() -> AuthenticationCodec.DEFAULT));
    }

    /** The CSRF token repository. */
    @Bean
    @ConditionalOnMissingBean
    public SatchelCsrfTokenRepository satchelCsrfTokenRepository() {
        return new SatchelCsrfTokenRepository();
    }

    /** The request cache. */
    @Bean
    @ConditionalOnMissingBean
    public SatchelRequestCache satchelRequestCache() {
        return new SatchelRequestCache();
    }

    /** The session registry Spring Security's {@code maximumSessions} finds by type. */
    @Bean
    @ConditionalOnMissingBean(SessionRegistry.class)
    public SatchelSessionRegistry satchelSessionRegistry(SessionManager manager) {
        return new SatchelSessionRegistry(manager);
    }
}
