package dev.satchel.servlet.suite;

import jakarta.servlet.http.HttpSession;
import jakarta.servlet.http.HttpSessionAttributeListener;
import jakarta.servlet.http.HttpSessionBindingEvent;
import jakarta.servlet.http.HttpSessionEvent;
import jakarta.servlet.http.HttpSessionIdListener;
import jakarta.servlet.http.HttpSessionListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** Every servlet session event the suite's listeners heard, in order. */
public final class EventLog implements HttpSessionListener, HttpSessionAttributeListener, HttpSessionIdListener {

    private static final List<String> EVENTS = new CopyOnWriteArrayList<>();
    /** The session a request of the app is creating, if it says so: {@code sessionCreated} must be handed that very object. */
    static volatile HttpSession creating;

    static void record(String event) {
        EVENTS.add(event);
    }

    static List<String> events() {
        return List.copyOf(EVENTS);
    }

    static void clear() {
        EVENTS.clear();
        creating = null;
    }

    @Override
    public void sessionCreated(HttpSessionEvent se) {
        HttpSession expected = creating;
        record(expected == null || se.getSession() == expected ? "created" : "created, with another object than the request's session");
    }

    @Override
    public void sessionDestroyed(HttpSessionEvent se) {
        Object user = se.getSession().getAttribute("user");
        record("destroyed user=" + user);
    }

    @Override
    public void sessionIdChanged(HttpSessionEvent event, String oldSessionId) {
        record("idChanged " + !event.getSession().getId().equals(oldSessionId));
    }

    @Override
    public void attributeAdded(HttpSessionBindingEvent event) {
        record("added " + event.getName());
    }

    @Override
    public void attributeRemoved(HttpSessionBindingEvent event) {
        record("removed " + event.getName());
    }

    @Override
    public void attributeReplaced(HttpSessionBindingEvent event) {
        record("replaced " + event.getName() + " was " + event.getValue());
    }

    /** A listener with a bug: it throws on every session end (Jetty's CVE-2021-34428 let that stop the invalidation). */
    public static final class Throwing implements HttpSessionListener {
        @Override
        public void sessionDestroyed(HttpSessionEvent se) {
            throw new IllegalStateException("listener bug");
        }
    }
}
