package dev.satchel.spring;

import dev.satchel.PrincipalIndex;
import dev.satchel.Session;
import dev.satchel.SessionManager;
import java.security.Principal;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import org.springframework.security.core.AuthenticatedPrincipal;
import org.springframework.security.core.session.SessionInformation;
import org.springframework.security.core.session.SessionRegistry;
import org.springframework.security.core.userdetails.UserDetails;

/**
 * Spring Security's {@link SessionRegistry} over the store's principal index, so the concurrent-session limit
 * ({@code sessionManagement(s -> s.maximumSessions(1))}) counts the sessions of every application instance
 * sharing the store, and survives restarts. Sessions are found by the Satchel principal that
 * {@link SatchelSecurityContextRepository} sets; registering and unregistering are therefore no-ops, and the
 * last request time is the session's last stored access.
 *
 * <p>{@link SessionInformation#expireNow()} marks the session expired in the store
 * ({@value SatchelSecurityContextRepository#EXPIRED_ATTRIBUTE}): it loads as unauthenticated from then on, and
 * Spring's {@code ConcurrentSessionFilter} logs it out and applies the expired-session strategy, as it does
 * with Spring's own registry. {@link #invalidateAll} ends every session of a user ("log out everywhere").
 *
 * <p>Thread-safe. The manager must implement {@link PrincipalIndex} (the in-memory, file, Redis and cached
 * managers do); otherwise every lookup by principal fails with {@link IllegalStateException}.
 */
public final class SatchelSessionRegistry implements SessionRegistry {

    private final SessionManager manager;

    /** A registry over {@code manager}'s principal index. */
    public SatchelSessionRegistry(SessionManager manager) {
        this.manager = Objects.requireNonNull(manager, "manager");
    }

    /**
     * Ends every session of {@code principal} (a name, a {@link UserDetails}, a {@link Principal}) in the store,
     * on every application instance sharing it, and returns how many there were.
     *
     * @throws dev.satchel.SessionStoreException if the store fails; the sessions removed before stay removed
     */
    public int invalidateAll(Object principal) {
        return index().removeByPrincipal(name(principal));
    }

    /** Not supported: the principal index answers by principal, it does not list them. */
    @Override
    public List<Object> getAllPrincipals() {
        throw new UnsupportedOperationException("Satchel's principal index finds the sessions of a principal; it does not list principals");
    }

    @Override
    public List<SessionInformation> getAllSessions(Object principal, boolean includeExpiredSessions) {
        List<SessionInformation> found = new ArrayList<>();
        for (Session s : index().findByPrincipal(name(principal))) {
            SessionInformation info = information(principal, s);
            if (includeExpiredSessions || !info.isExpired()) {
                found.add(info);
            }
        }
        return found;
    }

    @Override
    public SessionInformation getSessionInformation(String sessionId) {
        Optional<Session> s = manager.get(sessionId);
        if (s.isEmpty() || s.get().principal().isEmpty()) {
            return null;
        }
        return information(s.get().principal().get(), s.get());
    }

    /** Nothing to do: the last stored access is the session's own. */
    @Override
    public void refreshLastRequest(String sessionId) {}

    /** Nothing to do: the session is indexed by the principal the security context repository sets. */
    @Override
    public void registerNewSession(String sessionId, Object principal) {}

    /** Nothing to do: a removed session leaves the index with it. */
    @Override
    public void removeSessionInformation(String sessionId) {}

    private SessionInformation information(Object principal, Session s) {
        return new StoredSessionInformation(principal, s.id(), Date.from(s.lastAccessedAt()), manager,
                Boolean.TRUE.equals(s.get(SatchelSecurityContextRepository.EXPIRED_ATTRIBUTE)));
    }

    private PrincipalIndex index() {
        if (manager instanceof PrincipalIndex index) {
            return index;
        }
        throw new IllegalStateException("the session store (" + manager.getClass().getSimpleName() + ") has no principal "
                + "index, so sessions cannot be found by user: use a store that has one (memory, file, Redis)");
    }

    static String name(Object principal) {
        Objects.requireNonNull(principal, "principal");
        if (principal instanceof UserDetails u) {
            return u.getUsername();
        }
        if (principal instanceof AuthenticatedPrincipal p) {
            return p.getName();
        }
        if (principal instanceof Principal p) {
            return p.getName();
        }
        return principal.toString();
    }

    /** Expiring it marks the stored session. */
    private static final class StoredSessionInformation extends SessionInformation {
        private static final long serialVersionUID = 1L;
        private final transient SessionManager manager;

        StoredSessionInformation(Object principal, String sessionId, Date lastRequest, SessionManager manager, boolean expired) {
            super(principal, sessionId, lastRequest);
            this.manager = manager;
            if (expired) {
                super.expireNow();
            }
        }

        @Override
        public void expireNow() {
            if (!isExpired()) {
                super.expireNow();
                manager.get(getSessionId()).ifPresent(s -> {
                    if (!Boolean.TRUE.equals(s.get(SatchelSecurityContextRepository.EXPIRED_ATTRIBUTE))) {
                        s.put(SatchelSecurityContextRepository.EXPIRED_ATTRIBUTE, true);
                        manager.put(s);
                    }
                });
            }
        }
    }
}
