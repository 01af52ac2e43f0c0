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
    private KeyBackdoor backdoor;

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
        backdoor = new KeyBackdoor(cluster.admin(), redis.store);
        return redis.manager;
    }

    /** Another node: a manager of its own over the same cluster and namespace. */
    @Override
    protected SessionManager createSecondManager(Clock clock) {
        return RedisSessionManager.builder().cluster(cluster.seeds()).namespace(redis.namespace()).clock(clock).build();
    }

    @Override
    protected StoreBackdoor backdoor() {
        return backdoor;
    }
}
