package dev.satchel.store.redis;

import dev.satchel.spi.SessionRecord;
import dev.satchel.testkit.StoreBackdoor;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import redis.clients.jedis.commands.JedisCommands;

/**
 * The keys under a Redis store, looked at and written directly with a client of the test's own (a
 * {@code Jedis} on standalone, a cluster client on Cluster): entries planted corrupt or in a newer format,
 * and sessions written by hand as {@code docs/format.md} describes, the way another program would.
 */
final class KeyBackdoor implements StoreBackdoor {

    private final JedisCommands redis;
    private final RedisSessionStore store;
    /** What {@link #plantNewerFormat} left, with its expiry, by id. */
    private final Map<String, Map<String, String>> planted = new HashMap<>();
    private final Map<String, Long> plantedExpiry = new HashMap<>();

    KeyBackdoor(JedisCommands redis, RedisSessionStore store) {
        this.redis = redis;
        this.store = store;
    }

    @Override
    public synchronized boolean isStored(String sid) {
        return redis.exists(store.sessionKey(sid));
    }

    /** A session hash whose created time is not a number and whose attribute is truncated JSON. */
    @Override
    public synchronized boolean plantCorrupt(String sid) {
        redis.hset(store.sessionKey(sid), Map.of("v", "1", "id", sid, "randval", sid,
                "created", "yesterday", "lastAccess", "1", "idleTimeoutMs", "1000", "version", "1",
                "a:cart", "{\"items\":[1,2"));
        return true;
    }

    /** The hash as it is, with {@code v} 2 and a field this version does not know; its expiry as it was. */
    @Override
    public synchronized boolean plantNewerFormat(String sid) {
        String key = store.sessionKey(sid);
        redis.hset(key, Map.of("v", "2", "x-added-in-v2", "{\"anything\":true}"));
        planted.put(sid, redis.hgetAll(key));
        plantedExpiry.put(sid, redis.pexpireTime(key));
        return true;
    }

    @Override
    public synchronized boolean isNewerFormatIntact(String sid) {
        String key = store.sessionKey(sid);
        return Objects.equals(planted.get(sid), redis.hgetAll(key))
                && Objects.equals(plantedExpiry.get(sid), redis.pexpireTime(key));
    }

    /** {@code HSET} of every field, {@code PEXPIREAT} at its expiry, and with a principal its index entry. */
    @Override
    public synchronized boolean persist(SessionRecord r) {
        String key = store.sessionKey(r.id());
        redis.hset(key, fields(r));
        redis.pexpireAt(key, Math.min(r.expiresAt(), 1L << 52));
        if (r.principal() != null) {
            redis.zadd(store.principalKey(r.principal()),
                    r.deadline() == SessionRecord.NO_DEADLINE ? Double.POSITIVE_INFINITY : r.deadline(), r.id());
        }
        return true;
    }

    /** The hash of {@code r} as {@code docs/format.md} describes it, written out here field by field. */
    static Map<String, String> fields(SessionRecord r) {
        Map<String, String> hash = new HashMap<>();
        hash.put("v", "1");
        hash.put("id", r.id());
        hash.put("randval", r.randval());
        hash.put("created", Long.toString(r.created()));
        hash.put("lastAccess", Long.toString(r.lastAccess()));
        hash.put("idleTimeoutMs", Long.toString(r.idleTimeoutMillis()));
        if (r.deadline() != SessionRecord.NO_DEADLINE) {
            hash.put("deadline", Long.toString(r.deadline()));
        }
        if (r.principal() != null) {
            hash.put("principal", r.principal());
        }
        hash.put("version", Long.toString(r.version()));
        r.attributes().forEach((name, json) -> hash.put("a:" + name, json));
        return hash;
    }
}
