package dev.satchel;

import dev.satchel.spi.SessionRecord;
import dev.satchel.spi.SessionStore;
import dev.satchel.testkit.SessionStoreContract;
import dev.satchel.testkit.StoreBackdoor;
import java.time.Clock;

/** The reference store passes the store contract; in core's package to reach the package-private store. */
class InMemorySessionStoreTest extends SessionStoreContract {

    private InMemorySessionStore memory;

    @Override
    protected SessionStore createStore(Clock clock) {
        memory = new InMemorySessionStore();
        return memory;
    }

    @Override
    protected StoreBackdoor backdoor() {
        return new StoreBackdoor() {
            @Override
            public boolean isStored(String sid) {
                return memory.load(sid) != null;
            }

            @Override
            public boolean plantCorrupt(String sid) {
                return false; // holds records, not bytes
            }

            @Override
            public boolean persist(SessionRecord record) {
                memory.persist(record);
                return true;
            }
        };
    }
}
