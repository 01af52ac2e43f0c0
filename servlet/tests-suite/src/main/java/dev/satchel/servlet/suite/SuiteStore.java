package dev.satchel.servlet.suite;

import dev.satchel.ExpiryEvents;
import dev.satchel.Invalidations;
import dev.satchel.Session;
import dev.satchel.SessionManager;
import dev.satchel.SessionStoreUnavailableException;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * The suite's manager: a real one (in memory) that counts writes and can be made to fail like an
 * unreachable store. Keeps the {@link ExpiryEvents} of the manager it wraps.
 */
public final class SuiteStore implements SessionManager, ExpiryEvents {

    private final SessionManager delegate;
    final AtomicInteger puts = new AtomicInteger();
    final AtomicInteger removes = new AtomicInteger();
    volatile boolean failing;

    SuiteStore(SessionManager delegate) {
        this.delegate = delegate;
    }

    SessionManager delegate() {
        return delegate;
    }

    private void check() {
        if (failing) {
            throw new SessionStoreUnavailableException("the suite's store is down", new java.io.IOException("connection refused"));
        }
    }

    @Override
    public Session newSession() {
        return delegate.newSession();
    }

    @Override
    public boolean exists(String sid) {
        check();
        return delegate.exists(sid);
    }

    @Override
    public Optional<Session> get(String sid) {
        check();
        return delegate.get(sid);
    }

    @Override
    public Session lookup(CharSequence text, int start) {
        check();
        return delegate.lookup(text, start);
    }

    @Override
    public boolean put(Session session) {
        check();
        puts.incrementAndGet();
        return delegate.put(session);
    }

    @Override
    public void remove(String sid) {
        check();
        removes.incrementAndGet();
        delegate.remove(sid);
    }

    @Override
    public Invalidations.Subscription onExpired(Consumer<Session> listener) {
        return ((ExpiryEvents) delegate).onExpired(listener);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
