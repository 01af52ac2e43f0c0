package dev.satchel.store.redis;

import dev.satchel.SessionManager;
import dev.satchel.store.caching.CachingContract;
import dev.satchel.testkit.StoreBackdoor;
import java.time.Clock;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The cache's contract over a Redis parent on a standalone server (the cache subscribes to the parent's
 * invalidations), and after every test: the cache holds nothing Redis lacks. The second node of the two-node
 * cases is a manager without a cache over the same namespace.
 */
class RedisCachingContractIT extends CachingContract {

    @RegisterExtension
    static final StandaloneRedis REDIS = new StandaloneRedis();

    private StoreAndManager redis;
    private KeyBackdoor backdoor;

    @Override
    protected SessionManager createParent(Clock clock) {
        redis = StoreAndManager.build(REDIS.builder().clock(clock));
        backdoor = new KeyBackdoor(REDIS.admin(), redis.store);
        return redis.manager;
    }

    @Override
    protected SessionManager createSecondManager(Clock clock) {
        return REDIS.otherNode(redis.namespace(), clock);
    }

    @Override
    protected StoreBackdoor backdoor() {
        return backdoor;
    }
}
