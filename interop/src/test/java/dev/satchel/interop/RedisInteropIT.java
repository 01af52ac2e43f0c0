package dev.satchel.interop;

import dev.satchel.SessionManager;
import dev.satchel.store.redis.RedisSessionManager;
import java.util.Map;
import java.util.TreeMap;
import redis.clients.jedis.Jedis;

/**
 * The shared session on Redis: the Java side's {@link RedisSessionManager} and PHP's and Python's Redis stores,
 * running the same Lua scripts against a redis-server of the test's own.
 */
class RedisInteropIT extends SharedSessionScenarios {

    private RedisProcess redis;
    private SessionManager manager;

    @Override
    void startStore() {
        redis = RedisProcess.start();
        manager = RedisSessionManager.builder().uri(redis.uri()).build();
    }

    @Override
    SessionManager manager() {
        return manager;
    }

    @Override
    String storeSpec() {
        return redis.uri();
    }

    @Override
    boolean otherSideMayChangePrincipal() {
        return true;
    }

    @Override
    void plantNewerFormat(String sid, String randval) {
        long now = System.currentTimeMillis();
        try (Jedis j = redis.admin()) {
            j.hset(key(sid), Map.of("v", "2", "id", sid, "randval", randval, "created", Long.toString(now),
                    "lastAccess", Long.toString(now), "idleTimeoutMs", "3600000", "version", "1", "a:count", "41",
                    "something", "new"));
            j.pexpire(key(sid), 3_600_000);
        }
    }

    @Override
    void plantCorrupt(String sid) {
        try (Jedis j = redis.admin()) {
            j.set(key(sid), "not a hash");
        }
    }

    @Override
    String rawEntry(String sid) {
        try (Jedis j = redis.admin()) {
            switch (j.type(key(sid))) {
                case "none":
                    return null;
                case "hash":
                    return new TreeMap<>(j.hgetAll(key(sid))).toString();
                default:
                    return j.type(key(sid)) + ":" + j.get(key(sid));
            }
        }
    }

    @Override
    void stopStore() {
        if (manager != null) {
            manager.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    private static String key(String sid) {
        return "satchel:session:{" + sid + "}";
    }
}
