package dev.satchel.servlet;

import dev.satchel.Session;
import dev.satchel.SessionStoreException;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpSession;
import jakarta.servlet.http.HttpSessionBindingListener;
import java.time.Duration;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link HttpSession} the application sees: a view over one request's Satchel {@link Session}, with the
 * servlet spec's semantics. Values are JSON in the store; within one request the object set (or first
 * read) under a name is the object returned, so a change to it is seen by the rest of the request, and
 * saved when it is set again. Methods lock the request's state: an async request may use its session from
 * several threads.
 *
 * <p>A <em>detached</em> view (no request) shows an expired session to {@code sessionDestroyed}
 * listeners: readable, not changeable.
 */
final class ServletSession implements HttpSession {

    private static final Logger LOG = LoggerFactory.getLogger(SatchelSessionFilter.class);

    /** The request this session belongs to; null for a detached view. */
    private final RequestState state;
    private final FilterSettings settings;
    private final ServletEvents events;
    private final ServletContext context;
    private final Session session;
    private final boolean newForClient;
    private final Object lock;
    /** The objects set or read in this request, by name: what {@link #getAttribute} returns again. */
    private final LiveValues live = new LiveValues();
    private boolean invalid;
    private boolean cookieSent;

    ServletSession(RequestState state, Session session, boolean newForClient) {
        this(state, state.settings(), state.events(), state.events().context(), session, newForClient, state);
    }

    private ServletSession(RequestState state, FilterSettings settings, ServletEvents events, ServletContext context,
            Session session, boolean newForClient, Object lock) {
        this.state = state;
        this.settings = settings;
        this.events = events;
        this.context = context;
        this.session = session;
        this.newForClient = newForClient;
        this.lock = lock;
    }

    /** A read-only view of a session that ended outside any request (expired). */
    static ServletSession detached(FilterSettings settings, ServletEvents events, Session session) {
        return new ServletSession(null, settings, events, events.context(), session, false, new Object());
    }

    Session session() {
        return session;
    }

    boolean isNewForClient() {
        return newForClient;
    }

    boolean cookieSent() {
        synchronized (lock) {
            return cookieSent;
        }
    }

    void cookieSent(boolean sent) {
        synchronized (lock) {
            cookieSent = sent;
        }
    }

    boolean isValid() {
        synchronized (lock) {
            return !invalid;
        }
    }

    /** The session was found gone from the store (removed or expired meanwhile). */
    void markGone() {
        synchronized (lock) {
            invalid = true;
        }
    }

    @Override
    public long getCreationTime() {
        synchronized (lock) {
            checkValid();
            return session.createdAt().toEpochMilli();
        }
    }

    @Override
    public String getId() {
        synchronized (lock) {
            return session.id();
        }
    }

    /** The last stored access: Satchel stores it at most once per touch interval, so it may lag by that much. */
    @Override
    public long getLastAccessedTime() {
        synchronized (lock) {
            checkValid();
            return session.lastAccessedAt().toEpochMilli();
        }
    }

    /** The Satchel principal; see {@link SatchelSessionFilter#principal}. */
    java.util.Optional<String> principal() {
        synchronized (lock) {
            checkValid();
            return session.principal();
        }
    }

    /** Sets the Satchel principal; see {@link SatchelSessionFilter#setPrincipal}. */
    void setPrincipal(String principal) {
        synchronized (lock) {
            checkChangeable();
            session.setPrincipal(principal);
        }
    }

    @Override
    public ServletContext getServletContext() {
        return context;
    }

    /**
     * Sets the idle timeout. Zero or less means the session never times out for being idle; it still ends at
     * its absolute deadline, so a session without one refuses it.
     *
     * @throws IllegalArgumentException if {@code interval} is not positive and the session has no absolute deadline
     */
    @Override
    public void setMaxInactiveInterval(int interval) {
        synchronized (lock) {
            checkChangeable();
            if (interval > 0) {
                session.setIdleTimeout(Duration.ofSeconds(interval));
            } else if (session.deadline().isPresent()) {
                session.setIdleTimeout(Duration.ofMillis(Long.MAX_VALUE));
            } else {
                throw new IllegalArgumentException("a session without an absolute timeout cannot be set never to time out");
            }
        }
    }

    /** The idle timeout in seconds; -1 when it never times out for being idle. */
    @Override
    public int getMaxInactiveInterval() {
        synchronized (lock) {
            long seconds = session.idleTimeout().toSeconds();
            return seconds >= Integer.MAX_VALUE ? -1 : (int) seconds;
        }
    }

    @Override
    public Object getAttribute(String name) {
        synchronized (lock) {
            checkValid();
            return value(name);
        }
    }

    @Override
    public Enumeration<String> getAttributeNames() {
        synchronized (lock) {
            checkValid();
            return Collections.enumeration(session.attributeNames());
        }
    }

