package dev.satchel.store.caching;

import dev.satchel.InMemoryBackdoor;
import dev.satchel.SessionManager;
import dev.satchel.testkit.StoreBackdoor;
import java.time.Clock;

/**
 * The cache over the reference store passes the whole contract, principal index included, with the
 * default settings (one-second staleness and negative caching).
 */
class CachingOverInMemoryTest extends CachingContract {

    private InMemoryBackdoor store;

    @Override
    protected SessionManager createParent(Clock clock) {
        store = new InMemoryBackdoor(clock);
        return store.manager();
    }

    @Override
    protected SessionManager createSecondManager(Clock clock) {
        return store.secondManager(clock);
    }

    @Override
    protected StoreBackdoor backdoor() {
        return store;
    }
}
