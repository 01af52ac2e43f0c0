package dev.satchel.store.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import dev.satchel.Session;
import dev.satchel.SessionManager;
import dev.satchel.spi.SessionIds;
import dev.satchel.testkit.CapturedLogs;
import dev.satchel.testkit.MutableClock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import redis.clients.jedis.Jedis;

/**
 * What the manager does with data it did not write or cannot read: every kind of damaged session entry
 * is absent and moved aside (nothing else is lost), an entry of a newer format is absent and left alone
 * on every path, neither costs more than its one read, and a flushed script cache is refilled on the fly.
 */
class RedisHostileDataIT {

    @RegisterExtension
    static final StandaloneRedis REDIS = new StandaloneRedis();

    private MutableClock clock;
    private StoreAndManager redis;
    private SessionManager manager;
    private Jedis admin;

    @BeforeEach
    void useTestManager() {
        clock = REDIS.clock();
        redis = REDIS.manager();
        manager = redis.manager;
        admin = REDIS.admin();
    }

    /** Ways a stored session hash can be damaged, each applied to a good hash of the session. */
    static Stream<Arguments> damages() {
        return Stream.of(
                damage("id field missing", h -> h.remove("id")),
                damage("randval malformed", h -> h.put("randval", "../../etc/passwd")),
                damage("created not a number", h -> h.put("created", "yesterday")),
                damage("lastAccess negative", h -> h.put("lastAccess", "-5")),
                damage("idle timeout zero", h -> h.put("idleTimeoutMs", "0")),
                damage("idle timeout in exponent form", h -> h.put("idleTimeoutMs", "1e6")),
                damage("version overflowing a long", h -> h.put("version", "99999999999999999999")),
                damage("deadline empty", h -> h.put("deadline", "")),
                damage("format version missing", h -> h.remove("v")),
                damage("format version not a number", h -> h.put("v", "one")),
                damage("format version older than any", h -> h.put("v", "0")),
                damage("format version past a long", h -> h.put("v", "99999999999999999999")),
                damage("attribute truncated JSON", h -> h.put("a:cart", "{\"items\":[1,2")),
                damage("attribute two JSON values", h -> h.put("a:cart", "1 2")),
                damage("attribute empty", h -> h.put("a:cart", "")),
                damage("attribute nested past the limit", h -> h.put("a:cart", "[".repeat(300) + "]".repeat(300))),
                damage("id of another session", h -> h.put("id", SessionIds.newId())));
    }

