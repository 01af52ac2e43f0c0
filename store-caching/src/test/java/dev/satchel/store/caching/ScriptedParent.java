package dev.satchel.store.caching;

import dev.satchel.InMemorySessionManager;
import dev.satchel.Session;
import dev.satchel.SessionManager;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * A parent for the cache's own tests: a real {@link InMemorySessionManager} that counts the calls reaching
 * it, can be told to fail the next call, and can hold a lookup half-way so a test can write meanwhile.
 * Deliberately has no principal index.
 */
class ScriptedParent implements SessionManager {

    final SessionManager store;
    final AtomicInteger gets = new AtomicInteger();
    final AtomicInteger existsCalls = new AtomicInteger();
    final AtomicInteger puts = new AtomicInteger();
    final AtomicInteger removes = new AtomicInteger();
    final AtomicInteger closes = new AtomicInteger();
    /** Thrown (once) by the next put. */
    volatile RuntimeException failNextPut;
    /** Thrown (once) by the next put after it has written. */
    volatile RuntimeException failNextPutAfterWriting;
    /** Thrown (once) by the next remove, after it has removed. */
    volatile RuntimeException failNextRemoveAfterRemoving;
    /** Thrown (once) by the next get. */
    volatile RuntimeException failNextGet;
    /** When set, the next get reads the store, counts this down and waits for {@link #resumeGet}. */
    volatile CountDownLatch getRead;
    final CountDownLatch resumeGet = new CountDownLatch(1);
    /**
     * When set, every call parks its thread briefly after reaching the store, so that other threads run
     * inside the window between the store's answer and the cache's update (a stand-in for network latency).
     */
    volatile boolean pauseAfterStoreCalls;

    ScriptedParent(Clock clock) {
        store = InMemorySessionManager.builder().clock(clock).withoutBackgroundSweeper().build();
    }

    @Override
    public Session newSession() {
        return store.newSession();
    }

    @Override
    public boolean exists(String sid) {
        existsCalls.incrementAndGet();
        return store.exists(sid);
    }

    @Override
    public Optional<Session> get(String sid) {
        gets.incrementAndGet();
        RuntimeException fail = failNextGet;
        if (fail != null) {
            failNextGet = null;
            throw fail;
        }
        Optional<Session> found = store.get(sid);
        pause();
        CountDownLatch read = getRead;
        if (read != null) {
            getRead = null;
            read.countDown();
            try {
                if (!resumeGet.await(1, TimeUnit.MINUTES)) {
                    throw new IllegalStateException("the test never resumed the lookup");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        return found;
    }

    @Override
    public boolean put(Session session) {
        puts.incrementAndGet();
        RuntimeException fail = failNextPut;
        if (fail != null) {
            failNextPut = null;
            throw fail;
        }
        boolean stored = store.put(session);
        pause();
        RuntimeException late = failNextPutAfterWriting;
        if (late != null) {
            failNextPutAfterWriting = null;
            throw late;
        }
        return stored;
    }

    @Override
    public void remove(String sid) {
        removes.incrementAndGet();
        store.remove(sid);
        pause();
        RuntimeException late = failNextRemoveAfterRemoving;
        if (late != null) {
            failNextRemoveAfterRemoving = null;
            throw late;
        }
    }

    private void pause() {
        if (pauseAfterStoreCalls) {
            LockSupport.parkNanos(20_000);
        }
    }

    @Override
    public void close() {
        closes.incrementAndGet();
        store.close();
    }
}
