package dev.satchel.benchmarks;

import dev.satchel.Session;
import dev.satchel.SessionManager;
import dev.satchel.spi.SessionAccess;
import dev.satchel.store.redis.RedisSessionManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import redis.clients.jedis.UnifiedJedis;

/**
 * The floor under {@code RedisSessionManager}: the same commands on a Jedis client of the same kind (RESP2,
 * the same server), with nothing around them. {@code get} is {@code HGETALL} of the session's hash, returned undecoded; {@code put}
 * is {@code EVALSHA} of the store's own {@code apply.lua} with the arguments the store sends for a change
 * of one attribute, including the version it last saw (so the script answers as briefly as it does for
 * the store when nobody else wrote in between), its answer otherwise unread. The sessions are created by
 * the store, so the hashes are the same.
 */
final class JedisRawClient implements StoreClient {

    private final SessionManager manager;
    private final UnifiedJedis jedis;
    private final AutoCloseable cleanup;
    private final String[] ids;
    private final List<String>[] keys;
    /** The version each session had after this client's last write (racy across threads, like the store's). */
    private final long[] versions;
    private final String channel;
    private final String sha;

    @SuppressWarnings("unchecked")
    JedisRawClient(SessionManager manager, UnifiedJedis jedis, int sessions, AutoCloseable cleanup) {
        this.manager = manager;
        this.jedis = jedis;
        this.cleanup = cleanup;
        this.ids = new String[sessions];
        @SuppressWarnings("unchecked") // a generic array: created raw, only ever holds List<String>
        List<String>[] k = (List<String>[]) new List<?>[sessions];
        this.keys = k;
        this.versions = new long[sessions];
        this.channel = RedisSessionManager.DEFAULT_NAMESPACE + ":invalidations";
        this.sha = jedis.scriptLoad(script("apply.lua"));
    }

    @Override
    public void create(int n) {
        Session s = manager.newSession();
        TypicalSession.fill(s, n);
        manager.put(s);
        ids[n] = s.id();
        versions[n] = SessionAccess.record(s).version();
        keys[n] = Collections.singletonList(RedisSessionManager.DEFAULT_NAMESPACE + ":session:{" + s.id() + '}');
    }

    @Override
    public Object get(int n) {
        Map<String, String> hash = jedis.hgetAll(keys[n].get(0));
        if (hash.isEmpty()) {
            throw new IllegalStateException("a stored session was not found");
        }
        return hash;
    }

    @Override
    public Object put(Object loaded, int n, int value) {
        // As the store's SessionHash.applyArguments: access time, no timeout/deadline/principal change,
        // channel and id for the invalidation, no removal, one attribute set.
        long base = versions[n];
        List<String> args = List.of(Long.toString(System.currentTimeMillis()), "", "", "0", "", channel, ids[n],
                Long.toString(base), "0", "a:" + TypicalSession.CHANGED, Integer.toString(value));
        List<?> answer = (List<?>) jedis.evalsha(sha, keys[n], args);
        Object status = answer.get(0);
        if (Long.valueOf(2).equals(status)) {
            versions[n] = base + 1;
        } else if (Long.valueOf(1).equals(status)) {
            List<?> hash = (List<?>) answer.get(2);
            for (int i = 0; i + 1 < hash.size(); i += 2) {
                if ("version".equals(hash.get(i))) {
                    versions[n] = Long.parseLong((String) hash.get(i + 1));
                }
            }
        } else {
            throw new IllegalStateException("a stored session was not found when saving it");
        }
        return answer;
    }

    @Override
    public void close() throws Exception {
        try (AutoCloseable c = cleanup; UnifiedJedis j = jedis) {
            manager.close();
        }
    }

    /** A script of the Redis store, read from its jar. */
    private static String script(String name) {
        try (InputStream in = RedisSessionManager.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("script " + name + " is not in the store's jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
