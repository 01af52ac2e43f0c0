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
class RedisSessionManagerIT extends SessionManagerContract {

    @RegisterExtension
    static final StandaloneRedis REDIS = new StandaloneRedis();

    private StoreAndManager redis;

    @Override
    protected SessionManager createManager(Clock clock) {
        redis = REDIS.manager(clock);
        return redis.manager;
    }

    @Override
    protected StoreBackdoor backdoor() {
        return new KeyBackdoor(REDIS.admin(), redis.store);
    }

    /** Looks at the hash of a session directly; plants a hash that is not a session. */
    static final class KeyBackdoor implements StoreBackdoor {
        private final Jedis admin;
        private final RedisSessionStore store;

        KeyBackdoor(Jedis admin, RedisSessionStore store) {
            this.admin = admin;
            this.store = store;
        }

        @Override
        public synchronized boolean isStored(String sid) {
            return admin.exists(store.sessionKey(sid));
        }

        @Override
        public synchronized boolean plantCorrupt(String sid) {
            // A session hash whose created time is not a number and whose attribute is truncated JSON.
            admin.hset(store.sessionKey(sid), java.util.Map.of("v", "1", "id", sid, "randval", sid,
                    "created", "yesterday", "lastAccess", "1", "idleTimeoutMs", "1000", "version", "1",
                    "a:cart", "{\"items\":[1,2"));
            return true;
        }
    }
}
