package dev.satchel.spring;

import org.springframework.context.ApplicationContext;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.web.context.DelegatingSecurityContextRepository;
import org.springframework.security.web.context.RequestAttributeSecurityContextRepository;

/**
 * Makes Satchel's security context repository, CSRF token repository and request cache the defaults of every
 * {@code HttpSecurity} the application builds. Spring Security applies the configurers listed under
 * {@code AbstractHttpConfigurer} in {@code META-INF/spring.factories} to each {@code HttpSecurity} as it is
 * created, before the application's {@code SecurityFilterChain} method configures it; this one sets the three
 * at that moment, so {@code http.csrf(c -> c.csrfTokenRepository(...))} and the like in the application still
 * win. The same on Spring Security 6.5 and 7.
 *
 * <p>Does nothing when the Satchel beans are absent ({@code satchel.security.enabled=false}, or no Satchel
 * auto-configuration). Not for direct use.
 */
public final class SatchelHttpConfigurer extends AbstractHttpConfigurer<SatchelHttpConfigurer, HttpSecurity> {

    /** Created by Spring Security's {@code SpringFactoriesLoader}. */
    public SatchelHttpConfigurer() {}

    @Override
    public void setBuilder(HttpSecurity http) {
        super.setBuilder(http);
        ApplicationContext context = http.getSharedObject(ApplicationContext.class);
        if (context == null) {
            return;
        }
        SatchelSecurityContextRepository repository = context.getBeanProvider(SatchelSecurityContextRepository.class).getIfUnique();
        SatchelCsrfTokenRepository csrf = context.getBeanProvider(SatchelCsrfTokenRepository.class).getIfUnique();
        SatchelRequestCache cache = context.getBeanProvider(SatchelRequestCache.class).getIfUnique();
        try {
            if (repository != null) {
                // As Spring's own default: the request attribute first, so forwards and error pages see the login.
                http.securityContext(c -> c.securityContextRepository(new DelegatingSecurityContextRepository(
                        new RequestAttributeSecurityContextRepository(), repository)));
            }
            if (csrf != null) {
                http.csrf(c -> c.csrfTokenRepository(csrf));
            }
            if (cache != null) {
                http.requestCache(c -> c.requestCache(cache));
            }
        } catch (Exception e) { // Spring Security 6 declares Exception on these methods
            throw new IllegalStateException("could not make Satchel's security defaults the HttpSecurity's", e);
        }
    }
}
