package dev.satchel.store.redis;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.function.Supplier;
import redis.clients.jedis.Connection;
import redis.clients.jedis.JedisCluster;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.RedisSentinelClient;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.util.Pool;

/**
 * The connection pools behind a Jedis client, for the two things the client's command API does not do:
 * lend the invalidation subscriber a connection it can break from outside when it goes silent, and drop
 * idle connections that a restarted server has broken. Standalone: the pool; Sentinel: the current
 * master's pool (after a failover, the new master's); Cluster: the pool of any node, tried in random
 * order (a plain {@code PUBLISH} reaches every node of a cluster). Borrowed connections use the client's
 * address, credentials, TLS and timeouts.
 */
final class ClientPools {

    private final Supplier<Collection<? extends Pool<Connection>>> pools;
    private final boolean dropIdleOnBreak;

    private ClientPools(Supplier<Collection<? extends Pool<Connection>>> pools, boolean dropIdleOnBreak) {
        this.pools = pools;
        this.dropIdleOnBreak = dropIdleOnBreak;
    }

    /** The pools of {@code jedis}, or {@code null} for a client of a kind not known here. */
    @SuppressWarnings("deprecation") // JedisCluster: deprecated, but still what many applications hold
    static ClientPools of(UnifiedJedis jedis) {
        if (jedis instanceof RedisClient) {
            Pool<Connection> pool = ((RedisClient) jedis).getPool();
            return new ClientPools(() -> List.of(pool), true);
        }
        if (jedis instanceof RedisSentinelClient) {
            RedisSentinelClient sentinel = (RedisSentinelClient) jedis;
            return new ClientPools(() -> sentinel.getPrimaryNodesConnectionMap().values(), true);
        }
        // Cluster clients renew broken connections themselves, with their retries and topology refresh.
        if (jedis instanceof RedisClusterClient) {
            RedisClusterClient cluster = (RedisClusterClient) jedis;
            return new ClientPools(() -> cluster.getClusterNodes().values(), false);
        }
        if (jedis instanceof JedisCluster) {
            JedisCluster cluster = (JedisCluster) jedis;
            return new ClientPools(() -> cluster.getClusterNodes().values(), false);
        }
        return null;
    }

    /**
     * A connection from the first pool, in random order, that gives one; the caller closes it.
     *
     * @throws RuntimeException a Jedis exception when none can be had
     */
    Connection borrow() {
        List<Pool<Connection>> shuffled = new ArrayList<>(pools.get());
        Collections.shuffle(shuffled);
        RuntimeException last = null;
        for (Pool<Connection> pool : shuffled) {
            try {
                return pool.getResource();
            } catch (RuntimeException e) {
                last = e;
            }
        }
        throw last != null ? last : new IllegalStateException("the Redis client knows no node");
    }

    /**
     * After a pooled connection was found broken: closes the idle ones too, which a restarted server has
     * broken the same way, so the next command gets a fresh connection instead of the next broken one.
     */
    void dropIdle() {
        if (dropIdleOnBreak) {
            for (Pool<Connection> pool : pools.get()) {
                pool.clear();
            }
        }
    }
}
