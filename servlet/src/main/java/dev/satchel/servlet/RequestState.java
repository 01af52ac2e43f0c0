package dev.satchel.servlet;

import dev.satchel.HttpSessions;
import dev.satchel.Session;
import dev.satchel.SessionStoreException;
import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Enumeration;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The session side of one request, shared by every dispatch of it (the request, a forward or include, an
 * error page, an async dispatch): kept as a request attribute, so the error dispatch after an exception
 * finds the session and the commit state of the request it belongs to.
 *
 * <p>Its one commit point, {@link #commitPoint}, saves the session and adds its {@code Set-Cookie} to the
 * container's response. The response wrapper calls it before the first byte leaves; the end of the
 * request calls it again, which saves only what changed since. Thread-safe: an async request may use its
 * session from other threads.
 */
final class RequestState {

    static final String ATTRIBUTE = RequestState.class.getName();

    private static final Logger LOG = LoggerFactory.getLogger(SatchelSessionFilter.class);

    private final FilterSettings settings;
    private final HttpSessions sessions;
    private final ServletEvents events;
    /** The request of the first dispatch: its Cookie headers name the requested session. */
    private final HttpServletRequest request;

    private boolean looked;
    /** Why the lookup failed: rethrown, so no fresh session replaces one the store could not read. */
    private SessionStoreException lookupFailure;
    /** The session the client's cookie named, verified; null if none. */
    private Session requested;
    private String requestedId;
    /** Whether {@link #requested} was handed out (it is not handed out again once invalidated). */
    private boolean requestedUsed;

    private ServletSession current;
    /** A session the client holds a cookie for was invalidated and no new cookie replaced it yet. */
    private boolean clientCookieDead;
    private ServletSession ended;

    /** The first commit point was passed. */
    private boolean committed;
    /** The last Set-Cookie value added, re-added if the container resets the headers before it commits. */
    private String sentCookie;
    /** A store failure turned the response into an error; nothing more is saved. */
    private boolean failed;
    /** Forwards running through {@link SessionRequest#getRequestDispatcher}, and those this filter sees. */
    private int forwards;
    private int filteredForwards;

    RequestState(FilterSettings settings, ServletEvents events, HttpServletRequest request) {
        this.settings = settings;
        this.sessions = settings.sessions;
        this.events = events;
        this.request = request;
    }

    FilterSettings settings() {
        return settings;
    }

    ServletEvents events() {
        return events;
    }

    // ---- the request API ----

    synchronized ServletSession session(boolean create, SessionResponse via) {
        if (current != null) {
            return current;
        }
        lookup();
        if (requested != null && !requestedUsed) {
            requestedUsed = true;
            current = new ServletSession(this, requested, false);
            return current;
        }
        if (!create) {
            return null;
        }
        if (failed) {
            throw new IllegalStateException("the session store failed earlier in this request");
        }
        if (via.target().isCommitted()) {
            throw new IllegalStateException("cannot create a session after the response was committed: its cookie could not be sent");
        }
        current = new ServletSession(this, sessions.open(null), true);
        return current;
    }

    synchronized String requestedSessionId() {
        lookup();
        if (requested != null) {
            return requestedId;
        }
        Cookie[] cookies = request.getCookies();
        if (cookies != null) {
            String name = sessions.cookie().name();
            for (Cookie c : cookies) {
                String v = c.getValue();
                // The id part of a well-formed cookie that did not verify: what the client sent, never adopted.
                if (name.equals(c.getName()) && v != null && v.indexOf('!') == 22) {
                    return v.substring(0, 22);
                }
            }
        }
        return null;
    }

    synchronized boolean requestedSessionIdValid() {
        lookup();
        return requested != null && current != null && current.session() == requested && current.isValid()
                && requested.id().equals(requestedId);
    }

    synchronized String changeSessionId(SessionResponse via) {
        ServletSession s = session(false, via);
        if (s == null) {
            throw new IllegalStateException("there is no session to change the id of");
        }
        if (!events.acting(s, () -> sessions.rotateId(s.session()))) {
            s.markGone();
            invalidated(s);
            throw new IllegalStateException("the session was removed or expired during this request");
        }
        return s.session().id();
    }

    /** {@code s} was invalidated: the next commit point expires the client's cookie unless a new session replaces it. */
    synchronized void invalidated(ServletSession s) {
        if (current == s) {
            current = null;
        }
        if (!s.isNewForClient() || s.cookieSent()) {
            clientCookieDead = true;
            ended = s;
        }
    }

    /** After the application reset the response: the session cookie already added stays (it would orphan the session). */
    synchronized void afterReset(SessionResponse via) {
        if (sentCookie != null && !via.target().isCommitted()) {
            via.target().addHeader("Set-Cookie", sentCookie);
        }
    }

    /** A forward started or ended through the request's dispatcher. */
    synchronized void forwarding(int delta) {
        forwards += delta;
    }

    /** The filter runs (or stopped running) for a forward dispatch. */
    synchronized void filteringForward(int delta) {
        filteredForwards += delta;
    }

    /**
     * Whether a forward runs that this filter does not see (not mapped for FORWARD): the container ends the
     * response behind it (Tomcat finishes its own response after the forward), so nothing may be held.
     */
    synchronized boolean unseenForward() {
        return forwards > filteredForwards;
    }

    // ---- commit points ----

    /** Before the first byte of the response leaves: the first commit point, once. */
    synchronized void beforeOutput(SessionResponse via) {
        if (!committed) {
            commitPoint(via);
        }
    }

    /**
     * The end of a dispatch cycle (a request, an error page, {@code complete()}): saves what changed, makes
     * sure the cookie is still there, then lets the held body go.
     */
    void finish(SessionResponse via) throws IOException {
        synchronized (this) {
            if (!committedOrAnswered(via)) {
                return;
            }
            HttpServletResponse target = via.target();
            if (sentCookie != null && !target.isCommitted() && !target.getHeaders("Set-Cookie").contains(sentCookie)) {
                // The container reset the headers for an error page after the first commit point added it.
                target.addHeader("Set-Cookie", sentCookie);
            }
        }
        via.passHeld();
    }

    /**
     * Commits and lets every byte through from now on: for an async request at a dispatch or a timeout,
     * after which the container may complete the response without passing through this filter again.
     */
    void release(SessionResponse via) throws IOException {
        if (committedOrAnswered(via)) {
            via.passThrough();
        }
    }

    /** Passes the commit point; {@code false} if the store failed and the response became the failure status. */
    private synchronized boolean committedOrAnswered(SessionResponse via) {
        try {
            commitPoint(via);
            return true;
        } catch (SessionStoreException e) {
            storeFailed(e, via);
            return false;
        }
    }

    /** The async request is complete: save a change made since the last commit point (no cookie can go now). */
    synchronized void completed(SessionResponse via) {
        try {
            commitPoint(via);
        } catch (SessionStoreException e) {
            if (!failed) {
                failed = true;
                LOG.error("The session store failed after the response was complete; the request's last session changes are lost", e);
            }
        }
        if (via.holds()) {
            LOG.error("An async request was completed by something other than the AsyncContext that startAsync returned; "
                    + "the start of its body, held by SatchelSessionFilter until the session was saved, was lost");
        }
    }

    /**
     * Saves the session and adds the cookie to send, if any. Throws {@link SessionStoreException}; the caller
     * answers it with {@link #storeFailed}.
     */
    synchronized void commitPoint(SessionResponse via) {
        if (failed) {
            return;
        }
        boolean first = !committed;
        committed = true;
        String header = null;
        ServletSession s = current;
        if (s != null) {
            header = commit(s);
            if (s.session().isModified()) {
                // A sessionCreated listener changed the session it heard of: save that too.
                String again = commit(s);
                header = header != null ? header : again;
            }
            if (header != null) {
                s.cookieSent(true);
                clientCookieDead = false;
            }
        }
        if (header == null && clientCookieDead) {
            header = sessions.commit(ended.session()).orElse(null); // the cookie that makes the browser forget it
            clientCookieDead = false;
        }
        if (header == null) {
            return;
        }
        HttpServletResponse target = via.target();
        if (target.isCommitted()) {
            if (first) {
                LOG.error("The response was committed before SatchelSessionFilter could add the session cookie: something "
                        + "after the filter wrote to the container's response directly instead of through the response it "
                        + "was given. The session was saved but the client did not get its cookie. Put SatchelSessionFilter "
                        + "after that component, or make it write through the response it was given");
            } else {
                LOG.warn("A session change made after the response was committed needed a new cookie (a new, rotated or "
                        + "invalidated session); the change was saved but the cookie could not be sent");
            }
            return;
        }
        target.addHeader("Set-Cookie", header);
        sentCookie = header;
    }

    /**
     * Commits {@code s} and returns the cookie to send, or null. The one event a commit fires is
     * {@code created}, for a new session, whose listeners must be handed {@code s} itself; the commit of a
     * session that is not new (most requests) runs without marking the thread.
     */
    private String commit(ServletSession s) {
        Session session = s.session();
        return (session.isNew() ? events.acting(s, () -> sessions.commit(session)) : sessions.commit(session)).orElse(null);
    }

    /**
     * Turns a store failure into the configured status, once, and returns the exception to throw where a
     * stream write met it.
     */
    synchronized IOException storeFailed(SessionStoreException e, SessionResponse via) {
        if (!failed) {
            failed = true;
            via.discardHeld();
            HttpServletResponse target = via.target();
            int status = settings.storeFailureStatus;
            if (target.isCommitted()) {
                LOG.error("The session store failed after the response had started; the client gets what was sent so far", e);
            } else {
                LOG.error("The session store failed; answering {}", status, e);
                try {
                    target.reset();
                    target.sendError(status);
                } catch (IOException | IllegalStateException x) {
                    LOG.debug("Could not send the store failure status", x);
                }
            }
        }
        return new IOException("the session store failed; the response was answered with status "
                + settings.storeFailureStatus, e);
    }

    /**
     * Called with what the chain threw: answers a store failure (and returns {@code true}: swallowed);
     * otherwise saves what the request did before the container handles the exception, and drops the held
     * body, which the container's error page replaces.
     */
    boolean failedWith(Throwable t, SessionResponse via) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof SessionStoreException e) {
                storeFailed(e, via);
                return true;
            }
        }
        try {
            commitPoint(via);
        } catch (SessionStoreException e) {
            storeFailed(e, via);
        }
        via.discardHeld();
        return false;
    }

    private void lookup() {
        if (lookupFailure != null) {
            throw lookupFailure;
        }
        if (looked) {
            return;
        }
        try {
            requested = sessions.findFromHeaders(cookieHeaders()).orElse(null);
        } catch (SessionStoreException e) {
            lookupFailure = e;
            throw e;
        }
        looked = true;
        if (requested != null) {
            requestedId = requested.id();
        }
    }

    private Collection<String> cookieHeaders() {
        Enumeration<String> headers = request.getHeaders("Cookie");
        if (headers == null || !headers.hasMoreElements()) {
            return List.of();
        }
        // One Cookie header is the rule (HTTP/1.1 browsers send one; HTTP/2 ones may split it): no list to grow.
        String first = headers.nextElement();
        if (!headers.hasMoreElements()) {
            return List.of(first);
        }
        List<String> all = new ArrayList<>();
        all.add(first);
        while (headers.hasMoreElements()) {
            all.add(headers.nextElement());
        }
        return all;
    }
}
