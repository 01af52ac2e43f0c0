package dev.satchel;

import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

/** A manager that counts the calls reaching the one it wraps. */
final class CountingManager implements SessionManager {
    final SessionManager delegate;
    final AtomicInteger gets = new AtomicInteger();
    final AtomicInteger puts = new AtomicInteger();
    final AtomicInteger removes = new AtomicInteger();

    CountingManager(SessionManager delegate) {
        this.delegate = delegate;
    }

    @Override
    public Session newSession() {
        return delegate.newSession();
    }

    @Override
    public boolean exists(String sid) {
        return delegate.exists(sid);
    }

    @Override
    public Optional<Session> get(String sid) {
        gets.incrementAndGet();
        return delegate.get(sid);
    }

    @Override
    public boolean put(Session session) {
        puts.incrementAndGet();
        return delegate.put(session);
    }

    @Override
    public void remove(String sid) {
        removes.incrementAndGet();
        delegate.remove(sid);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
