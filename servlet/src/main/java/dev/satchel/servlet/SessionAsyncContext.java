package dev.satchel.servlet;

import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * The {@link AsyncContext} the application gets: {@code complete()} commits the session and lets the held
 * body go before the container completes the response; a dispatch commits and lets every byte through,
 * since the dispatched resource may end the request without passing this filter again.
 */
final class SessionAsyncContext implements AsyncContext {

    private final AsyncContext delegate;
    private final RequestState state;
    private final SessionResponse response;

    SessionAsyncContext(AsyncContext delegate, RequestState state, SessionResponse response) {
        this.delegate = delegate;
        this.state = state;
        this.response = response;
    }

    @Override
    public void complete() {
        try {
            state.finish(response);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            delegate.complete();
        }
    }

    @Override
    public void dispatch() {
        release();
        delegate.dispatch();
    }

    @Override
    public void dispatch(String path) {
        release();
        delegate.dispatch(path);
    }

    @Override
    public void dispatch(ServletContext context, String path) {
        release();
        delegate.dispatch(context, path);
    }

    private void release() {
        try {
            state.release(response);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public ServletRequest getRequest() {
        return delegate.getRequest();
    }

    @Override
    public ServletResponse getResponse() {
        return delegate.getResponse();
    }

    @Override
    public boolean hasOriginalRequestAndResponse() {
        return delegate.hasOriginalRequestAndResponse();
    }

    @Override
    public void start(Runnable run) {
        delegate.start(run);
    }

    @Override
    public void addListener(AsyncListener listener) {
        delegate.addListener(listener);
    }

    @Override
    public void addListener(AsyncListener listener, ServletRequest servletRequest, ServletResponse servletResponse) {
        delegate.addListener(listener, servletRequest, servletResponse);
    }

    @Override
    public <T extends AsyncListener> T createListener(Class<T> clazz) throws ServletException {
        return delegate.createListener(clazz);
    }

    @Override
    public void setTimeout(long timeout) {
        delegate.setTimeout(timeout);
    }

    @Override
    public long getTimeout() {
        return delegate.getTimeout();
    }

    /**
     * Registered first at every {@code startAsync}: a timeout or an error commits the session and lets the
     * body through before the application's listeners write; completion saves a late change.
     */
    static final class Listener implements AsyncListener {
        private final RequestState state;
        private final SessionResponse response;

        Listener(RequestState state, SessionResponse response) {
            this.state = state;
            this.response = response;
        }

        @Override
        public void onTimeout(AsyncEvent event) throws IOException {
            state.release(response);
        }

        @Override
        public void onError(AsyncEvent event) throws IOException {
            state.release(response);
        }

        @Override
        public void onComplete(AsyncEvent event) {
            state.completed(response);
        }

        /** A new cycle registers a new listener through {@link SessionRequest#startAsync}. */
        @Override
        public void onStartAsync(AsyncEvent event) {}
    }
}