    private static Arguments damage(String name, Consumer<Map<String, String>> edit) {
        return Arguments.of(name, edit);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("damages")
    @DisplayName("a damaged session is absent, moved aside for inspection, and harms no other session")
    void damagedEntryIsAbsentAndMovedAside(String name, Consumer<Map<String, String>> edit) {
        String good = stored("keep", 1).id();
        Session victim = stored("cart", List.of(1, 2));
        String key = redis.sessionKey(victim.id());
        Map<String, String> hash = new HashMap<>(admin.hgetAll(key));
        edit.accept(hash);
        admin.del(key);
        admin.hset(key, hash);
        admin.pexpire(key, 600_000);

        assertTrue(manager.get(victim.id()).isEmpty(), name);
        assertFalse(manager.exists(victim.id()));
        String aside = redis.namespace() + ":corrupt:{" + victim.id() + "}";
        assertFalse(admin.exists(key), "moved away from the session key");
        assertEquals(hash, admin.hgetAll(aside), "kept as it was");
        long ttl = admin.pttl(aside);
        assertTrue(ttl > RedisSessionManager.CORRUPT_RETENTION.toMillis() - 60_000
                && ttl <= RedisSessionManager.CORRUPT_RETENTION.toMillis(), "kept for the retention: " + ttl);
        assertEquals(1, manager.get(good).orElseThrow().get("keep"));
        Session stale = victim;
        stale.put("more", true);
        assertFalse(manager.put(stale), "a change to it does not bring it back");
        assertFalse(admin.exists(key));
    }

    @Test
    @DisplayName("a key holding a string where a session hash belongs is absent and moved aside")
    void wrongTypeIsAbsent() {
        String sid = SessionIds.newId();
        String key = redis.sessionKey(sid);
        admin.set(key, "{\"v\":1}");
        assertTrue(manager.get(sid).isEmpty());
        assertEquals("{\"v\":1}", admin.get(redis.namespace() + ":corrupt:{" + sid + "}"));
        assertFalse(admin.exists(key));
        manager.remove(sid);
    }

    @Test
    @DisplayName("an entry of a newer format is absent to get, put and the principal index, untouched, logged once")
    void newerFormatIsLeftAlone() {
        Session s = manager.newSession();
        s.setPrincipal("alice");
        s.put("a", 1);
        assertTrue(manager.put(s));
        Session loaded = manager.get(s.id()).orElseThrow();
        String key = redis.sessionKey(s.id());
        // A newer writer may change anything else too: judged by "v" alone.
        admin.hset(key, Map.of("v", "2", "lastAccess", "soon", "a:a", "<not json>"));
        Map<String, String> before = admin.hgetAll(key);
        long expiry = admin.pexpireTime(key);

        try (CapturedLogs logs = CapturedLogs.of("dev.satchel")) {
            assertTrue(manager.get(s.id()).isEmpty());
            assertFalse(manager.exists(s.id()));
            loaded.put("b", 2);
            assertFalse(manager.put(loaded), "not written over");
            assertEquals(List.of(), redis.index().findByPrincipal("alice"));
            assertEquals(0, redis.index().removeByPrincipal("alice"));
            assertTrue(manager.get(s.id()).isEmpty());
            assertEquals(1, logs.count(Level.WARN, ""), () -> "logged once at WARN:\n" + logs.dump());
        }
        assertEquals(before, admin.hgetAll(key));
        assertEquals(expiry, admin.pexpireTime(key));
        assertFalse(admin.exists(redis.namespace() + ":corrupt:{" + s.id() + "}"));
        assertEquals(List.of(s.id()), admin.zrange(redis.principalKey("alice"), 0, -1), "its index entry kept");
        manager.remove(s.id());
        assertFalse(admin.exists(key), "an explicit remove of its id does remove it");
    }

    @Test
    @DisplayName("reading a newer-format or corrupt entry is one HGETALL, and nothing else")
    void readingAnUnreadableEntryCostsOneCommand() {
        Session newer = stored("a", 1);
        admin.hset(redis.sessionKey(newer.id()), "v", "2");
        admin.configResetStat();
        for (int i = 0; i < 3; i++) {
            assertTrue(manager.get(newer.id()).isEmpty());
        }
        assertEquals(Map.of("hgetall", 3L), commandCalls());

        Session corrupt = stored("a", 1);
        admin.hset(redis.sessionKey(corrupt.id()), "created", "yesterday");
        admin.configResetStat();
        assertTrue(manager.get(corrupt.id()).isEmpty());
        Map<String, Long> calls = commandCalls();
        assertEquals(1L, calls.get("hgetall"), "the read: " + calls);
        assertEquals(1L, calls.get("evalsha"), "moving it aside, once: " + calls);
        assertEquals(1L, calls.get("rename"), "moving it aside, once: " + calls);
        admin.configResetStat();
        assertTrue(manager.get(corrupt.id()).isEmpty());
        assertEquals(Map.of("hgetall", 1L), commandCalls(), "then gone");
    }

    /**
     * Calls per command since the last CONFIG RESETSTAT (commands a script runs counted too), without this
     * test's own admin commands.
     */
    private Map<String, Long> commandCalls() {
        Map<String, Long> calls = new HashMap<>();
        for (String line : admin.info("commandstats").split("\r?\n")) {
            if (line.startsWith("cmdstat_")) {
                String name = line.substring("cmdstat_".length(), line.indexOf(':'));
                int at = line.indexOf("calls=") + "calls=".length();
                calls.put(name, Long.parseLong(line.substring(at, line.indexOf(',', at))));
            }
        }
        calls.remove("info");
        calls.remove("config|resetstat");
        return calls;
    }

    @Test
    @DisplayName("after SCRIPT FLUSH (a restart, a failover to a fresh node) every write still works")
    void flushedScriptsAreReloaded() {
        Session s = stored("a", 1);
        admin.scriptFlush();
        Session loaded = manager.get(s.id()).orElseThrow();
        loaded.put("b", 2);
        assertTrue(manager.put(loaded), "apply");
        admin.scriptFlush();
        Session other = stored("c", 3);
        admin.scriptFlush();
        manager.remove(other.id());
        assertFalse(manager.exists(other.id()), "delete");
        admin.scriptFlush();
        Session alice = manager.newSession();
        alice.setPrincipal("alice");
        assertTrue(manager.put(alice), "index and create");
        admin.scriptFlush();
        assertEquals(1, redis.index().findByPrincipal("alice").size(), "index listing");
        admin.scriptFlush();
        assertEquals(1, redis.index().removeByPrincipal("alice"), "delete by principal");
        assertEquals(2, manager.get(s.id()).orElseThrow().get("b"));
    }

    @Test
    @DisplayName("ids a hostile client writes into an index or the channel are ignored")
    void junkInTheIndexIsIgnored() {
        Session alice = manager.newSession();
        alice.setPrincipal("alice");
        assertTrue(manager.put(alice));
        String index = redis.principalKey("alice");
        admin.zadd(index, Double.POSITIVE_INFINITY, "../../etc/passwd");
        admin.zadd(index, Double.POSITIVE_INFINITY, "");
        admin.zadd(index, Double.POSITIVE_INFINITY, SessionIds.newId());
        assertEquals(List.of(alice.id()), redis.index().findByPrincipal("alice").stream().map(Session::id).toList());
        assertEquals(List.of(alice.id()), admin.zrange(index, 0, -1), "the junk and the id of no session were pruned");
        assertEquals(1, redis.index().removeByPrincipal("alice"));
    }

    private Session stored(String name, Object value) {
        Session s = manager.newSession();
        s.setIdleTimeout(Duration.ofMinutes(30));
        s.put(name, value);
        assertTrue(manager.put(s));
        return s;
    }
}
