package dev.satchel.servlet;

import dev.satchel.HttpSessions;
import dev.satchel.Invalidations;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestWrapper;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.ServletResponseWrapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.util.ArrayList;
import java.util.EventListener;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import tools.jackson.core.type.TypeReference;

/**
 * A servlet {@link Filter} that makes {@code request.getSession()} a Satchel session: the whole
 * {@link jakarta.servlet.http.HttpSession} API over an {@link HttpSessions}, in any Jakarta Servlet 6.0 or
 * 6.1 container (Tomcat 10.1 and 11, Jetty 12 ee10 and ee11, Spring Boot 3 and 4).
 *
 * <pre>{@code
 * SatchelSessionFilter filter = SatchelSessionFilter.builder(sessions)
 *     .attribute("cart", Cart.class)               // read back as a Cart, not as a Map
 *     .listener(new AuditListener())               // HttpSessionListener, ...AttributeListener, ...IdListener
 *     .build();
 * FilterRegistration.Dynamic f = servletContext.addFilter("satchel", filter);
 * f.setAsyncSupported(true);
 * f.addMappingForUrlPatterns(EnumSet.of(REQUEST, FORWARD, ASYNC, ERROR), false, "/*");   // first in the chain
 * }</pre>
 *
 * <p><b>When the session is saved.</b> Exactly once before the first byte of the response leaves, and
 * with its {@code Set-Cookie} header: the filter holds the start of the body (up to the response's buffer
 * size) and commits the session when the body outgrows it, on {@code flush}/{@code flushBuffer}, on
 * {@code close}, {@code sendRedirect}, {@code sendError}, when a declared {@code Content-Length} is reached,
 * at the end of the request, and at the end of an asynchronous request ({@code complete()}, a dispatch or a
 * timeout). A change made after that is saved at the end of the request; if it needed a new cookie (a new
 * id, a new or invalidated session) the log says the cookie could not be sent.
 *
 * <p><b>Where it must sit.</b> First in the chain, before every filter that reads the session or writes
 * the response, mapped for {@code REQUEST}, {@code FORWARD}, {@code ASYNC} and {@code ERROR} dispatches,
 * with async support. A component further down that bypasses the wrappers and writes to the container's own response
 * makes the filter log an error when it finds the response committed without its cookie.
 *
 * <p><b>Failures.</b> A {@link dev.satchel.SessionStoreException} (store unreachable, timed out) becomes the
 * {@linkplain Builder#storeFailureStatus configured status} (503 by default) through {@code sendError}, never a
 * stack trace; a session the store could not read is never replaced by a fresh one in that request.
 *
 * <p>Built with {@link #builder}, or created by the container from {@code web.xml} or
 * {@code ServletContext.addFilter(name, SatchelSessionFilter.class)} and configured by init parameters:
 * {@value #SESSIONS_ATTRIBUTE_PARAMETER} (the servlet context attribute holding the {@code HttpSessions},
 * default {@value #DEFAULT_SESSIONS_ATTRIBUTE}), {@value #ATTRIBUTE_TYPES_PARAMETER}
 * ({@code cart=com.example.Cart, user=com.example.User}), {@value #LISTENERS_PARAMETER} (class names with a
 * public no-argument constructor) and {@value #STORE_FAILURE_STATUS_PARAMETER}.
 *
 * <p>Thread-safe. One instance serves one web application.
 */
public final class SatchelSessionFilter implements Filter {

    /** Init parameter: the servlet context attribute holding the {@link HttpSessions}. */
    public static final String SESSIONS_ATTRIBUTE_PARAMETER = "sessions-attribute";
    /** The servlet context attribute read when {@value #SESSIONS_ATTRIBUTE_PARAMETER} is not given. */
    public static final String DEFAULT_SESSIONS_ATTRIBUTE = "dev.satchel.HttpSessions";
    /** Init parameter: declared attribute types, {@code name=class} separated by commas. */
    public static final String ATTRIBUTE_TYPES_PARAMETER = "attribute-types";
    /** Init parameter: listener class names separated by commas. */
    public static final String LISTENERS_PARAMETER = "listeners";
    /** Init parameter: the status a store failure is answered with. */
    public static final String STORE_FAILURE_STATUS_PARAMETER = "store-failure-status";

    /** Set when built with a builder; otherwise read from the init parameters in {@link #init}. */
    private final FilterSettings built;
    private volatile FilterSettings settings;
    private volatile ServletEvents events;
    private volatile Invalidations.Subscription subscription;

