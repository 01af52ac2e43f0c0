package dev.satchel.store.caching;

import dev.satchel.InMemoryBackdoor;
import dev.satchel.InMemorySessionManager;
import dev.satchel.SessionManager;
import dev.satchel.testkit.SessionManagerContract;
import dev.satchel.testkit.StoreBackdoor;
import java.time.Clock;

/**
 * The cache over the reference store passes the whole contract, principal index included, with the
 * default settings (one-second staleness and negative caching).
 */
class CachingOverInMemoryTest extends SessionManagerContract {

    private InMemorySessionManager store;

    @Override
    protected SessionManager createManager(Clock clock) {
        store = InMemorySessionManager.builder().clock(clock).withoutBackgroundSweeper().build();
        return CachingSessionManager.over(store).clock(clock).build();
    }

    @Override
    protected StoreBackdoor backdoor() {
        return new InMemoryBackdoor(store);
    }
}
