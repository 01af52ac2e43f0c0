package dev.satchel.store.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Session;
import dev.satchel.SessionManager;
import dev.satchel.spi.SessionAccess;
import dev.satchel.spi.SessionRecord;
import dev.satchel.testkit.MutableClock;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.params.ScanParams;
import redis.clients.jedis.resps.ScanResult;

/**
 * What the manager leaves in Redis: the documented key and field layout, an expiry on every session key
 * after every kind of write, and data another program writes by hand read back.
 */
class RedisLayoutIT {

    @RegisterExtension
    static final StandaloneRedis REDIS = new StandaloneRedis();

    private MutableClock clock;
    private StoreAndManager redis;
    private SessionManager manager;
    private String namespace;
    private Jedis admin;

    @BeforeEach
    void useTestManager() {
        clock = REDIS.clock();
        redis = REDIS.manager();
        manager = redis.manager;
        namespace = redis.namespace();
        admin = REDIS.admin();
    }

    @Test
    @DisplayName("a session is one hash with the documented fields under <namespace>:session:{<sid>}")
    void hashLayout() {
        Session s = manager.newSession();
        s.setIdleTimeout(Duration.ofMinutes(30));
        s.setAbsoluteTimeout(Duration.ofHours(12));
        s.setPrincipal("alice");
        s.put("cart", Map.of("items", List.of(1, 2)));
        s.put("theme", "dark");
        assertTrue(manager.put(s));
        SessionRecord r = SessionAccess.record(s);

        String key = namespace + ":session:{" + s.id() + "}";
        Map<String, String> expected = new HashMap<>();
        expected.put("v", "1");
        expected.put("id", s.id());
        expected.put("randval", r.randval());
        expected.put("created", Long.toString(clock.millis()));
        expected.put("lastAccess", Long.toString(clock.millis()));
        expected.put("idleTimeoutMs", "1800000");
        expected.put("deadline", Long.toString(clock.millis() + Duration.ofHours(12).toMillis()));
        expected.put("principal", "alice");
        expected.put("version", "1");
        expected.put("a:cart", "{\"items\":[1,2]}");
        expected.put("a:theme", "\"dark\"");
        assertEquals(expected, admin.hgetAll(key));
        assertEquals("hash", admin.type(key));
        assertEquals(r.expiresAt(), admin.pexpireTime(key));
        assertEquals(Set.of(key, namespace + ":principal:{alice}"), keys());
    }

    @Test
    @DisplayName("after a put the session holds exactly what Redis holds, whether or not another writer came between")
    void putKnowsTheStoredRecordOnBothPaths() {
        Session s = manager.newSession();
        s.put("a", 1);
        assertTrue(manager.put(s));
        String key = namespace + ":session:{" + s.id() + "}";

        Session mine = manager.get(s.id()).orElseThrow();
        clock.advance(Duration.ofSeconds(5));
        mine.put("b", List.of("x"));
        mine.remove("a");
        mine.setPrincipal("bob");
        assertTrue(manager.put(mine)); // nobody wrote since it was read: the script answers with a status only
        assertEquals(admin.hgetAll(key), KeyBackdoor.fields(SessionAccess.record(mine)));

        Session stale = manager.get(s.id()).orElseThrow();
        Session other = manager.get(s.id()).orElseThrow();
        other.put("c", true);
        assertTrue(manager.put(other));
        clock.advance(Duration.ofSeconds(5));
        stale.put("d", "late");
        assertTrue(manager.put(stale)); // another writer came between: the script returns the merged hash
        assertEquals(admin.hgetAll(key), KeyBackdoor.fields(SessionAccess.record(stale)));
        assertEquals(Set.of("b", "c", "d"), SessionAccess.record(stale).attributes().keySet());
    }

    @Test
    @DisplayName("absent deadline and principal are absent fields, not empty ones")
    void absentFieldsAreAbsent() {
        Session s = manager.newSession();
        s.setAbsoluteTimeout(null);
        s.put("a", 1);
        assertTrue(manager.put(s));
        Map<String, String> hash = admin.hgetAll(redis.sessionKey(s.id()));
        assertFalse(hash.containsKey("deadline"));
        assertFalse(hash.containsKey("principal"));
        assertEquals(Set.of(redis.sessionKey(s.id())), keys(), "no principal, no index key");
    }

    @Test
    @DisplayName("every kind of write leaves PEXPIRETIME at the stored record's expiry")
    void everyWriteSetsTheExpiry() {
        Session s = manager.newSession();
        s.setIdleTimeout(Duration.ofMinutes(30));
        s.setAbsoluteTimeout(Duration.ofHours(2));
        s.put("a", 1);
        assertTrue(manager.put(s));
        String sid = s.id();
        assertExpiryMatches(sid, "create");

        change(sid, "set an attribute", x -> x.put("b", 2));
        change(sid, "remove an attribute", x -> x.remove("a"));
        change(sid, "touch only", x -> { });
        change(sid, "log in", x -> x.setPrincipal("alice"));
        change(sid, "log out", x -> x.setPrincipal(null));
        change(sid, "shorter idle timeout", x -> x.setIdleTimeout(Duration.ofMinutes(5)));
        change(sid, "longer idle timeout", x -> x.setIdleTimeout(Duration.ofMinutes(50)));
        change(sid, "deadline sooner than idle end", x -> x.setAbsoluteTimeout(Duration.ofMinutes(70)));
        change(sid, "deadline removed", x -> x.setAbsoluteTimeout(null));
        change(sid, "everything at once", x -> {
            x.put("c", 3);
            x.remove("b");
            x.setPrincipal("bob");
            x.setIdleTimeout(Duration.ofMinutes(10));
            x.setAbsoluteTimeout(Duration.ofHours(3));
        });
    }

