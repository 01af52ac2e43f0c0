package dev.satchel;

import dev.satchel.testkit.SessionManagerContract;
import dev.satchel.testkit.StoreBackdoor;
import java.time.Clock;

/**
 * The reference implementation passes the contract. Lives in core's package to reach the map behind the
 * manager; the testkit cannot be a test dependency of core (core is the testkit's dependency).
 */
class InMemorySessionManagerTest extends SessionManagerContract {

    private InMemorySessionManager inMemory;

    @Override
    protected SessionManager createManager(Clock clock) {
        inMemory = InMemorySessionManager.builder().clock(clock).withoutBackgroundSweeper().build();
        return inMemory;
    }

    @Override
    protected StoreBackdoor backdoor() {
        return new StoreBackdoor() {
            @Override
            public boolean isStored(String sid) {
                return inMemory.stored(sid) != null;
            }

            @Override
            public boolean plantCorrupt(String sid) {
                return false; // holds records, not bytes: nothing can be corrupt
            }

            @Override
            public int sweepExpired() {
                return inMemory.sweep();
            }
        };
    }
}
