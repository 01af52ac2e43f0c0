package dev.satchel;

import dev.satchel.spi.SessionAccess;
import dev.satchel.spi.SessionIds;
import dev.satchel.spi.SessionRecord;
import dev.satchel.spi.StoreSessionManager;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The request lifecycle, for any HTTP framework: the {@code Cookie} request header in, a {@link Session}
 * for the request, the {@code Set-Cookie} response header out.
 *
 * <pre>{@code
 * HttpSessions sessions = HttpSessions.builder()
 *     .manager(manager)
 *     .signingKeys(SigningKeys.fromBase64(System.getenv("SESSION_KEY")))
 *     .cookie(CookieSpec.named("__Host-SID"))
 *     .idleTimeout(Duration.ofMinutes(30)).absoluteTimeout(Duration.ofHours(12))
 *     .build();
 *
 * Session s = sessions.open(request.header("Cookie"));
 * ...                                              // read and write attributes
 * sessions.commit(s).ifPresent(c -> response.addHeader("Set-Cookie", c));
 * }</pre>
 *
 * <p><b>What a cookie must be to be accepted.</b> {@code sid!digest} where the sid is a
 * {@linkplain SessionIds#isValid valid id} of a stored, unexpired session and the digest is that session's
 * HMAC under one of the {@linkplain SigningKeys signing keys}, compared in constant time. Anything else —
 * garbage, a forged or tampered cookie, an expired or unknown session — gives a new session with a fresh
 * id: an id chosen by a client is never adopted. When the header carries the cookie name more than once
 * (a cookie tossed from a parent domain), up to {@value #MAX_CANDIDATES} well-formed candidates are tried
 * in order and only one that verifies is accepted.
 *
 * <p><b>What commit writes.</b> A new session is stored, and its cookie sent, only once it holds an
 * attribute or a principal: an empty session costs nothing. A modified session is saved (its changes
 * merged into the stored state). An unmodified one is only touched — its last access stored — once the
 * {@linkplain Builder#touchThreshold share of its idle timeout} has passed since the last stored access, so
 * read-only traffic does not turn into writes; in exchange a session may expire up to that share of its
 * idle timeout early. A {@code Set-Cookie} is returned when the client's cookie must change: a new or
 * rotated session, a cookie signed with an older key, a sliding {@code Max-Age}, or a session that was
 * invalidated or has disappeared (an expiring cookie).
 *
 * <p><b>Events.</b> {@linkplain SessionListener Listeners} hear a session stored for the first time, its id
 * rotated, and its end — invalidated here, or expired where the manager's sweeper says which sessions it
 * removed ({@link ExpiryEvents}). A listener that throws is logged; it never stops or undoes the operation.
 *
 * <p>Thread-safe; one instance serves every request. Never logs a cookie, id, randval, digest or key.
 */
public final class HttpSessions {

    /** The most well-formed candidate cookies tried from one header, each costing one store lookup. */
    public static final int MAX_CANDIDATES = 4;

    /**
     * The most characters {@link #openFromHeaders} and {@link #findFromHeaders} read from a request's
     * {@code Cookie} headers together (32 Ki, four times what Tomcat and Jetty accept for a whole request
     * head by default); more is treated as no cookie, so an oversized header costs no store lookup.
     */
    public static final int MAX_COOKIE_HEADER_CHARS = 32 * 1024;

    private static final Logger LOG = LoggerFactory.getLogger(HttpSessions.class);
    /** {@code sid!digest}. */
    private static final int COOKIE_VALUE_LENGTH = SessionIds.LENGTH + 1 + SigningKeys.DIGEST_LENGTH;

    private final SessionManager manager;
    private final SigningKeys keys;
    private final CookieSpec cookie;
    private final Duration idleTimeout;
    private final Duration absoluteTimeout;
    private final double touchThreshold;
    private final Clock clock;
    /** Registered on the builder, then by {@link #subscribe}; iterated on every event, changed rarely. */
    private final CopyOnWriteArrayList<SessionListener> listeners;

    private HttpSessions(Builder b) {
        this.manager = b.manager;
        this.keys = b.keys;
        this.cookie = b.cookie;
        this.idleTimeout = b.idleTimeout;
        this.absoluteTimeout = b.absoluteTimeout;
        this.touchThreshold = b.touchThreshold;
        this.clock = b.clock;
        this.listeners = new CopyOnWriteArrayList<>(b.listeners);
        if (manager instanceof ExpiryEvents expiring) {
            // Held for the manager's lifetime: this instance lives as long as the manager it serves.
            expiring.onExpired(expired -> fire(expired, null, SessionListener.Reason.EXPIRED));
        }
    }

    /** Starts configuring; a manager and signing keys are required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The manager sessions are loaded from and saved to. */
    public SessionManager manager() {
        return manager;
    }

    /** The cookie this instance reads and writes. */
    public CookieSpec cookie() {
        return cookie;
    }

    /**
     * Returns the session the request's cookie names if it verifies, otherwise a new (unsaved) session.
     *
     * @param cookieHeader the raw {@code Cookie} request header, or {@code null} when there is none; when
     *     a request carries several {@code Cookie} headers, join them with {@code "; "}
     * @throws SessionStoreException if the manager fails while loading
     */
    public Session open(String cookieHeader) {
        if (cookieHeader != null) {
            Session found = findVerified(cookieHeader);
            if (found != null) {
                return found;
            }
        }
        return newSession();
    }

    /**
     * Returns the session the request's cookie names if it verifies, and never creates one: for code that
     * only asks whether a request has a session (a servlet's {@code getSession(false)}).
     *
     * @param cookieHeader the raw {@code Cookie} request header, or {@code null} when there is none
     * @return the verified session, or empty (no cookie, or one that does not verify; see the class comment)
     * @throws SessionStoreException if the manager fails while loading
     */
    public Optional<Session> find(String cookieHeader) {
        return cookieHeader == null ? Optional.empty() : Optional.ofNullable(findVerified(cookieHeader));
    }

    /**
     * Like {@link #open(String)} for a request that carries several {@code Cookie} headers (HTTP/2 may
     * split the cookies over several), read in order as if joined with {@code "; "}. When they hold more
     * than {@link #MAX_COOKIE_HEADER_CHARS} characters together they are treated as no cookie (logged at
     * debug): a new session.
     *
     * @param cookieHeaders the request's {@code Cookie} header values in order, read once; {@code null}
     *     elements are skipped
     * @throws SessionStoreException if the manager fails while loading
     */
    public Session openFromHeaders(Iterable<String> cookieHeaders) {
        Session found = findVerified(cookieHeaders);
        return found != null ? found : newSession();
    }

    /**
     * Like {@link #find(String)} for several {@code Cookie} headers, with the size guard of
     * {@link #openFromHeaders}.
     *
     * @throws SessionStoreException if the manager fails while loading
     */
    public Optional<Session> findFromHeaders(Iterable<String> cookieHeaders) {
        return Optional.ofNullable(findVerified(cookieHeaders));
    }

    /**
     * Adds {@code listener} to those this instance notifies, until the returned subscription is closed:
     * for an integration (a servlet filter, a framework adapter) handed an {@code HttpSessions} it did
     * not build. Applications usually register theirs with {@link Builder#addListener}.
     */
    public Invalidations.Subscription subscribe(SessionListener listener) {
        Objects.requireNonNull(listener, "listener");
        listeners.add(listener);
        AtomicBoolean open = new AtomicBoolean(true);
        // Idempotent: a second close must not remove another registration of the same listener.
        return () -> {
            if (open.getAndSet(false)) {
                listeners.remove(listener);
            }
        };
    }

    /**
     * Saves what the request did to {@code session} and returns the {@code Set-Cookie} header value to
     * send, if the client's cookie must change (see the class comment).
     *
     * @throws SessionStoreException if the manager fails; nothing is half written
     */
    public Optional<String> commit(Session session) {
        if (session.isInvalidated()) {
            return Optional.of(cookie.expiredHeader());
        }
        if (session.isNew()) {
            if (session.isEmpty()) {
                LOG.trace("Not storing an empty new session");
                return Optional.empty();
            }
            if (!manager.put(session)) {
                return Optional.empty();
            }
            LOG.trace("Stored a new session");
            fire(session, null, null);
            return Optional.of(cookieFor(session));
        }
        boolean write = session.isModified() || touchDue(session.record());
        if (write && !manager.put(session)) {
            LOG.debug("Session was removed or expired during the request; expiring its cookie");
            return Optional.of(cookie.expiredHeader());
        }
        if (session.isCookieOutdated() || (write && cookie.hasMaxAge())) {
            return Optional.of(cookieFor(session));
        }
        return Optional.empty();
    }

    /**
     * Gives {@code session} a new id and randval, keeping its data; the old id stops working at once.
     * Call it when the privilege level changes (login) so an id planted or seen before cannot be used
     * after. The new cookie is returned by the next {@link #commit}.
     *
     * <p>A stored session is rotated in four steps, each through the manager, so every store and every
     * decorator keeps the rules: (1) its pending changes are saved, or — when it has none — its access is
     * stored, which fails if the session was removed or expired meanwhile; (2) a record is created under the
     * new id; (3) the old session is touched once more, to learn that it still exists — if it was removed
     * (a logout in another tab) between (1) and (3), the new record is removed again and the rotation fails;
     * (4) the old one is removed. A remove of the old id that arrives after (3) is a logout of an id that no
     * longer works and leaves the new one alone. A failure never loses the session: until (4) the old id works.
     *
     * @return {@code false} if the session was removed or expired meanwhile (treat it like a logout): then
     *     nothing is stored under a new id, and the next {@link #commit} expires the cookie
     * @throws IllegalStateException if the session was invalidated
     * @throws SessionStoreException if the manager fails
     */
    public boolean rotateId(Session session) {
        if (session.isInvalidated()) {
            throw new IllegalStateException("session was invalidated");
        }
        if (session.isNew()) {
            session.reissue(SessionIds.newIdAndRandval());
            return true;
        }
        if (!manager.put(session)) { // saves the changes, or stores the access of an unmodified session
            return gone(session);
        }
        Session old = SessionAccess.wrap(session.record());
        session.reissue(SessionIds.newIdAndRandval());
        if (!manager.put(session)) {
            return gone(session);
        }
        if (!manager.put(old)) {
            manager.remove(session.id());
            return gone(session);
        }
        manager.remove(old.id());
        session.setCookieOutdated(true);
        LOG.debug("Rotated a session id");
        fire(session, old.id(), null);
        return true;
    }

    /** A rotation found the session gone: nothing stays stored, and the next commit expires the cookie. */
    private boolean gone(Session session) {
        session.markInvalidated();
        LOG.debug("Session was removed or expired before its id could be rotated");
        return false;
    }

    /**
     * Removes {@code session} from the store; the next {@link #commit} returns a cookie that makes the
     * browser forget it. The old cookie is refused from now on.
     *
     * @throws SessionStoreException if the manager fails
     */
    public void invalidate(Session session) {
        boolean announce = !session.isNew() && !session.isInvalidated();
        if (!session.isNew()) {
            manager.remove(session.id());
        }
        session.markInvalidated();
        LOG.debug("Invalidated a session");
        if (announce) {
            fire(session, null, SessionListener.Reason.INVALIDATED);
        }
    }

    /**
     * Tells every listener: {@code created} when both arguments after the session are null, {@code idChanged}
     * with {@code oldId}, {@code destroyed} with {@code reason}. A listener that throws is logged and the
     * rest still hear it.
     */
    private void fire(Session session, String oldId, SessionListener.Reason reason) {
        for (SessionListener l : listeners) {
            try {
                if (reason != null) {
                    l.destroyed(session, reason);
                } else if (oldId != null) {
                    l.idChanged(session, oldId);
                } else {
                    l.created(session);
                }
            } catch (RuntimeException e) {
                LOG.warn("A session listener failed; the operation it heard of went on", e);
            }
        }
    }

    /** The joined headers' first verifying candidate, or null; see {@link #openFromHeaders}. */
    private Session findVerified(Iterable<String> headers) {
        Objects.requireNonNull(headers, "cookieHeaders");
        String first = null;
        StringBuilder joined = null;
        long total = 0;
        for (String h : headers) {
            if (h == null) {
                continue;
            }
            total += first == null ? h.length() : h.length() + 2;
            if (total > MAX_COOKIE_HEADER_CHARS) {
                LOG.debug("Ignoring Cookie headers longer than {} characters together", MAX_COOKIE_HEADER_CHARS);
                return null;
            }
            if (first == null) {
                first = h;
            } else {
                if (joined == null) {
                    joined = new StringBuilder((int) Math.min(total, MAX_COOKIE_HEADER_CHARS)).append(first);
                }
                joined.append("; ").append(h);
            }
        }
        if (first == null) {
            return null;
        }
        return findVerified(joined == null ? first : joined.toString());
    }

    private Session newSession() {
        Session s = manager.newSession();
        s.setIdleTimeout(idleTimeout);
        s.setAbsoluteTimeout(absoluteTimeout);
        return s;
    }

    private boolean touchDue(SessionRecord record) {
        return clock.millis() - record.lastAccess() >= (long) (touchThreshold * record.idleTimeoutMillis());
    }

    private String cookieFor(Session session) {
        session.setCookieOutdated(false);
        return cookie.header(session.id() + '!' + keys.digest(session.record()));
    }

    /**
     * Scans an RFC 6265 {@code cookie-string} (leniently: any whitespace, empty pairs, quoted values) for
     * our cookie and returns the first candidate that verifies, without allocating for ones that do not.
     */
    private Session findVerified(String header) {
        String name = cookie.name();
        int n = header.length();
        int candidates = 0;
        int i = 0;
        while (i < n) {
            char c = header.charAt(i);
            if (c == ' ' || c == '\t' || c == ';') {
                i++;
                continue;
            }
            // A pair runs to the next ';' (found by String's intrinsic, not char by char: the other cookies
            // and our own value are most of the header). The name is an RFC 6265 token (no '=', ';' or
            // whitespace), so the pair is ours exactly when it starts with the name, then optional
            // whitespace, then '='.
            int pairEnd = header.indexOf(';', i);
            if (pairEnd < 0) {
                pairEnd = n;
            }
            int eq = header.startsWith(name, i) ? i + name.length() : pairEnd;
            while (eq < pairEnd && isWhitespace(header.charAt(eq))) {
                eq++;
            }
            int value = eq < pairEnd && header.charAt(eq) == '=' ? wellFormedValue(header, eq + 1, pairEnd) : -1;
            if (value >= 0) {
                if (++candidates > MAX_CANDIDATES) {
                    LOG.debug("Ignoring session cookies beyond the first {}", MAX_CANDIDATES);
                    return null;
                }
                Session s = verified(header, value);
                if (s != null) {
                    return s;
                }
            }
            i = pairEnd + 1;
        }
        return null;
    }

    /**
     * Where the {@code sid!digest} inside {@code header[valueStart, valueEnd)} starts (whitespace and one pair
     * of quotes around it allowed), or -1 when the value is not of that shape.
     */
    private static int wellFormedValue(String header, int valueStart, int valueEnd) {
        while (valueStart < valueEnd && isWhitespace(header.charAt(valueStart))) {
            valueStart++;
        }
        while (valueEnd > valueStart && isWhitespace(header.charAt(valueEnd - 1))) {
            valueEnd--;
        }
        if (valueEnd - valueStart >= 2 && header.charAt(valueStart) == '"' && header.charAt(valueEnd - 1) == '"') {
            valueStart++;
            valueEnd--;
        }
        if (valueEnd - valueStart != COOKIE_VALUE_LENGTH
                || header.charAt(valueStart + SessionIds.LENGTH) != '!'
                || !SessionIds.isValidAt(header, valueStart)
                || !SessionIds.isBase64urlAt(header, valueStart + SessionIds.LENGTH + 1, SigningKeys.DIGEST_LENGTH)) {
            LOG.debug("Ignoring a malformed session cookie");
            return -1;
        }
        return valueStart;
    }

    private Session verified(String header, int valueStart) {
        Session s = manager.lookup(header, valueStart);
        if (s == null) {
            LOG.debug("Session cookie names no live session");
            return null;
        }
        int key = keys.verify(s.record(), header, valueStart + SessionIds.LENGTH + 1);
        if (key < 0) {
            LOG.debug("Session cookie digest does not verify");
            return null;
        }
        if (key > 0) {
            s.setCookieOutdated(true); // signed with an older key: re-issue under the newest
        }
        return s;
    }

    private static boolean isWhitespace(char c) {
        return c == ' ' || c == '\t';
    }

    /** Configures {@link HttpSessions}. Each setter checks its argument at once. Not thread-safe. */
    public static final class Builder {
        private SessionManager manager;
        private SigningKeys keys;
        private CookieSpec cookie = CookieSpec.defaults();
        private Duration idleTimeout = StoreSessionManager.DEFAULT_IDLE_TIMEOUT;
        private Duration absoluteTimeout = StoreSessionManager.DEFAULT_ABSOLUTE_TIMEOUT;
        private double touchThreshold = 0.1;
        private Clock clock = Clock.systemUTC();
        private final List<SessionListener> listeners = new ArrayList<>();

        private Builder() {}

        /**
         * Adds a listener to notify of sessions created, re-identified and destroyed (see
         * {@link SessionListener}); may be called several times, listeners hear events in this order.
         */
        public Builder addListener(SessionListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** The manager to load and save sessions with (required). */
        public Builder manager(SessionManager manager) {
            this.manager = Objects.requireNonNull(manager, "manager");
            return this;
        }

        /** The keys that sign and verify cookies (required; there is no default key). */
        public Builder signingKeys(SigningKeys keys) {
            this.keys = Objects.requireNonNull(keys, "signingKeys");
            return this;
        }

        /**
         * The cookie; default {@link CookieSpec#defaults()}: {@code __Host-SID}, Secure, HttpOnly,
         * SameSite=Lax, Path=/, no Domain. A cookie without {@code Secure} (plain-HTTP development) must be
         * given a name of its own, since the {@code __Host-} prefix requires it.
         */
        public Builder cookie(CookieSpec cookie) {
            this.cookie = Objects.requireNonNull(cookie, "cookie");
            return this;
        }

        /** How long a session may go unused; default 30 minutes. */
        public Builder idleTimeout(Duration timeout) {
            if (timeout == null || timeout.toMillis() <= 0) {
                throw new IllegalArgumentException("idle timeout must be positive, was " + timeout);
            }
            this.idleTimeout = timeout;
            return this;
        }

        /**
         * How long a session may live however active it is; default 12 hours. {@code null} for no limit
         * (not recommended: a stolen cookie then works for as long as it is used).
         */
        public Builder absoluteTimeout(Duration timeout) {
            if (timeout != null && timeout.toMillis() <= 0) {
                throw new IllegalArgumentException("absolute timeout must be positive, was " + timeout);
            }
            this.absoluteTimeout = timeout;
            return this;
        }

        /**
         * The share of the idle timeout that must pass since the last stored access before a request that
         * changed nothing writes a touch; default 0.1 (with a 30-minute idle timeout: at most one write per
         * session every 3 minutes, and expiry at most 3 minutes early). 0 writes on every request.
         */
        public Builder touchThreshold(double share) {
            if (!(share >= 0 && share < 1)) {
                throw new IllegalArgumentException("touch threshold must be in [0, 1), was " + share);
            }
            this.touchThreshold = share;
            return this;
        }

        /** The clock touch decisions use; give it the same clock as the manager. Default {@link Clock#systemUTC()}. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Builds the instance.
         *
         * @throws IllegalStateException if the manager or keys are missing, or the cookie's attributes
         *     break a rule (see {@link CookieSpec})
         */
        public HttpSessions build() {
            if (manager == null) {
                throw new IllegalStateException("a SessionManager is required");
            }
            if (keys == null) {
                throw new IllegalStateException("signing keys are required (there is no default key)");
            }
            cookie.checkConsistent();
            return new HttpSessions(this);
        }
    }
}
