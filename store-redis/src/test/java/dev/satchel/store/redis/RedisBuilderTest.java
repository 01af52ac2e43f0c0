package dev.satchel.store.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Session;
import dev.satchel.SessionStoreUnavailableException;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import redis.clients.jedis.RedisClient;

/**
 * The builder refuses what cannot work at the call that says it, with exact messages, and never quotes a
 * URI that may hold a password; a client you supply stays yours.
 */
class RedisBuilderTest {

    /** A loopback port nobody listens on: validation must fail before anything connects. */
    private static final String NOWHERE = "redis://127.0.0.1:" + RedisServer.freePort(false);
    private static RedisServer redis;

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.start();
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    @DisplayName("an endpoint is required, and only one")
    void oneEndpoint() {
        illegalState("a Redis endpoint is required: uri(), sentinel(), cluster() or client()",
                () -> RedisSessionManager.builder().build());
        illegalState("a Redis endpoint was already set (URI)",
                () -> RedisSessionManager.builder().uri(NOWHERE).cluster("127.0.0.1:7000"));
        illegalState("a Redis endpoint was already set (CLUSTER)",
                () -> RedisSessionManager.builder().cluster("127.0.0.1:7000").sentinel("m", "127.0.0.1:26379"));
    }

    @Test
    @DisplayName("URIs: scheme, host, database and user info are checked; a password is never quoted")
    void uris() {
        illegalArgument("Redis URI scheme must be redis:// or rediss://, was http",
                () -> RedisSessionManager.builder().uri("http://127.0.0.1:6379"));
        illegalArgument("Redis URI scheme must be redis:// or rediss://, was none",
                () -> RedisSessionManager.builder().uri("//127.0.0.1:6379"));
        illegalArgument("Redis URI scheme must be redis:// or rediss://, was localhost",
                () -> RedisSessionManager.builder().uri("localhost:6379"));
        illegalArgument("Redis URI path must be /<database number>, was /zero",
                () -> RedisSessionManager.builder().uri("redis://127.0.0.1:6379/zero"));
        illegalArgument("Redis URI user info must be user:password or :password",
                () -> RedisSessionManager.builder().uri("redis://secret@127.0.0.1"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RedisSessionManager.builder().uri("redis://:my secret@127.0.0.1"));
        assertFalse(e.getMessage().contains("secret"), e.getMessage());
        assertTrue(e.getMessage().startsWith("Redis URI is malformed at index"), e.getMessage());
        IllegalArgumentException noHost = assertThrows(IllegalArgumentException.class,
                () -> RedisSessionManager.builder().uri("redis://:hunter2@/0"));
        assertFalse(noHost.getMessage().contains("hunter2"), noHost.getMessage());
    }

    @Test
    @DisplayName("addresses must be host:port")
    void addresses() {
        illegalArgument("cluster seed node address must be host:port, was 127.0.0.1",
                () -> RedisSessionManager.builder().cluster("127.0.0.1"));
        illegalArgument("sentinel address must be host:port, was :26379",
                () -> RedisSessionManager.builder().sentinel("mymaster", ":26379"));
        illegalArgument("at least one cluster seed node address is required",
                () -> RedisSessionManager.builder().cluster());
        illegalArgument("sentinel master name must not be empty",
                () -> RedisSessionManager.builder().sentinel("", "127.0.0.1:26379"));
        illegalArgument("cluster seed node address must be host:port, was h:70000",
                () -> RedisSessionManager.builder().cluster("h:70000"));
    }

    @Test
    @DisplayName("settings check their value at once and refuse a second setting")
    void settings() {
        illegalArgument("connect timeout must be at least one millisecond and at most Integer.MAX_VALUE ms, was PT0S",
                () -> RedisSessionManager.builder().connectTimeout(Duration.ZERO));
        illegalArgument("socket timeout must be at least one millisecond and at most Integer.MAX_VALUE ms, was PT-1S",
                () -> RedisSessionManager.builder().socketTimeout(Duration.ofSeconds(-1)));
        illegalState("socket timeout was already set to PT2S",
                () -> RedisSessionManager.builder().socketTimeout(Duration.ofSeconds(2)).socketTimeout(Duration.ofSeconds(3)));
        illegalArgument("max connections must be positive, was 0", () -> RedisSessionManager.builder().maxConnections(0));
        illegalArgument("namespace must be printable ASCII without spaces or braces, was a{b}",
                () -> RedisSessionManager.builder().namespace("a{b}"));
        illegalArgument("namespace must have 1 to 64 characters, was ",
                () -> RedisSessionManager.builder().namespace(""));
        illegalArgument("namespace must be printable ASCII without spaces or braces, was my app",
                () -> RedisSessionManager.builder().namespace("my app"));
        illegalState("namespace was already set to app",
                () -> RedisSessionManager.builder().namespace("app").namespace("other"));
        illegalArgument("database must not be negative, was -1", () -> RedisSessionManager.builder().database(-1));
        illegalArgument("replicas must be positive, was 0",
                () -> RedisSessionManager.builder().replicaAcknowledgements(0, Duration.ofMillis(100)));
        illegalState("credentials were already set",
                () -> RedisSessionManager.builder().credentials("a", "b").credentials("c", "d"));
        illegalState("durability was already set to ASYNC",
                () -> RedisSessionManager.builder().durability(Durability.ASYNC).durability(Durability.REPLICATED));
    }

    @Test
    @DisplayName("build refuses settings that do not fit together, before it connects")
    void combinations() {
        illegalState("replica acknowledgements apply only to Durability.REPLICATED, durability is null",
                () -> RedisSessionManager.builder().uri(NOWHERE).replicaAcknowledgements(1, Duration.ofMillis(100)).build());
        illegalState("replica timeout (PT1S) must be shorter than the socket timeout (PT1S)",
                () -> RedisSessionManager.builder().uri(NOWHERE).durability(Durability.REPLICATED)
                        .replicaAcknowledgements(1, Duration.ofSeconds(1)).build());
        illegalState("replica timeout (PT0.25S) must be shorter than the socket timeout (PT0.2S)",
                () -> RedisSessionManager.builder().uri(NOWHERE).durability(Durability.REPLICATED)
                        .socketTimeout(Duration.ofMillis(200)).build());
        illegalState("credentials were given both in the URI and by credentials()",
                () -> RedisSessionManager.builder().uri("redis://:a@127.0.0.1").credentials(null, "b").build());
        illegalState("database was given both in the URI and by database()",
                () -> RedisSessionManager.builder().uri("redis://127.0.0.1/2").database(3).build());
        illegalState("Redis Cluster has only database 0, was 1",
                () -> RedisSessionManager.builder().cluster("127.0.0.1:1").database(1).build());
        try (RedisClient mine = RedisClient.create(redis.hostAndPort())) {
            illegalState("connection settings (timeouts, pool, credentials, database) do not apply to a client you "
                    + "supply: configure them on the client",
                    () -> RedisSessionManager.builder().client(mine).socketTimeout(Duration.ofSeconds(1)).build());
        }
    }

    @Test
    @DisplayName("nothing listening: build fails with Unavailable, naming startup")
    void unreachable() {
        SessionStoreUnavailableException e = assertThrows(SessionStoreUnavailableException.class,
                () -> RedisSessionManager.builder().uri(NOWHERE).connectTimeout(Duration.ofMillis(500)).build());
        assertEquals("Redis is unreachable while connecting at startup", e.getMessage());
    }

    @Test
    @DisplayName("a client you supply is used and stays open after the manager closes")
    void suppliedClientStaysOpen() {
        try (RedisClient mine = RedisClient.create(redis.hostAndPort())) {
            RedisSessionManager m = RedisSessionManager.builder().client(mine).namespace("mine").build();
            Session s = m.newSession();
            s.put("a", 1);
            assertTrue(m.put(s));
            m.close();
            assertTrue(mine.exists("mine:session:{" + s.id() + "}"), "the client still works");
        }
    }

    private static void illegalArgument(String message, Executable call) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, call).getMessage());
    }

    private static void illegalState(String message, Executable call) {
        assertEquals(message, assertThrows(IllegalStateException.class, call).getMessage());
    }
}
