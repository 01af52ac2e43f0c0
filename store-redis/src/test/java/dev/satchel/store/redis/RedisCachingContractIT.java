package dev.satchel.store.redis;

import dev.satchel.SessionManager;
import dev.satchel.spi.SessionRecord;
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

    /**
     * The backdoor, but planting no newer-format entries: one written behind the cache reaches it only when its
     * invalidation does (asynchronously, like any other node's write), so the contract's check right after the
     * planting would race the feed. The newer-format policy on Redis is checked below the cache, by
     * {@code RedisSessionStoreIT} and {@code RedisSessionManagerIT}.
     */
    @Override
    protected StoreBackdoor backdoor() {
        KeyBackdoor keys = backdoor;
        return new StoreBackdoor() {
            @Override
            public boolean isStored(String sid) {
                return keys.isStored(sid);
            }

            @Override
            public boolean plantCorrupt(String sid) {
                return keys.plantCorrupt(sid);
            }

            @Override
            public boolean persist(SessionRecord record) {
                return keys.persist(record);
            }
        };
    }
}
