package dev.satchel.store.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.PrincipalIndex;
import dev.satchel.Session;
import dev.satchel.SessionManager;
import dev.satchel.SessionStoreException;
import dev.satchel.SessionStoreTimeoutException;
import dev.satchel.SessionStoreUnavailableException;
import dev.satchel.testkit.Await;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.exceptions.JedisConnectionException;

/**
 * Redis failing under a running manager: killed, frozen, loading its data set, a replica that cannot
 * serve, all connections busy. Every failure is the documented {@code SessionStoreException} subclass
 * with the cause, comes within the configured timeouts (each call here is guarded against hanging), and
 * the manager works again by itself once Redis does.
 */
class RedisOutageIT {

    /** Far above every configured timeout: only a hang trips it. */
    private static final Duration HANG = Duration.ofSeconds(30);

    @Test
    @DisplayName("killed: clear Unavailable errors at once; restarted: works again, AOF-synced sessions intact")
    void killedAndRestarted() {
        try (RedisServer redis = RedisServer.start("--appendonly", "yes", "--appendfsync", "always");
                SessionManager m = manager(redis, Duration.ofMillis(500))) {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                ids.add(put(m, "n", i).id());
            }
            Session loaded = m.get(ids.get(0)).orElseThrow();
            redis.kill();

            loaded.put("after", "kill");
            for (int round = 0; round < 3; round++) {
                expect(SessionStoreUnavailableException.class, JedisConnectionException.class, () -> m.get(ids.get(1)));
                expect(SessionStoreUnavailableException.class, JedisConnectionException.class, () -> m.put(loaded));
                expect(SessionStoreUnavailableException.class, JedisConnectionException.class, () -> m.remove(ids.get(2)));
                expect(SessionStoreUnavailableException.class, JedisConnectionException.class, () -> m.put(m.newSession()));
                expect(SessionStoreUnavailableException.class, JedisConnectionException.class, () -> ((PrincipalIndex) m).findByPrincipal("x"));
            }

            redis.restart();
            assertTimeoutPreemptively(HANG, () -> {
                assertEquals(0, m.get(ids.get(0)).orElseThrow().get("n"), "the first request after the restart");
                for (int i = 0; i < ids.size(); i++) {
                    assertEquals(i, m.get(ids.get(i)).orElseThrow().get("n"));
                }
                assertTrue(m.put(loaded));
                assertEquals("kill", m.get(ids.get(0)).orElseThrow().get("after"));
            });
        }
    }

    @Test
    @DisplayName("frozen (SIGSTOP): Timeout errors within the socket timeout; thawed: works again")
    void frozenThenThawed() {
        try (RedisServer redis = RedisServer.start();
                SessionManager m = manager(redis, Duration.ofMillis(300))) {
            Session s = put(m, "a", 1);
            redis.pause();
            try {
                expect(SessionStoreTimeoutException.class, SocketTimeoutException.class, () -> m.get(s.id()));
                expect(SessionStoreTimeoutException.class, SocketTimeoutException.class, () -> m.put(m.get(s.id()).get()));
                expect(SessionStoreTimeoutException.class, SocketTimeoutException.class, () -> m.remove(s.id()));
            } finally {
                redis.resume();
            }
            assertTimeoutPreemptively(HANG, () -> assertEquals(1, m.get(s.id()).orElseThrow().get("a")));
        }
    }

    @Test
    @DisplayName("loading its data set after a restart: Unavailable naming LOADING, then works")
    void loading() {
        try (RedisServer redis = RedisServer.start();
                SessionManager m = manager(redis, Duration.ofMillis(500))) {
            Session s = put(m, "a", 1);
            try (Jedis admin = redis.admin()) {
                admin.eval("for i = 1, 3000 do redis.call('SET', 'filler:' .. i, i) end");
                admin.save();
            }
            redis.kill();
            // Loading takes about three seconds: a millisecond per key, with requests answered meanwhile.
            redis.restartWith("--key-load-delay", "1000", "--loading-process-events-interval-bytes", "1024");
            SessionStoreException e = expect(SessionStoreUnavailableException.class, null, () -> m.get(s.id()));
            assertTrue(e.getMessage().contains("LOADING"), e.getMessage());
            Await.until("the data set is loaded", RedisServer.STARTUP, () -> {
                try {
                    return m.get(s.id()).isPresent();
                } catch (SessionStoreUnavailableException loading) {
                    return false;
                }
            });
            assertEquals(1, m.get(s.id()).orElseThrow().get("a"));
        }
    }

    @Test
    @DisplayName("a replica whose master is down: MASTERDOWN at startup; a stale replica: READONLY on write")
    void replicaCannotServe() {
        int nowhere = RedisServer.freePort(false);
        try (RedisServer strict = RedisServer.start("--replicaof", "127.0.0.1", Integer.toString(nowhere),
                "--replica-serve-stale-data", "no")) {
            SessionStoreException e = assertThrows(SessionStoreUnavailableException.class,
                    () -> RedisSessionManager.builder().uri(strict.uri()).build().close());
            assertTrue(e.getMessage().contains("MASTERDOWN"), e.getMessage());
        }
        try (RedisServer stale = RedisServer.start("--replicaof", "127.0.0.1", Integer.toString(nowhere));
                SessionManager m = manager(stale, Duration.ofMillis(500))) {
            Session s = m.newSession();
            s.put("a", 1);
            SessionStoreException e = expect(SessionStoreUnavailableException.class, null, () -> m.put(s));
            assertTrue(e.getMessage().contains("READONLY"), e.getMessage());
        }
    }

    @Test
    @DisplayName("every connection busy: Timeout after the pool wait, naming the pool")
    void poolExhausted() throws Exception {
        // A client of the test's own, so the test can see its pool; the builder's pool settings reach the
        // client it makes (JedisClientFactoryTest).
        ConnectionPoolConfig poolConfig = new ConnectionPoolConfig();
        poolConfig.setMaxTotal(2);
        poolConfig.setMaxWait(Duration.ofMillis(100));
        try (RedisServer redis = RedisServer.start();
                RedisClient client = RedisClient.builder().hostAndPort(redis.hostAndPort()).poolConfig(poolConfig)
                        .clientConfig(DefaultJedisClientConfig.builder().socketTimeoutMillis(5_000).build()).build();
                SessionManager m = RedisSessionManager.builder().client(client).build()) {
            Session s = put(m, "a", 1);
            client.getPool().addObjects(2); // both connections open before the freeze
            ExecutorService pool = Executors.newFixedThreadPool(2);
            redis.pause();
            try {
                List<Future<?>> stuck = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    stuck.add(pool.submit(() -> m.get(s.id())));
                }
                Await.until("both connections are in use", HANG, () -> client.getPool().getNumActive() == 2);
                SessionStoreException e = expect(SessionStoreTimeoutException.class, NoSuchElementException.class,
                        () -> m.get(s.id()));
                assertTrue(e.getMessage().contains("pool wait timeout"), e.getMessage());
                redis.resume();
                for (Future<?> f : stuck) {
                    try {
                        f.get(HANG.toSeconds(), TimeUnit.SECONDS);
                    } catch (java.util.concurrent.ExecutionException ignored) {
                        // may have timed out while frozen; either is fine here
                    }
                }
            } finally {
                redis.resume();
                pool.shutdownNow();
            }
            assertEquals(1, m.get(s.id()).orElseThrow().get("a"));
        }
    }

    private static SessionManager manager(RedisServer redis, Duration timeouts) {
        return RedisSessionManager.builder().uri(redis.uri())
                .connectTimeout(timeouts).socketTimeout(timeouts).poolWaitTimeout(timeouts)
                .build();
    }

    private static Session put(SessionManager m, String name, Object value) {
        Session s = m.newSession();
        s.put(name, value);
        assertTrue(m.put(s));
        return s;
    }

    /** Runs {@code call}, which must throw {@code type} with {@code cause} somewhere in its chain, and not hang. */
    private static SessionStoreException expect(Class<? extends SessionStoreException> type,
            Class<? extends Throwable> cause, Executable call) {
        return assertTimeoutPreemptively(HANG, () -> {
            SessionStoreException e = assertThrows(SessionStoreException.class, call);
            assertInstanceOf(type, e, () -> "got " + e);
            assertTrue(e.getCause() != null, "the cause is attached");
            if (cause != null) {
                boolean found = false;
                for (Throwable t = e; t != null && !found; t = t.getCause()) {
                    found = cause.isInstance(t);
                }
                assertTrue(found, () -> "no " + cause.getSimpleName() + " in the causes of " + e);
            }
            return e;
        });
    }
}