    /**
     * For containers creating the filter themselves ({@code web.xml}, {@code @WebFilter},
     * {@code addFilter(name, SatchelSessionFilter.class)}): {@link #init} reads the init parameters.
     */
    public SatchelSessionFilter() {
        this.built = null;
    }

    private SatchelSessionFilter(FilterSettings built) {
        this.built = built;
    }

    /** Starts configuring a filter over {@code sessions}. */
    public static Builder builder(HttpSessions sessions) {
        return new Builder(Objects.requireNonNull(sessions, "sessions"));
    }

    /**
     * Reads the configuration (the builder's, or the init parameters) and starts hearing session events.
     *
     * @throws ServletException if the init parameters are incomplete or wrong, or the filter was already
     *     initialized (one instance per web application)
     */
    @Override
    public synchronized void init(FilterConfig config) throws ServletException {
        if (settings != null) {
            throw new ServletException("SatchelSessionFilter was already initialized: use one instance per web application");
        }
        FilterSettings s = built != null ? built : InitParameters.read(config);
        ServletEvents e = new ServletEvents(s, config.getServletContext(), Thread.currentThread().getContextClassLoader());
        subscription = s.sessions.subscribe(e);
        events = e;
        settings = s;
    }

    @Override
    public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
        FilterSettings s = settings;
        if (s == null) {
            throw new ServletException("SatchelSessionFilter was not initialized");
        }
        if (!(req instanceof HttpServletRequest request) || !(res instanceof HttpServletResponse response)) {
            chain.doFilter(req, res);
            return;
        }
        RequestState state;
        if (req.getAttribute(RequestState.ATTRIBUTE) instanceof RequestState existing) {
            state = existing;
        } else {
            state = new RequestState(s, events, request);
            req.setAttribute(RequestState.ATTRIBUTE, state);
        }
        SessionResponse ours = unwrap(res, SessionResponse.class);
        boolean wrapped = ours != null && unwrap(req, SessionRequest.class) != null;
        DispatcherType type = req.getDispatcherType();
        if (wrapped && type == DispatcherType.FORWARD) {
            // The container ends the response when the forward returns, without passing through the
            // wrappers: commit and let the held body go at the end of the forwarded resource.
            state.filteringForward(1);
            ours.discardHeld(); // a forward clears the buffer (Jetty clears only its own)
            try {
                chain.doFilter(req, res);
            } catch (Throwable t) {
                if (state.failedWith(t, ours)) {
                    return;
                }
                throw t;
            } finally {
                state.filteringForward(-1);
            }
            if (!req.isAsyncStarted()) {
                state.finish(ours);
            }
            return;
        }
        if (wrapped && type != DispatcherType.ASYNC && type != DispatcherType.ERROR) {
            // An include (or a second filter instance) on objects already wrapped: the outer dispatch finishes.
            chain.doFilter(req, res);
            return;
        }
        SessionResponse sessionResponse = wrapped ? ours : new SessionResponse(state, response);
        HttpServletRequest sessionRequest = wrapped ? request : new SessionRequest(state, request, sessionResponse);
        try {
            chain.doFilter(sessionRequest, wrapped ? response : sessionResponse);
        } catch (Throwable t) {
            if (state.failedWith(t, sessionResponse)) {
                return; // a store failure, answered with the configured status
            }
            throw t;
        }
        if (!sessionRequest.isAsyncStarted()) {
            state.finish(sessionResponse);
        }
    }

    /** Stops hearing session events. The {@link HttpSessions} and its manager stay open: they are the application's. */
    @Override
    public synchronized void destroy() {
        Invalidations.Subscription sub = subscription;
        if (sub != null) {
            sub.close();
        }
    }

    /**
     * The principal (user name) of {@code session}, for integrations that index sessions by user (Spring
     * Security, "log out everywhere" through {@link dev.satchel.PrincipalIndex}); empty if it has none, or if
     * {@code session} is not a session of a {@code SatchelSessionFilter}.
     *
     * @throws IllegalStateException if the session was invalidated
     */
    public static Optional<String> principal(HttpSession session) {
        Objects.requireNonNull(session, "session");
        return session instanceof ServletSession s ? s.principal() : Optional.empty();
    }

    /**
     * Sets the principal of {@code session} (null clears it); saved with the session at its next commit point.
     *
     * @return {@code false} if {@code session} is not a session of a {@code SatchelSessionFilter} (nothing set)
     * @throws IllegalStateException if the session was invalidated
     */
    public static boolean setPrincipal(HttpSession session, String principal) {
        Objects.requireNonNull(session, "session");
        if (session instanceof ServletSession s) {
            s.setPrincipal(principal);
            return true;
        }
        return false;
    }

    /** The wrapper of type {@code kind} in the chain of {@code r}, or null. */
    private static <T> T unwrap(Object r, Class<T> kind) {
        Object current = r;
        while (true) {
            if (kind.isInstance(current)) {
                return kind.cast(current);
            }
            if (current instanceof ServletRequestWrapper w) {
                current = w.getRequest();
            } else if (current instanceof ServletResponseWrapper w) {
                current = w.getResponse();
            } else {
                return null;
            }
        }
    }

    /**
     * Configures a {@link SatchelSessionFilter}. Each setter checks its argument at once; a setter called
     * twice is refused. Not thread-safe.
     */
    public static final class Builder {
        private final HttpSessions sessions;
        private final Map<String, AttributeType> types = new LinkedHashMap<>();
        private final List<EventListener> listeners = new ArrayList<>();
        private int storeFailureStatus = -1;

        private Builder(HttpSessions sessions) {
            this.sessions = sessions;
        }

        /**
         * Declares that attribute {@code name} holds a {@code type}: {@code getAttribute(name)} reads its JSON
         * back as one (through Jackson, no polymorphic typing), and {@code setAttribute(name, value)} refuses
         * a value that is not one. An undeclared attribute comes back JSON-shaped: {@code String},
         * {@code Boolean}, {@code Integer}/{@code Long}/{@code BigInteger}, {@code Double}, {@code List},
         * {@code Map}.
         *
         * @throws IllegalStateException if {@code name} was already declared
         * @throws IllegalArgumentException if {@code type} is primitive (declare the boxed type)
         */
        public Builder attribute(String name, Class<?> type) {
            return declare(name, AttributeType.of(Objects.requireNonNull(type, "type")));
        }

        /**
         * Declares a generic type for attribute {@code name}, for example
         * {@code new TypeReference<List<Item>>() {}}; see {@link #attribute(String, Class)}.
         *
         * @throws IllegalStateException if {@code name} was already declared
         */
        public Builder attribute(String name, TypeReference<?> type) {
            return declare(name, AttributeType.of(Objects.requireNonNull(type, "type")));
        }

        private Builder declare(String name, AttributeType type) {
            Objects.requireNonNull(name, "name");
            AttributeType before = types.get(name);
            if (before != null) {
                throw new IllegalStateException("attribute '" + name + "' was already declared as " + before);
            }
            types.put(name, type);
            return this;
        }

        /**
         * Adds a listener to call: an {@link jakarta.servlet.http.HttpSessionListener},
         * {@link jakarta.servlet.http.HttpSessionAttributeListener} or
         * {@link jakarta.servlet.http.HttpSessionIdListener} (or several at once). The container's own list
         * of listeners is not visible to a filter, so session listeners must be registered here. Values that
         * implement {@link jakarta.servlet.http.HttpSessionBindingListener} are called without registration.
         *
         * @throws IllegalArgumentException if {@code listener} is none of these
         */
        public Builder listener(EventListener listener) {
            Objects.requireNonNull(listener, "listener");
            if (!FilterSettings.isSessionListener(listener)) {
                throw new IllegalArgumentException(listener.getClass().getName()
                        + " is not an HttpSessionListener, HttpSessionAttributeListener or HttpSessionIdListener");
            }
            listeners.add(listener);
            return this;
        }

        /**
         * The status a request is answered with when the session store fails (unreachable, timed out),
         * through {@code sendError} so the application's error page for it applies; default 503.
         *
         * @throws IllegalArgumentException unless it is a 4xx or 5xx status
         * @throws IllegalStateException if already set
         */
        public Builder storeFailureStatus(int status) {
            if (storeFailureStatus >= 0) {
                throw new IllegalStateException("the store failure status was already set to " + storeFailureStatus);
            }
            if (status < 400 || status > 599) {
                throw new IllegalArgumentException("the store failure status must be 4xx or 5xx, was " + status);
            }
            storeFailureStatus = status;
            return this;
        }

        /** Builds the filter; the builder is not changed and may build again. */
        public SatchelSessionFilter build() {
            return new SatchelSessionFilter(settings());
        }

        FilterSettings settings() {
            return new FilterSettings(sessions, types, List.copyOf(listeners),
                    storeFailureStatus < 0 ? HttpServletResponse.SC_SERVICE_UNAVAILABLE : storeFailureStatus);
        }
    }
}
