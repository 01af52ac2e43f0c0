package dev.satchel.store.redis;

import dev.satchel.spi.SessionStore;
import dev.satchel.testkit.SessionStoreContract;
import dev.satchel.testkit.StoreBackdoor;
import java.time.Clock;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The store contract, below the manager, on a standalone Redis started for this class: each test gets a store
 * in a namespace of its own. The store reads no clock (Redis expires entries in its own time, from the
 * instants the records carry), so the contract's clock only makes the records.
 */
class RedisSessionStoreIT extends SessionStoreContract {

    @RegisterExtension
    static final StandaloneRedis REDIS = new StandaloneRedis();

    private KeyBackdoor backdoor;

    @Override
    protected SessionStore createStore(Clock clock) {
        RedisSessionStore redis = REDIS.builder().buildStore();
        backdoor = new KeyBackdoor(REDIS.admin(), redis);
        return redis;
    }

    @Override
    protected StoreBackdoor backdoor() {
        return backdoor;
    }
}
