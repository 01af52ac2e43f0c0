package dev.satchel.store.redis;

import dev.satchel.SessionManager;
import dev.satchel.testkit.SessionManagerContract;
import dev.satchel.testkit.StoreBackdoor;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The contract on a Redis Cluster of three masters and three replicas: every script touches the one slot
 * of its session, so everything the standalone store does works across shards. Each test has a namespace
 * of its own; the backdoor looks at the keys through the fixture's own cluster client.
 */
@ExtendWith(RedisClusterFixture.Shared.class)
class RedisClusterContractIT extends SessionManagerContract {

    private static final AtomicInteger NAMESPACES = new AtomicInteger();
    private static RedisClusterFixture cluster;

    private StoreAndManager redis;

    @BeforeAll
    static void joinCluster(RedisClusterFixture shared) {
        cluster = shared;
    }

    @Override
    protected SessionManager createManager(Clock clock) {
        redis = StoreAndManager.build(RedisSessionManager.builder()
                .cluster(cluster.seeds())
                .namespace("cluster-contract" + NAMESPACES.incrementAndGet())
                .clock(clock));
        return redis.manager;
    }

    @Override
    protected StoreBackdoor backdoor() {
        RedisSessionStore store = redis.store;
        return new StoreBackdoor() {
            @Override
            public boolean isStored(String sid) {
                return cluster.admin().exists(store.sessionKey(sid));
            }

            @Override
            public boolean plantCorrupt(String sid) {
                cluster.admin().set(store.sessionKey(sid), "not a hash");
                return true;
            }
        };
    }
}
