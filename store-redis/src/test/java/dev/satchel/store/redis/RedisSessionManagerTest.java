package dev.satchel.store.redis;

import dev.satchel.SessionManager;
import dev.satchel.testkit.SessionManagerContract;
import dev.satchel.testkit.StoreBackdoor;
import java.time.Clock;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * The contract on a standalone Redis started for this class. Each test gets a manager in a namespace of
 * its own, so it starts over an empty store; the backdoor looks at the keys directly.
 */
class RedisSessionManagerTest extends SessionManagerContract {

    @RegisterExtension
    static final StandaloneRedis REDIS = new StandaloneRedis();

    private RedisSessionManager redisManager;

    @Override
    protected SessionManager createManager(Clock clock) {
        redisManager = REDIS.manager(clock);
        return redisManager;
    }

    @Override
    protected StoreBackdoor backdoor() {
        return new KeyBackdoor(REDIS.admin(), redisManager);
    }

    /** Looks at the hash of a session directly; plants a hash that is not a session. */
    static final class KeyBackdoor implements StoreBackdoor {
        private final Jedis admin;
        private final RedisSessionManager manager;

        KeyBackdoor(Jedis admin, RedisSessionManager manager) {
            this.admin = admin;
            this.manager = manager;
        }

        @Override
        public synchronized boolean isStored(String sid) {
            return admin.exists(manager.sessionKey(sid));
        }

        @Override
        public synchronized boolean plantCorrupt(String sid) {
            // A session hash whose created time is not a number and whose attribute is truncated JSON.
            admin.hset(manager.sessionKey(sid), java.util.Map.of("v", "1", "id", sid, "randval", sid,
                    "created", "yesterday", "lastAccess", "1", "idleTimeoutMs", "1000", "version", "1",
                    "a:cart", "{\"items\":[1,2"));
            return true;
        }
    }
}
