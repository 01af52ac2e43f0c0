package dev.satchel.store.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.UnifiedJedis;

/** The builder's pool settings reach the client the factory makes (which connects only when used). */
class JedisClientFactoryTest {

    @Test
    @DisplayName("a standalone URI gives a RedisClient pooling maxConnections + 1, waiting the pool wait timeout")
    void poolSettings() {
        RedisSessionManager.Builder b = RedisSessionManager.builder().uri("redis://127.0.0.1:1")
                .maxConnections(3).poolWaitTimeout(Duration.ofMillis(123));
        try (UnifiedJedis jedis = new JedisClientFactory(b).create()) {
            RedisClient client = assertInstanceOf(RedisClient.class, jedis);
            assertEquals(4, client.getPool().getMaxTotal(), "one more for the invalidation subscriber");
            assertEquals(Duration.ofMillis(123), client.getPool().getMaxWaitDuration());
            assertEquals(0, client.getPool().getNumIdle(), "nothing opened yet");
        }
    }

    @Test
    @DisplayName("defaults: 32 + 1 connections, 500 ms pool wait")
    void defaults() {
        try (UnifiedJedis jedis = new JedisClientFactory(RedisSessionManager.builder().uri("redis://127.0.0.1:1")).create()) {
            RedisClient client = (RedisClient) jedis;
            assertEquals(RedisSessionManager.DEFAULT_MAX_CONNECTIONS + 1, client.getPool().getMaxTotal());
            assertEquals(RedisSessionManager.DEFAULT_POOL_WAIT_TIMEOUT, client.getPool().getMaxWaitDuration());
        }
    }
}
