package dev.satchel.store.caching;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Session;
import dev.satchel.SessionManager;
import dev.satchel.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;

/** What the cache's own tests share: a clock that only moves when told, a scripted parent, and cleanup. */
abstract class CacheFixture {

    final MutableClock clock = MutableClock.at(Instant.parse("2030-01-01T00:00:00Z"));
    final ScriptedParent parent = new ScriptedParent(clock);
    /** The cache under test, closed (with its parent) after each test. */
    CachingSessionManager cache;

    /** A builder over {@link #parent} reading {@link #clock}, with maintenance on the calling thread. */
    final CachingSessionManager.Builder overParent() {
        return CachingSessionManager.over(parent).clock(clock).executor(Runnable::run);
    }

    @AfterEach
    final void closeCacheAndParent() {
        if (cache != null) {
            cache.close();
        }
        parent.close();
    }

    /** Stores, through {@code manager}, a new session with idle timeout {@code idle} and {@code n = 1}. */
    static Session stored(SessionManager manager, Duration idle) {
        Session s = manager.newSession();
        s.setIdleTimeout(idle);
        s.put("n", 1);
        assertTrue(manager.put(s), "new session stored");
        return s;
    }
}
