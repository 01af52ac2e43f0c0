package dev.satchel.store.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Session;
import dev.satchel.SessionManager;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.RedisClient;

/** What the builder does against a real server: a supplied client stays yours; one builder, two managers. */
class RedisBuilderIT {

    @RegisterExtension
    static final StandaloneRedis REDIS = new StandaloneRedis();

    @Test
    @DisplayName("a client you supply is used and stays open after the manager closes")
    void suppliedClientStaysOpen() {
        try (RedisClient mine = RedisClient.create(REDIS.server().hostAndPort())) {
            SessionManager m = RedisSessionManager.builder().client(mine).namespace("mine").build();
            Session s = m.newSession();
            s.put("a", 1);
            assertTrue(m.put(s));
            m.close();
            assertTrue(mine.exists("mine:session:{" + s.id() + "}"), "the client still works");
        }
    }

    @Test
    @DisplayName("build can be called again: a second manager with its own client, over the same sessions")
    void buildTwice() {
        RedisSessionManager.Builder b = REDIS.builder();
        try (SessionManager first = b.build(); SessionManager second = b.build()) {
            Session s = first.newSession();
            s.put("a", 1);
            assertTrue(first.put(s));
            first.close();
            assertEquals(1, second.get(s.id()).orElseThrow().get("a"), "closing one leaves the other working");
        }
    }
}
