package dev.satchel.spring;

import dev.satchel.servlet.SatchelSessionFilter;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.security.authentication.AuthenticationTrustResolver;
import org.springframework.security.authentication.AuthenticationTrustResolverImpl;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.AuthenticationException;
import org.springframework.security.core.context.DeferredSecurityContext;
import org.springframework.security.core.context.SecurityContext;
import org.springframework.security.core.context.SecurityContextHolder;
import org.springframework.security.core.context.SecurityContextHolderStrategy;
import org.springframework.security.web.context.HttpRequestResponseHolder;
import org.springframework.security.web.context.SecurityContextRepository;

/**
 * Keeps who is logged in in the Satchel session as plain JSON instead of a serialized {@code SecurityContext}:
 * the principal's name as the session's Satchel principal (so the principal index finds the session: "log out
 * everywhere", the concurrent-session limit) and a {@link StoredAuthentication} under {@value #ATTRIBUTE}. On
 * load the {@link Authentication} is rebuilt by the {@link AuthenticationCodec}; nothing in the store can make
 * the application instantiate a class it names.
 *
 * <p>A session whose principal does not match what is stored, or that {@link SatchelSessionRegistry} marked
 * expired (the concurrent-session limit), loads as unauthenticated. Saving an anonymous or empty context
 * removes what was stored; saving the same authentication again writes nothing. A session is created only to
 * save an authenticated user.
 *
 * <p>Thread-safe. The auto-configuration makes it the default of every {@code HttpSecurity}, behind a
 * {@code RequestAttributeSecurityContextRepository} as Spring Security's own default is.
 */
public final class SatchelSecurityContextRepository implements SecurityContextRepository {

    /** The session attribute holding the {@link StoredAuthentication}. */
    public static final String ATTRIBUTE = "satchel.security.authentication";

    /** The session attribute ({@code true}) that marks a session expired by the concurrent-session limit. */
    public static final String EXPIRED_ATTRIBUTE = "satchel.security.expired";

    private static final Logger LOG = LoggerFactory.getLogger(SatchelSecurityContextRepository.class);

    private final AuthenticationCodec codec;
    private final AuthenticationTrustResolver trust = new AuthenticationTrustResolverImpl();
    private volatile SecurityContextHolderStrategy holder = SecurityContextHolder.getContextHolderStrategy();

    /** A repository storing through {@code codec} ({@link AuthenticationCodec#DEFAULT}: name and authorities). */
    public SatchelSecurityContextRepository(AuthenticationCodec codec) {
        this.codec = Objects.requireNonNull(codec, "codec");
    }

    /** The strategy that creates the empty contexts returned; default the {@code SecurityContextHolder}'s. */
    public void setSecurityContextHolderStrategy(SecurityContextHolderStrategy strategy) {
        this.holder = Objects.requireNonNull(strategy, "strategy");
    }

    /** Deprecated by Spring Security; reads the context at once. */
    @Override
    @Deprecated
    public SecurityContext loadContext(HttpRequestResponseHolder requestResponseHolder) {
        SecurityContext loaded = load(requestResponseHolder.getRequest());
        return loaded != null ? loaded : holder.createEmptyContext();
    }

    /** Reads the session only when the context is first asked for (a static resource never touches the store). */
    @Override
    public DeferredSecurityContext loadDeferredContext(HttpServletRequest request) {
        return new Deferred(() -> load(request), holder);
    }

    @Override
    public void saveContext(SecurityContext context, HttpServletRequest request, HttpServletResponse response) {
        Authentication a = context == null ? null : context.getAuthentication();
        HttpSession session = request.getSession(false);
        if (a == null || !a.isAuthenticated() || trust.isAnonymous(a)) {
            if (session != null && session.getAttribute(ATTRIBUTE) != null) {
                session.removeAttribute(ATTRIBUTE);
                SatchelSessionFilter.setPrincipal(SpringSessionValues.unwrap(session), null);
            }
            return;
        }
        StoredAuthentication stored = codec.store(a);
        if (session == null) {
            try {
                session = request.getSession(true);
            } catch (IllegalStateException e) {
                LOG.warn("Could not store the authentication: the response was committed before a session was created ({})",
                        e.getMessage());
                return;
            }
        }
        if (!stored.equals(session.getAttribute(ATTRIBUTE))) {
            session.setAttribute(ATTRIBUTE, stored);
        }
        Optional<String> principal = SatchelSessionFilter.principal(SpringSessionValues.unwrap(session));
        if (!principal.equals(Optional.of(stored.name()))) {
            if (!SatchelSessionFilter.setPrincipal(SpringSessionValues.unwrap(session), stored.name())) {
                throw new IllegalStateException("the session is not a Satchel session: is SatchelSessionFilter mapped "
                        + "before Spring Security's filter chain?");
            }
        }
    }

    @Override
    public boolean containsContext(HttpServletRequest request) {
        HttpSession session = request.getSession(false);
        return session != null && session.getAttribute(ATTRIBUTE) != null;
    }

    /** The stored context, or null. */
    private SecurityContext load(HttpServletRequest request) {
        HttpSession session = request.getSession(false);
        if (session == null) {
            return null;
        }
        if (!(session.getAttribute(ATTRIBUTE) instanceof StoredAuthentication stored)) {
            return null;
        }
        if (Boolean.TRUE.equals(session.getAttribute(EXPIRED_ATTRIBUTE))) {
            return null;
        }
        if (!SatchelSessionFilter.principal(SpringSessionValues.unwrap(session)).equals(Optional.of(stored.name()))) {
            LOG.debug("The stored authentication does not match the session's principal; treating the session as unauthenticated");
            return null;
        }
        Authentication restored;
        try {
            restored = codec.restore(stored);
        } catch (AuthenticationException e) {
            LOG.debug("The stored authentication was refused on restore: {}", e.getMessage());
            return null;
        }
        if (restored == null) {
            return null;
        }
        SecurityContext context = holder.createEmptyContext();
        context.setAuthentication(restored);
        return context;
    }

    /** Loads once, on first use. */
    private static final class Deferred implements DeferredSecurityContext {
        private final Supplier<SecurityContext> loader;
        private final SecurityContextHolderStrategy holder;
        private SecurityContext context;
        private boolean generated;

        Deferred(Supplier<SecurityContext> loader, SecurityContextHolderStrategy holder) {
            this.loader = loader;
            this.holder = holder;
        }

        @Override
        public synchronized SecurityContext get() {
            if (context == null) {
                SecurityContext loaded = loader.get();
                generated = loaded == null;
                context = loaded != null ? loaded : holder.createEmptyContext();
            }
            return context;
        }

        @Override
        public synchronized boolean isGenerated() {
            get();
            return generated;
        }
    }
}
