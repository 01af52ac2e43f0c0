package dev.satchel;

import dev.satchel.spi.StoreSessionManager;
import dev.satchel.testkit.SessionManagerContract;
import dev.satchel.testkit.StoreBackdoor;
import java.time.Clock;
import java.time.Duration;

/**
 * The reference implementation passes the contract. Lives in core's package to reach the map behind the
 * manager; the testkit cannot be a test dependency of core (core is the testkit's dependency).
 */
class InMemorySessionManagerTest extends SessionManagerContract {

    private InMemorySessionStore store;

    @Override
    protected SessionManager createManager(Clock clock) {
        store = new InMemorySessionStore();
        return StoreSessionManager.over(store).clock(clock).sweepInterval(Duration.ZERO).build();
    }

    @Override
    protected SessionManager createSecondManager(Clock clock) {
        return StoreSessionManager.over(store).clock(clock).sweepInterval(Duration.ZERO).build();
    }

    @Override
    protected StoreBackdoor backdoor() {
        return new StoreBackdoor() {
            @Override
            public boolean isStored(String sid) {
                return store.load(sid) != null;
            }

            @Override
            public boolean plantCorrupt(String sid) {
                return false; // holds records, not bytes: nothing can be corrupt
            }

            @Override
            public int sweepExpired() {
                return StoreSessionManager.sweepNow(manager);
            }
        };
    }
}
