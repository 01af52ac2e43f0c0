package dev.satchel.store.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Session;
import dev.satchel.spi.SessionIds;
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
 * is absent and moved aside (nothing else is lost), an entry of a newer format is absent and left alone,
 * and a flushed script cache is refilled on the fly.
 */
class RedisHostileDataTest {

    @RegisterExtension
    static final StandaloneRedis REDIS = new StandaloneRedis();

    private MutableClock clock;
    private RedisSessionManager manager;
    private Jedis admin;

    @BeforeEach
    void useTestManager() {
        clock = REDIS.clock();
        manager = REDIS.manager();
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
        String key = manager.sessionKey(victim.id());
        Map<String, String> hash = new HashMap<>(admin.hgetAll(key));
        edit.accept(hash);
        admin.del(key);
        admin.hset(key, hash);
        admin.pexpire(key, 600_000);

        assertTrue(manager.get(victim.id()).isEmpty(), name);
        assertFalse(manager.exists(victim.id()));
        String aside = manager.namespace() + ":corrupt:{" + victim.id() + "}";
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
        String key = manager.sessionKey(sid);
        admin.set(key, "{\"v\":1}");
        assertTrue(manager.get(sid).isEmpty());
        assertEquals("{\"v\":1}", admin.get(manager.namespace() + ":corrupt:{" + sid + "}"));
        assertFalse(admin.exists(key));
        manager.remove(sid);
    }

    @Test
    @DisplayName("an entry of a newer format version is absent, and neither moved, changed nor deleted")
    void newerFormatIsLeftAlone() {
        Session s = stored("a", 1);
        Session loaded = manager.get(s.id()).orElseThrow();
        String key = manager.sessionKey(s.id());
        admin.hset(key, "v", "2");
        Map<String, String> before = admin.hgetAll(key);

        assertTrue(manager.get(s.id()).isEmpty());
        loaded.put("b", 2);
        assertFalse(manager.put(loaded), "not written over");
        assertEquals(before, admin.hgetAll(key));
        assertFalse(admin.exists(manager.namespace() + ":corrupt:{" + s.id() + "}"));
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
        assertEquals(1, manager.findByPrincipal("alice").size(), "index listing");
        admin.scriptFlush();
        assertEquals(1, manager.removeByPrincipal("alice"), "delete by principal");
        assertEquals(2, manager.get(s.id()).orElseThrow().get("b"));
    }

    @Test
    @DisplayName("ids a hostile client writes into an index or the channel are ignored")
    void junkInTheIndexIsIgnored() {
        Session alice = manager.newSession();
        alice.setPrincipal("alice");
        assertTrue(manager.put(alice));
        String index = manager.principalKey("alice");
        admin.zadd(index, Double.POSITIVE_INFINITY, "../../etc/passwd");
        admin.zadd(index, Double.POSITIVE_INFINITY, "");
        admin.zadd(index, Double.POSITIVE_INFINITY, SessionIds.newId());
        assertEquals(List.of(alice.id()), manager.findByPrincipal("alice").stream().map(Session::id).toList());
        assertEquals(List.of(alice.id()), admin.zrange(index, 0, -1), "the junk was pruned");
        assertEquals(1, manager.removeByPrincipal("alice"));
    }

    private Session stored(String name, Object value) {
        Session s = manager.newSession();
        s.setIdleTimeout(Duration.ofMinutes(30));
        s.put(name, value);
        assertTrue(manager.put(s));
        return s;
    }
}
