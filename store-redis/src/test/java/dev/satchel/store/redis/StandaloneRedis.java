package dev.satchel.store.redis;

import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import redis.clients.jedis.Jedis;

/**
 * One standalone {@link RedisServer} for a test class ({@code @RegisterExtension static}), an admin
 * connection to look at keys directly, and managers that each get a namespace of their own, so every test
 * starts over an empty store without restarting Redis.
 */
final class StandaloneRedis implements BeforeAllCallback, AfterAllCallback {

    private final AtomicInteger namespaces = new AtomicInteger();
    private RedisServer server;
    private Jedis admin;

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

    RedisServer server() {
        return server;
    }

    /** The admin connection; synchronized use only when tests run threads. */
    Jedis admin() {
        return admin;
    }

    /** A new manager over this server, reading time from {@code clock}, in a fresh namespace. */
    RedisSessionManager manager(Clock clock) {
        return RedisSessionManager.builder().uri(server.uri()).namespace("test" + namespaces.incrementAndGet())
                .clock(clock).build();
    }
}
