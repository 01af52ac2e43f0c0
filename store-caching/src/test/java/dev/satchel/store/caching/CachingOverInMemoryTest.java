package dev.satchel.store.caching;

import dev.satchel.InMemoryBackdoor;
import dev.satchel.SessionManager;
import dev.satchel.testkit.SessionManagerContract;
import dev.satchel.testkit.StoreBackdoor;
import java.time.Clock;

/**
 * The cache over the reference store passes the whole contract, principal index included, with the
 * default settings (one-second staleness and negative caching).
 */
class CachingOverInMemoryTest extends SessionManagerContract {

    private InMemoryBackdoor store;

    @Override
    protected SessionManager createManager(Clock clock) {
        store = new InMemoryBackdoor(clock);
        return CachingSessionManager.over(store.manager()).clock(clock).build();
    }

    @Override
    protected StoreBackdoor backdoor() {
        return store;
    }
}
