package dev.satchel.store.redis;

import dev.satchel.SessionManager;
import dev.satchel.testkit.MutableClock;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import redis.clients.jedis.Jedis;

/**
 * One standalone {@link RedisServer} for a test class ({@code @RegisterExtension static}), an admin
 * connection to look at keys directly, and for each test a {@link MutableClock} and a manager in a
 * namespace of its own (closed after the test), so every test starts over an empty store without
 * restarting Redis.
 */
final class StandaloneRedis implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback {

    private final AtomicInteger namespaces = new AtomicInteger();
    private RedisServer server;
    private Jedis admin;
    private MutableClock clock;
    private StoreAndManager manager;

    @Override
    public void beforeAll(ExtensionContext context) {
        server = RedisServer.start();
        admin = server.admin();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (admin != null) {
            admin.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) {
        clock = MutableClock.startingNow();
        manager = null;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (manager != null) {
            manager.close();
        }
    }

    /** The current test's clock, starting at the real time (Redis expiry instants must be in the future). */
    MutableClock clock() {
        return clock;
    }

    /** The current test's manager, over an empty namespace, reading time from {@link #clock()}; made on first use. */
    StoreAndManager manager() {
        if (manager == null) {
            manager = manager(clock);
        }
        return manager;
    }

    RedisServer server() {
        return server;
    }

    /** The admin connection; synchronized use only when tests run threads. */
    Jedis admin() {
        return admin;
    }

    /** A new manager over this server, reading time from {@code clock}, in a fresh namespace. */
    StoreAndManager manager(Clock clock) {
        return StoreAndManager.build(builder().clock(clock));
    }

    /** Another node: a manager of its own (its own client and feed) over this server and {@code namespace}. */
    SessionManager otherNode(String namespace, Clock clock) {
        return RedisSessionManager.builder().uri(server.uri()).namespace(namespace).clock(clock).build();
    }

    /** A builder for this server, in a fresh namespace. */
    RedisSessionManager.Builder builder() {
        return RedisSessionManager.builder().uri(server.uri()).namespace("test" + namespaces.incrementAndGet());
    }
}