    @Test
    @DisplayName("an idle timeout of centuries is stored exactly and its expiry capped where Redis and Lua agree")
    void hugeTimeoutsStayExact() {
        Session s = manager.newSession();
        s.setIdleTimeout(Duration.ofDays(365L * 1_000_000));
        s.setAbsoluteTimeout(null);
        s.put("a", 1);
        assertTrue(manager.put(s));
        Session loaded = manager.get(s.id()).orElseThrow();
        assertEquals(Duration.ofDays(365L * 1_000_000), loaded.idleTimeout());
        assertEquals(SessionHash.MAX_EXPIRE_AT, admin.pexpireTime(redis.sessionKey(s.id())));
        clock.advance(Duration.ofMinutes(1));
        assertTrue(manager.put(loaded), "a change to it works too");
        assertEquals(SessionHash.MAX_EXPIRE_AT, admin.pexpireTime(redis.sessionKey(s.id())));
    }

    @Test
    @DisplayName("a session another program wrote with plain HSET and PEXPIREAT reads back")
    void handWrittenSessionReadsBack() {
        String sid = "AbCdEfGhIjKlMnOpQrStUA";
        String key = namespace + ":session:{" + sid + "}";
        long now = clock.millis();
        Map<String, String> hash = new HashMap<>();
        hash.put("v", "1");
        hash.put("id", sid);
        hash.put("randval", "ZyXwVuTsRqPoNmLkJiHgFA");
        hash.put("created", Long.toString(now - 1000));
        hash.put("lastAccess", Long.toString(now - 1000));
        hash.put("idleTimeoutMs", "600000");
        hash.put("version", "7");
        hash.put("a:user", "{ \"name\" : \"Zoë\", \"roles\": [\"admin\"] }");
        hash.put("a:count", "42");
        hash.put("x-written-by", "a newer writer's extra field");
        admin.hset(key, hash);
        admin.pexpireAt(key, now + 599_000);

        Session s = manager.get(sid).orElseThrow();
        assertEquals(Map.of("name", "Zoë", "roles", List.of("admin")), s.get("user"));
        assertEquals("{ \"name\" : \"Zoë\", \"roles\": [\"admin\"] }", s.getJson("user"), "exact text kept");
        assertEquals(42, s.get("count"));
        assertEquals(7, SessionAccess.record(s).version());
        assertTrue(s.deadline().isEmpty());
        s.put("count", 43);
        assertTrue(manager.put(s));
        assertEquals("43", admin.hget(key, "a:count"));
        assertEquals("8", admin.hget(key, "version"));
        assertEquals("a newer writer's extra field", admin.hget(key, "x-written-by"), "unknown fields are kept");
    }

    @Test
    @DisplayName("a removed session leaves no key behind")
    void removeLeavesNothing() {
        Session s = manager.newSession();
        s.put("a", 1);
        assertTrue(manager.put(s));
        manager.remove(s.id());
        assertEquals(Set.of(), keys());
        assertNull(admin.hget(redis.sessionKey(s.id()), "v"));
    }

    @Test
    @DisplayName("a put whose new deadline is already past removes the session and says so")
    void deadlineInThePastEndsTheSession() {
        Session s = manager.newSession();
        s.put("a", 1);
        assertTrue(manager.put(s));
        clock.advance(Duration.ofMinutes(2));
        Session loaded = manager.get(s.id()).orElseThrow();
        loaded.setAbsoluteTimeout(Duration.ofMinutes(1));
        assertFalse(manager.put(loaded));
        assertFalse(admin.exists(redis.sessionKey(s.id())));
    }

    private void change(String sid, String what, Consumer<Session> edit) {
        clock.advance(Duration.ofSeconds(7));
        Session s = manager.get(sid).orElseThrow(() -> new AssertionError("gone before: " + what));
        edit.accept(s);
        assertTrue(manager.put(s), what);
        assertExpiryMatches(sid, what);
    }

    private void assertExpiryMatches(String sid, String after) {
        SessionRecord stored = SessionAccess.record(manager.get(sid).orElseThrow());
        assertEquals(stored.expiresAt(), admin.pexpireTime(redis.sessionKey(sid)), "expiry after: " + after);
        for (String key : keys()) {
            assertTrue(admin.pttl(key) > 0 || key.contains(":principal:"), "every session key has a TTL: " + after);
        }
    }

    private Set<String> keys() {
        Set<String> keys = new java.util.TreeSet<>();
        String cursor = ScanParams.SCAN_POINTER_START;
        do {
            ScanResult<String> page = admin.scan(cursor, new ScanParams().match(namespace + ":*").count(100));
            keys.addAll(page.getResult());
            cursor = page.getCursor();
        } while (!cursor.equals(ScanParams.SCAN_POINTER_START));
        return keys;
    }
}
