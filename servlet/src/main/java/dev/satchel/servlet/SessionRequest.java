package dev.satchel.servlet;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;

/**
 * The request the application sees: sessions come from Satchel, and an async request keeps this filter's
 * wrappers so the end of it still commits the session.
 */
final class SessionRequest extends HttpServletRequestWrapper {

    private final RequestState state;
    private final SessionResponse response;
    private SessionAsyncContext async;

    SessionRequest(RequestState state, HttpServletRequest request, SessionResponse response) {
        super(request);
        this.state = state;
        this.response = response;
    }

    /**
     * The request's session; a new one (stored only once it holds something) when there is none and
     * {@code create} is true.
     *
     * @throws IllegalStateException if a session must be created after the response was committed
     * @throws dev.satchel.SessionStoreException if the store cannot be read
     */
    @Override
    public HttpSession getSession(boolean create) {
        return state.session(create, response);
    }

    @Override
    public HttpSession getSession() {
        return getSession(true);
    }

    /** Satchel's {@code rotateId}: a new id and randval, the same data; the old id stops working at once. */
    @Override
    public String changeSessionId() {
        return state.changeSessionId(response);
    }

    @Override
    public String getRequestedSessionId() {
        return state.requestedSessionId();
    }

    @Override
    public boolean isRequestedSessionIdValid() {
        return state.requestedSessionIdValid();
    }

    @Override
    public boolean isRequestedSessionIdFromCookie() {
        return getRequestedSessionId() != null;
    }

    /** Always false: Satchel's session travels only in its cookie. */
    @Override
    public boolean isRequestedSessionIdFromURL() {
        return false;
    }

    /**
     * Starts async with this filter's request and response, not the container's originals (what the
     * no-argument {@code startAsync} would otherwise hand out), so writes and {@code complete()} go through it.
     */
    @Override
    public AsyncContext startAsync() {
        return startAsync(this, response);
    }

    @Override
    public AsyncContext startAsync(ServletRequest servletRequest, ServletResponse servletResponse) {
        AsyncContext started = super.startAsync(servletRequest, servletResponse);
        // First among the listeners: on a timeout the session is committed before the application's handler writes.
        started.addListener(new SessionAsyncContext.Listener(state, response), servletRequest, servletResponse);
        async = new SessionAsyncContext(started, state, response);
        return async;
    }

    /** A dispatcher whose forward tells the response to hold nothing the container could end the response with. */
    @Override
    public RequestDispatcher getRequestDispatcher(String path) {
        RequestDispatcher d = super.getRequestDispatcher(path);
        return d == null ? null : new RequestDispatcher() {
            @Override
            public void forward(ServletRequest request, ServletResponse response) throws ServletException, IOException {
                state.forwarding(1);
                SessionRequest.this.response.discardHeld(); // a forward clears the buffer; a container clearing its own misses what is held here
                try {
                    d.forward(request, response);
                } finally {
                    state.forwarding(-1);
                }
            }

            @Override
            public void include(ServletRequest request, ServletResponse response) throws ServletException, IOException {
                d.include(request, response);
            }
        };
    }

    @Override
    public AsyncContext getAsyncContext() {
        AsyncContext a = async;
        return a != null ? a : super.getAsyncContext();
    }
}