    /**
     * Sets attribute {@code name}, converting {@code value} to JSON now; {@code null} removes it.
     *
     * @throws IllegalArgumentException naming the attribute if the value is not of its declared type, cannot
     *     be written as JSON, or (for a declared type) is written as JSON that cannot be read back as that type
     */
    @Override
    public void setAttribute(String name, Object value) {
        Objects.requireNonNull(name, "name");
        if (value == null) {
            removeAttribute(name);
            return;
        }
        Object old;
        boolean existed;
        synchronized (lock) {
            checkChangeable();
            AttributeType type = settings.types.get(name);
            if (type != null && !type.accepts(value)) {
                throw new IllegalArgumentException("attribute '" + name + "' is declared as " + type + ", not "
                        + value.getClass().getName());
            }
            existed = session.contains(name);
            old = existed && needsOldValue(name) ? value(name) : null;
            String before = session.getJson(name);
            session.put(name, value); // IllegalArgumentException naming the attribute if it is no JSON
            if (type != null) {
                checkReadable(name, type, value, before);
            } else if (!isJsonShaped(value) && settings.warned.add(name)) {
                LOG.warn("Attribute '{}' holds a {} but has no declared type: later requests get it back as JSON "
                        + "(a Map); declare it with SatchelSessionFilter.builder(...).attribute(\"{}\", {}.class)",
                        name, value.getClass().getName(), name, value.getClass().getSimpleName());
            }
            live.put(name, value);
        }
        if (value != old) {
            events.bound(this, name, value);
            events.unbound(this, name, old);
        }
        events.attributeSet(this, name, existed ? old : null, existed);
    }

    @Override
    public void removeAttribute(String name) {
        Object old;
        synchronized (lock) {
            checkChangeable();
            if (name == null || !session.contains(name)) {
                if (name != null) {
                    live.remove(name);
                }
                return;
            }
            old = needsOldValue(name) ? value(name) : null;
            session.remove(name);
            live.remove(name);
        }
        events.unbound(this, name, old);
        events.attributeRemoved(this, name, old);
    }

    /**
     * Removes the session from the store, then tells the listeners; a listener that throws is logged and
     * never stops the invalidation.
     *
     * @throws SessionStoreException if the store could not remove it; then the session stays valid
     */
    @Override
    public void invalidate() {
        synchronized (lock) {
            checkChangeable();
        }
        boolean neverStored = session.isNew();
        try {
            events.acting(this, () -> {
                state.settings().sessions.invalidate(session);
                return null;
            });
        } catch (SessionStoreException e) {
            throw e; // not removed: still valid
        } catch (RuntimeException | Error e) {
            ended(neverStored); // thrown by a listener, after the store removed the session
            throw e;
        }
        ended(neverStored);
    }

    private void ended(boolean neverStored) {
        if (neverStored) {
            events.unbindAll(this); // core announces only stored sessions; values set in this one are still unbound
        }
        synchronized (lock) {
            invalid = true;
        }
        state.invalidated(this);
    }

    @Override
    public boolean isNew() {
        synchronized (lock) {
            checkValid();
            return newForClient;
        }
    }

    // ---- for events ----

    /** The attribute names, for unbinding every value when the session ends. */
    Set<String> attributeNames() {
        synchronized (lock) {
            return session.attributeNames();
        }
    }

    /** Whether unbinding must read values: some could be binding listeners. */
    boolean mayHoldBindingListeners() {
        synchronized (lock) {
            if (settings.bindingTypes) {
                return true;
            }
            return live.anyValue(v -> v instanceof HttpSessionBindingListener);
        }
    }

    /** The value of {@code name} as getAttribute returns it, even while the session is being invalidated. */
    Object value(String name) {
        synchronized (lock) {
            if (name == null) {
                return null;
            }
            Object v = live.get(name);
            if (v != null) {
                return v;
            }
            AttributeType type = settings.types.get(name);
            try {
                v = type != null ? type.read(session, name) : session.get(name);
            } catch (IllegalArgumentException e) {
                LOG.warn("Attribute '{}' cannot be read as {}; treating it as absent: {}", name, type, e.getMessage());
                return null;
            }
            if (v != null) {
                live.put(name, v);
            }
            return v;
        }
    }

    private boolean needsOldValue(String name) {
        if (!settings.attributeListeners.isEmpty()) {
            return true;
        }
        Object v = live.get(name);
        if (v != null) {
            return v instanceof HttpSessionBindingListener;
        }
        AttributeType type = settings.types.get(name);
        return type != null && type.mayBeBindingListener();
    }

    /** A declared value must read back; if it does not, the attribute is put back as it was and the call fails. */
    private void checkReadable(String name, AttributeType type, Object value, String before) {
        try {
            type.read(session, name);
        } catch (IllegalArgumentException e) {
            if (before != null) {
                session.putJson(name, before);
            } else {
                session.remove(name);
            }
            throw new IllegalArgumentException("attribute '" + name + "': a " + value.getClass().getName()
                    + " is written as JSON that cannot be read back as " + type
                    + " (Jackson needs a constructor or creator it can use, and setters or fields for what it writes)", e);
        }
    }

    private static boolean isJsonShaped(Object value) {
        // What comes back as the same type: a Long, Float or BigDecimal, an enum or a Set does not.
        return value instanceof String || value instanceof Integer || value instanceof Double
                || value instanceof Boolean || value instanceof Map || value instanceof List;
    }

    private void checkValid() {
        if (invalid) {
            throw new IllegalStateException("the session was invalidated");
        }
    }

    private void checkChangeable() {
        checkValid();
        if (state == null) {
            throw new IllegalStateException("an expired session cannot be changed");
        }
    }

    /** Never shows the id: sessions end up in logs. */
    @Override
    public String toString() {
        return "ServletSession[" + (newForClient ? "new" : "from cookie") + (invalid ? ", invalidated" : "") + "]";
    }
}
