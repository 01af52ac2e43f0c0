package dev.satchel.store.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.SessionStoreUnavailableException;
import dev.satchel.spi.StoreMetrics;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;
import redis.clients.jedis.RedisClient;

/**
 * The builder follows the builder rules — a bad value refused at the call with an exact message, a second
 * call refused, {@code null} a {@link NullPointerException} naming the parameter, contradictions refused by
 * {@code build()} before anything connects, {@code build()} leaving the builder as it was — and never shows
 * a password. Needs no Redis: nothing listens where these builders point.
 */
class RedisBuilderTest {

    /** A loopback port nobody listens on: validation must fail before anything connects. */
    private static final String NOWHERE = "redis://127.0.0.1:" + RedisServer.freePort(false);

    @TempDir
    static Path dir;

    @Test
    @DisplayName("an endpoint is required, and only one")
    void oneEndpoint() {
        illegalState("a Redis endpoint is required: uri(), sentinel(), cluster() or client()",
                () -> RedisSessionManager.builder().build());
        illegalState("a Redis endpoint was already set (URI)",
                () -> RedisSessionManager.builder().uri(NOWHERE).cluster("127.0.0.1:7000"));
        illegalState("a Redis endpoint was already set (CLUSTER)",
                () -> RedisSessionManager.builder().cluster("127.0.0.1:7000").sentinel("m", "127.0.0.1:26379"));
        illegalState("a Redis endpoint was already set (SENTINEL)",
                () -> RedisSessionManager.builder().sentinel("m", "127.0.0.1:26379").uri(NOWHERE));
        try (RedisClient mine = RedisClient.create(NOWHERE)) {
            illegalState("a Redis endpoint was already set (CLIENT)",
                    () -> RedisSessionManager.builder().client(mine).uri(NOWHERE));
        }
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
    @DisplayName("settings check their value at once")
    void values() {
        illegalArgument("connect timeout must be at least one millisecond and at most Integer.MAX_VALUE ms, was PT0S",
                () -> RedisSessionManager.builder().connectTimeout(Duration.ZERO));
        illegalArgument("socket timeout must be at least one millisecond and at most Integer.MAX_VALUE ms, was PT-1S",
                () -> RedisSessionManager.builder().socketTimeout(Duration.ofSeconds(-1)));
        illegalArgument("pool wait timeout must be at least one millisecond and at most Integer.MAX_VALUE ms, was PT0.0005S",
                () -> RedisSessionManager.builder().poolWaitTimeout(Duration.ofNanos(500_000)));
        illegalArgument("invalidation heartbeat must be at least one millisecond and at most Integer.MAX_VALUE ms, "
                + "was PT596H31M23.648S", () -> RedisSessionManager.builder()
                        .invalidationHeartbeat(Duration.ofMillis(Integer.MAX_VALUE + 1L)));
        illegalArgument("max connections must be positive, was 0", () -> RedisSessionManager.builder().maxConnections(0));
        illegalArgument("namespace must be printable ASCII without spaces or braces, was a{b}",
                () -> RedisSessionManager.builder().namespace("a{b}"));
        illegalArgument("namespace must have 1 to 64 characters, was ",
                () -> RedisSessionManager.builder().namespace(""));
        illegalArgument("namespace must be printable ASCII without spaces or braces, was my app",
                () -> RedisSessionManager.builder().namespace("my app"));
        illegalArgument("database must not be negative, was -1", () -> RedisSessionManager.builder().database(-1));
        illegalArgument("replicas must be positive, was 0",
                () -> RedisSessionManager.builder().replicaAcknowledgements(0, Duration.ofMillis(100)));
        illegalArgument("max session bytes must be between 1024 and 16777216, was 1023",
                () -> RedisSessionManager.builder().maxSessionBytes(1023));
        illegalArgument("trust store must be a readable file, was " + dir,
                () -> RedisSessionManager.builder().trustStore(dir, null));
    }

    @Test
    @DisplayName("a second call to any setter is refused with an exact message that shows no credential")
    void secondCalls() throws Exception {
        Path store = Files.writeString(dir.resolve("trust.p12"), "not read before build");
        illegalState("namespace was already set to app",
                () -> RedisSessionManager.builder().namespace("app").namespace("other"));
        illegalState("socket timeout was already set to PT2S",
                () -> RedisSessionManager.builder().socketTimeout(Duration.ofSeconds(2)).socketTimeout(Duration.ofSeconds(3)));
        illegalState("connect timeout was already set to PT2S",
                () -> RedisSessionManager.builder().connectTimeout(Duration.ofSeconds(2)).connectTimeout(Duration.ofSeconds(3)));
        illegalState("pool wait timeout was already set to PT2S",
                () -> RedisSessionManager.builder().poolWaitTimeout(Duration.ofSeconds(2)).poolWaitTimeout(Duration.ofSeconds(3)));
        illegalState("max connections was already set to 4",
                () -> RedisSessionManager.builder().maxConnections(4).maxConnections(5));
        illegalState("database was already set to 2", () -> RedisSessionManager.builder().database(2).database(3));
        illegalState("credentials were already set",
                () -> RedisSessionManager.builder().credentials("a", "hunter2").credentials("c", "d"));
        illegalState("durability was already set to ASYNC",
                () -> RedisSessionManager.builder().durability(Durability.ASYNC).durability(Durability.REPLICATED));
        illegalState("replica acknowledgements were already set to 1", () -> RedisSessionManager.builder()
                .replicaAcknowledgements(1, Duration.ofMillis(100)).replicaAcknowledgements(2, Duration.ofMillis(100)));
        illegalState("invalidation mode was already set to NONE", () -> RedisSessionManager.builder()
                .invalidationMode(InvalidationMode.NONE).invalidationMode(InvalidationMode.PUBLISH));
        illegalState("invalidation heartbeat was already set to PT1S", () -> RedisSessionManager.builder()
                .invalidationHeartbeat(Duration.ofSeconds(1)).invalidationHeartbeat(Duration.ofSeconds(2)));
        illegalState("trust store was already set", () -> RedisSessionManager.builder()
                .trustStore(store, "hunter2".toCharArray()).trustStore(store, null));
        illegalState("max session bytes was already set to 4096",
                () -> RedisSessionManager.builder().maxSessionBytes(4096).maxSessionBytes(8192));
        Clock clock = Clock.systemUTC();
        illegalState("clock was already set to " + clock, () -> RedisSessionManager.builder().clock(clock).clock(clock));
        StoreMetrics metrics = StoreMetrics.NONE;
        illegalState("metrics was already set to " + metrics,
                () -> RedisSessionManager.builder().metrics(metrics).metrics(metrics));
    }

    @Test
    @DisplayName("null is a NullPointerException naming the parameter")
    void nulls() {
        nullParameter("redisUri", () -> RedisSessionManager.builder().uri(null));
        nullParameter("masterName", () -> RedisSessionManager.builder().sentinel(null, "127.0.0.1:26379"));
        nullParameter("sentinels", () -> RedisSessionManager.builder().sentinel("m", (String[]) null));
        nullParameter("sentinels", () -> RedisSessionManager.builder().sentinel("m", "127.0.0.1:26379", null));
        nullParameter("seedNodes", () -> RedisSessionManager.builder().cluster((String[]) null));
        nullParameter("jedis", () -> RedisSessionManager.builder().client(null));
        nullParameter("file", () -> RedisSessionManager.builder().trustStore(null, null));
        nullParameter("password", () -> RedisSessionManager.builder().credentials("app", null));
        nullParameter("namespace", () -> RedisSessionManager.builder().namespace(null));
        nullParameter("clock", () -> RedisSessionManager.builder().clock(null));
        nullParameter("timeout", () -> RedisSessionManager.builder().connectTimeout(null));
        nullParameter("timeout", () -> RedisSessionManager.builder().socketTimeout(null));
        nullParameter("timeout", () -> RedisSessionManager.builder().poolWaitTimeout(null));
        nullParameter("timeout", () -> RedisSessionManager.builder().replicaAcknowledgements(1, null));
        nullParameter("durability", () -> RedisSessionManager.builder().durability(null));
        nullParameter("mode", () -> RedisSessionManager.builder().invalidationMode(null));
        nullParameter("interval", () -> RedisSessionManager.builder().invalidationHeartbeat(null));
        nullParameter("metrics", () -> RedisSessionManager.builder().metrics(null));
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
        illegalState("a trust store applies only to a rediss:// URI", () -> RedisSessionManager.builder()
                .uri(NOWHERE).trustStore(Files.writeString(dir.resolve("t.p12"), "x"), null).build());
        try (RedisClient mine = RedisClient.create(NOWHERE)) {
            illegalState("connection settings (timeouts, pool, credentials, database) do not apply to a client you "
                    + "supply: configure them on the client",
                    () -> RedisSessionManager.builder().client(mine).socketTimeout(Duration.ofSeconds(1)).build());
        }
    }

    @Test
    @DisplayName("build never changes the builder: a refused build is refused again, the same way")
    void buildLeavesTheBuilderAlone() {
        RedisSessionManager.Builder contradictory = RedisSessionManager.builder().uri("redis://127.0.0.1/2").database(3);
        for (int i = 0; i < 2; i++) {
            illegalState("database was given both in the URI and by database()", contradictory::build);
        }
        RedisSessionManager.Builder unreachable = RedisSessionManager.builder().uri(NOWHERE)
                .connectTimeout(Duration.ofMillis(500));
        for (int i = 0; i < 2; i++) {
            assertEquals("Redis is unreachable while connecting at startup",
                    assertThrows(SessionStoreUnavailableException.class, unreachable::build).getMessage());
        }
        illegalState("namespace was already set to satchel", () -> unreachable.namespace("satchel").namespace("x"));
    }

    @Test
    @DisplayName("nothing listening: build fails with Unavailable, naming startup and neither user nor password")
    void unreachable() {
        String uri = NOWHERE.replace("redis://", "redis://app-user:hunter2@");
        SessionStoreUnavailableException e = assertThrows(SessionStoreUnavailableException.class,
                () -> RedisSessionManager.builder().uri(uri).connectTimeout(Duration.ofMillis(500)).build());
        assertEquals("Redis is unreachable while connecting at startup", e.getMessage());
        for (Throwable t = e; t != null; t = t.getCause()) {
            assertFalse(String.valueOf(t.getMessage()).contains("hunter2"), "shows the password: " + t);
            assertFalse(String.valueOf(t.getMessage()).contains("app-user"), "shows the user: " + t);
        }
    }

    private static void illegalArgument(String message, Executable call) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, call).getMessage());
    }

    private static void illegalState(String message, Executable call) {
        assertEquals(message, assertThrows(IllegalStateException.class, call).getMessage());
    }

    private static void nullParameter(String parameter, Executable call) {
        assertEquals(parameter, assertThrows(NullPointerException.class, call).getMessage());
    }
}
