package dev.satchel.store.caching;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.SessionManager;
import dev.satchel.spi.SessionRecord;
import dev.satchel.testkit.SessionManagerContract;
import java.time.Clock;
import org.junit.jupiter.api.AfterEach;

/**
 * The manager contract for a cache over one kind of parent, plus Caffeine's lesson: after every test the
 * cache holds nothing its parent lacks. Each parent (in memory, files, Redis, Riak) gets a subclass; the
 * ones over server-backed parents live in those stores' modules and reach this class through store-caching's
 * test jar.
 */
public abstract class CachingContract extends SessionManagerContract {

    /** The cache under test (also {@link #manager}). */
    protected CachingSessionManager cache;
    /** The parent under the cache. */
    protected SessionManager parent;

    /** A parent manager over an empty store, reading time from {@code clock}. */
    protected abstract SessionManager createParent(Clock clock) throws Exception;

    /** Settings for the cache beyond the clock; none by default. */
    protected CachingSessionManager.Builder configure(CachingSessionManager.Builder builder) {
        return builder;
    }

    @Override
    protected final SessionManager createManager(Clock clock) throws Exception {
        parent = createParent(clock);
        // Caffeine's bookkeeping on the calling thread: what the cache holds is decided when a call returns.
        cache = configure(CachingSessionManager.over(parent).clock(clock).executor(Runnable::run)).build();
        return cache;
    }

    @AfterEach
    final void cacheHoldsNothingItsParentLacks() {
        if (cache == null || cache.isClosed()) {
            return;
        }
        for (String sid : cache.cachedIds()) {
            SessionRecord cached = cache.cachedRecord(sid);
            if (cached != null && !cached.isExpiredAt(clock.millis())) {
                assertTrue(parent.exists(sid), "the cache holds a session its parent does not");
            }
        }
    }
}
