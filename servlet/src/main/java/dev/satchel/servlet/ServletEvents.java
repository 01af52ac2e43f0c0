package dev.satchel.servlet;

import dev.satchel.Session;
import dev.satchel.SessionListener;
import jakarta.servlet.ServletContext;
import jakarta.servlet.http.HttpSessionAttributeListener;
import jakarta.servlet.http.HttpSessionBindingEvent;
import jakarta.servlet.http.HttpSessionBindingListener;
import jakarta.servlet.http.HttpSessionEvent;
import jakarta.servlet.http.HttpSessionIdListener;
import jakarta.servlet.http.HttpSessionListener;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns Satchel's session events into the servlet listeners' calls: subscribed to the filter's
 * {@link dev.satchel.HttpSessions}, it hears sessions created, re-identified and destroyed (invalidated in a
 * request, or expired where the manager's sweeper says so) and calls the registered
 * {@link HttpSessionListener}s and {@link HttpSessionIdListener}s; attribute changes call the
 * {@link HttpSessionAttributeListener}s and the values' own {@link HttpSessionBindingListener} methods.
 * When a session ends, {@code sessionDestroyed} comes first (attributes still readable), then every value is
 * unbound. Every call is guarded: a listener that throws is logged, the others are still called, and the
 * operation (an invalidation, say) has already happened.
 */
final class ServletEvents implements SessionListener {

    private static final Logger LOG = LoggerFactory.getLogger(SatchelSessionFilter.class);

    private final FilterSettings settings;
    private final ServletContext context;
    /** The web application's class loader, for listeners called from a sweeper's thread. */
    private final ClassLoader loader;
    /** The request's session whose operation is running on this thread, to hand listeners that very object. */
    private final ThreadLocal<ServletSession> acting = new ThreadLocal<>();

    ServletEvents(FilterSettings settings, ServletContext context, ClassLoader loader) {
        this.settings = settings;
        this.context = context;
        this.loader = loader;
    }

    ServletContext context() {
        return context;
    }

    /** Runs {@code operation}, during which events about {@code session}'s Satchel session are about {@code session}. */
    <T> T acting(ServletSession session, Supplier<T> operation) {
        ServletSession before = acting.get();
        acting.set(session);
        try {
            return operation.get();
        } finally {
            if (before == null) {
                acting.remove();
            } else {
                acting.set(before);
            }
        }
    }

    @Override
    public void created(Session session) {
        if (!settings.sessionListeners.isEmpty()) {
            HttpSessionEvent e = new HttpSessionEvent(view(session));
            for (HttpSessionListener l : settings.sessionListeners) {
                guard(l, () -> l.sessionCreated(e));
            }
        }
    }

    @Override
    public void idChanged(Session session, String oldId) {
        if (!settings.idListeners.isEmpty()) {
            HttpSessionEvent e = new HttpSessionEvent(view(session));
            for (HttpSessionIdListener l : settings.idListeners) {
                guard(l, () -> l.sessionIdChanged(e, oldId));
            }
        }
    }

    @Override
    public void destroyed(Session session, Reason reason) {
        ServletSession a = acting.get();
        if (a != null && a.session() == session) {
            ended(a);
            return;
        }
        // Not this filter's request (an expiry from the sweeper's thread, or another user of the same
        // HttpSessions): a read-only view, and the web application's class loader that listeners expect.
        Thread t = Thread.currentThread();
        ClassLoader before = t.getContextClassLoader();
        t.setContextClassLoader(loader);
        try {
            ended(ServletSession.detached(settings, this, session));
        } finally {
            t.setContextClassLoader(before);
        }
    }

    private void ended(ServletSession view) {
        if (!settings.sessionListeners.isEmpty()) {
            HttpSessionEvent e = new HttpSessionEvent(view);
            for (HttpSessionListener l : settings.sessionListeners) {
                guard(l, () -> l.sessionDestroyed(e));
            }
        }
        unbindAll(view);
    }

    /** Unbinds every value of a session that ended: {@code valueUnbound} and {@code attributeRemoved}. */
    void unbindAll(ServletSession view) {
        if (settings.attributeListeners.isEmpty() && !view.mayHoldBindingListeners()) {
            return;
        }
        for (String name : view.attributeNames()) {
            Object value = view.value(name);
            unbound(view, name, value);
            attributeRemoved(view, name, value);
        }
    }

    void bound(ServletSession session, String name, Object value) {
        if (value instanceof HttpSessionBindingListener l) {
            guard(l, () -> l.valueBound(new HttpSessionBindingEvent(session, name, value)));
        }
    }

    void unbound(ServletSession session, String name, Object value) {
        if (value instanceof HttpSessionBindingListener l) {
            guard(l, () -> l.valueUnbound(new HttpSessionBindingEvent(session, name, value)));
        }
    }

    /** {@code attributeAdded}, or {@code attributeReplaced} with the old value when the attribute existed. */
    void attributeSet(ServletSession session, String name, Object old, boolean existed) {
        if (settings.attributeListeners.isEmpty()) {
            return;
        }
        HttpSessionBindingEvent e = existed
                ? new HttpSessionBindingEvent(session, name, old)
                : new HttpSessionBindingEvent(session, name, session.value(name));
        for (HttpSessionAttributeListener l : settings.attributeListeners) {
            guard(l, () -> {
                if (existed) {
                    l.attributeReplaced(e);
                } else {
                    l.attributeAdded(e);
                }
            });
        }
    }

    void attributeRemoved(ServletSession session, String name, Object old) {
        if (!settings.attributeListeners.isEmpty()) {
            HttpSessionBindingEvent e = new HttpSessionBindingEvent(session, name, old);
            for (HttpSessionAttributeListener l : settings.attributeListeners) {
                guard(l, () -> l.attributeRemoved(e));
            }
        }
    }

    private ServletSession view(Session session) {
        ServletSession a = acting.get();
        return a != null && a.session() == session ? a : ServletSession.detached(settings, this, session);
    }

    private static void guard(Object listener, Runnable call) {
        try {
            call.run();
        } catch (RuntimeException e) {
            LOG.warn("Session listener {} failed; the operation it heard of went on", listener.getClass().getName(), e);
        }
    }
}
