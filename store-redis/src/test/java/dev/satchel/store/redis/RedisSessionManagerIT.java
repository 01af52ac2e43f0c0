package dev.satchel.store.redis;

import dev.satchel.SessionManager;
import dev.satchel.testkit.SessionManagerContract;
import dev.satchel.testkit.StoreBackdoor;
import java.time.Clock;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The manager contract on a standalone Redis started for this class. Each test gets a manager in a namespace
 * of its own, so it starts over an empty store, and a second manager over the same namespace for the two-node
 * cases; the backdoor looks at the keys directly.
 */
class RedisSessionManagerIT extends SessionManagerContract {

    @RegisterExtension
    static final StandaloneRedis REDIS = new StandaloneRedis();

    private StoreAndManager redis;
    private KeyBackdoor backdoor;

    @Override
    protected SessionManager createManager(Clock clock) {
        redis = REDIS.manager(clock);
        backdoor = new KeyBackdoor(REDIS.admin(), redis.store);
        return redis.manager;
    }

    /** Another node: a manager of its own (its own client and feed) over the same server and namespace. */
    @Override
    protected SessionManager createSecondManager(Clock clock) {
        return REDIS.otherNode(redis.namespace(), clock);
    }

    @Override
    protected StoreBackdoor backdoor() {
        return backdoor;
    }
}
