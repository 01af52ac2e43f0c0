package dev.satchel.store.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.HttpSessions;
import dev.satchel.Session;
import dev.satchel.SessionManager;
import dev.satchel.SigningKeys;
import dev.satchel.spi.SessionAccess;
import dev.satchel.testkit.Await;
import dev.satchel.testkit.MutableClock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import redis.clients.jedis.Jedis;

/**
 * The principal index: its sorted set holds each logged-in session scored by its deadline, follows logins,
 * logouts, removals and deadline changes, and its stale entries are pruned and never trusted.
 */
class RedisPrincipalIndexIT {

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

    @Test
    @DisplayName("a login is scored by the session's deadline, and the index expires with its last member")
    void scoredByDeadline() {
        Session s = login("alice", Duration.ofHours(2));
        String index = redis.principalKey("alice");
        assertEquals((double) SessionAccess.record(s).deadline(), admin.zscore(index, s.id()));
        assertEquals(SessionAccess.record(s).deadline(), admin.pexpireTime(index));
        Session later = login("alice", Duration.ofHours(5));
        assertEquals(SessionAccess.record(later).deadline(), admin.pexpireTime(index), "the longest-lived member decides");
    }

    @Test
    @DisplayName("a login on a stored session ends up scored by its real deadline")
    void loginOnStoredSession() {
        Session s = manager.newSession();
        s.setAbsoluteTimeout(Duration.ofHours(3));
        s.put("cart", 1);
        assertTrue(manager.put(s));
        Session loaded = manager.get(s.id()).orElseThrow();
        loaded.setPrincipal("alice");
        assertTrue(manager.put(loaded));
        assertEquals((double) SessionAccess.record(s).deadline(), admin.zscore(redis.principalKey("alice"), s.id()));
    }

    @Test
    @DisplayName("a session without a deadline keeps its index entry, and the index, until it is pruned")
    void unboundedSession() {
        Session s = login("alice", null);
        String index = redis.principalKey("alice");
        assertEquals(Double.POSITIVE_INFINITY, admin.zscore(index, s.id()));
        assertEquals(-1, admin.pttl(index), "no expiry while a member may live forever");
    }

    @Test
    @DisplayName("a changed deadline of a logged-in session changes its score")
    void deadlineChangeRescores() {
        Session s = login("alice", Duration.ofHours(1));
        Session loaded = manager.get(s.id()).orElseThrow();
        loaded.setAbsoluteTimeout(Duration.ofHours(8));
        loaded.setIdleTimeout(Duration.ofHours(8));
        assertTrue(manager.put(loaded));
        assertEquals((double) SessionAccess.record(loaded).deadline(), admin.zscore(redis.principalKey("alice"), s.id()));
        clock.advance(Duration.ofHours(2));
        assertEquals(List.of(s.id()), ids(redis.index().findByPrincipal("alice")), "not pruned at the old deadline");
    }

    @Test
    @DisplayName("a principal change moves the entry from one index to the other")
    void principalChangeMovesEntry() {
        Session s = login("alice", Duration.ofHours(1));
        Session loaded = manager.get(s.id()).orElseThrow();
        loaded.setPrincipal("bob");
        assertTrue(manager.put(loaded));
        assertFalse(admin.exists(redis.principalKey("alice")), "emptied, so gone");
        assertEquals(List.of(s.id()), admin.zrange(redis.principalKey("bob"), 0, -1));
        Session out = manager.get(s.id()).orElseThrow();
        out.setPrincipal(null);
        assertTrue(manager.put(out));
        assertFalse(admin.exists(redis.principalKey("bob")));
    }

    @Test
    @DisplayName("a removed session leaves its principal's index at once")
    void removedSessionsLeaveTheIndex() {
        Session a = login("alice", Duration.ofHours(1));
        Session b = login("alice", Duration.ofHours(1));
        manager.remove(a.id());
        String index = redis.principalKey("alice");
        assertEquals(List.of(b.id()), admin.zrange(index, 0, -1));
        assertEquals(List.of(b.id()), ids(redis.index().findByPrincipal("alice")));
        manager.remove(b.id());
        assertFalse(admin.exists(index), "emptied, so gone");
    }

    @Test
    @DisplayName("entries of sessions Redis expired are pruned by the next lookup, also without a deadline")
    void expiredSessionsArePrunedOnLookup() {
        Session unbounded = login("alice", null);
        Session bounded = login("alice", Duration.ofHours(1));
        Session stays = login("alice", Duration.ofHours(1));
        for (Session s : List.of(unbounded, bounded)) {
            admin.pexpire(redis.sessionKey(s.id()), 1); // as its idle timeout would, in Redis's own time
        }
        Await.until("Redis expired both", RedisServer.STARTUP,
                () -> !admin.exists(redis.sessionKey(unbounded.id())) && !admin.exists(redis.sessionKey(bounded.id())));
        assertEquals(3, admin.zcard(redis.principalKey("alice")), "expiry itself does not touch the index");
        assertEquals(List.of(stays.id()), ids(redis.index().findByPrincipal("alice")));
        assertEquals(List.of(stays.id()), admin.zrange(redis.principalKey("alice"), 0, -1));
        assertEquals(SessionAccess.record(stays).deadline(), admin.pexpireTime(redis.principalKey("alice")),
                "without its unbounded member the index expires again with its longest-lived one");
    }

    @Test
    @DisplayName("entries past their deadline are pruned by the next login of that principal")
    void pastDeadlinesArePrunedOnWrite() {
        Session old = login("alice", Duration.ofHours(1));
        clock.advance(Duration.ofHours(2));
        Session fresh = login("alice", Duration.ofHours(1));
        assertEquals(List.of(fresh.id()), admin.zrange(redis.principalKey("alice"), 0, -1));
        assertFalse(old.id().equals(fresh.id()));
    }

    @Test
    @DisplayName("log out everywhere never removes a session an out-of-date entry points at")
    void staleEntryNeverLogsOutTheWrongUser() {
        Session alice = login("alice", Duration.ofHours(1));
        Session bob = login("bob", Duration.ofHours(1));
        // As if a crash had kept bob's session in alice's index after it logged in as bob.
        admin.zadd(redis.principalKey("alice"), Double.POSITIVE_INFINITY, bob.id());
        assertEquals(List.of(alice.id()), ids(redis.index().findByPrincipal("alice")));
        assertEquals(1, redis.index().removeByPrincipal("alice"));
        assertFalse(manager.exists(alice.id()));
        assertTrue(manager.exists(bob.id()), "bob is still logged in");
        // A live session's entry is never pruned by a lookup (a login writes the entry just before the
        // session's principal): it stays, never trusted, until that session ends.
        assertEquals(List.of(bob.id()), admin.zrange(redis.principalKey("alice"), 0, -1));
    }

    @Test
    @DisplayName("the store's conditional delete removes a session only while its principal is still the one asked for")
    void conditionalDelete() {
        Session s = login("alice", Duration.ofHours(1));
        // Listed as alice's by a "log out everywhere", then logged in as bob before the delete.
        Session again = manager.get(s.id()).orElseThrow();
        again.setPrincipal("bob");
        assertTrue(manager.put(again));
        assertFalse(redis.store.deleteIfPrincipal(s.id(), "alice"));
        assertTrue(manager.exists(s.id()), "bob's session survives alice's logout");
        assertTrue(redis.store.deleteIfPrincipal(s.id(), "bob"));
        assertFalse(manager.exists(s.id()));
        assertFalse(admin.exists(redis.principalKey("bob")), "the deleted session left bob's index");
        assertFalse(redis.store.deleteIfPrincipal(s.id(), "bob"), "nothing left to delete");
        Session anonymous = manager.newSession();
        anonymous.put("k", 1);
        assertTrue(manager.put(anonymous));
        assertFalse(redis.store.deleteIfPrincipal(anonymous.id(), "alice"), "no principal is not alice");
        assertTrue(manager.exists(anonymous.id()));
    }

    @Test
    @DisplayName("login with id rotation through HttpSessions leaves the new id findable and the old one gone")
    void loginWithRotation() {
        HttpSessions http = HttpSessions.builder().manager(manager).clock(clock)
                .signingKeys(SigningKeys.of(new byte[32])).build();
        Session s = http.open(null);
        s.put("cart", 1);
        assertTrue(http.commit(s).isPresent());
        String before = s.id();
        s.setPrincipal("alice");
        assertTrue(http.rotateId(s));
        http.commit(s);
        assertFalse(manager.exists(before));
        assertEquals(List.of(s.id()), ids(redis.index().findByPrincipal("alice")));
        assertEquals(1, manager.get(s.id()).orElseThrow().get("cart"));
        assertEquals(Set.of(s.id()), Set.copyOf(admin.zrange(redis.principalKey("alice"), 0, -1)),
                "the old id left the index when it was removed");
    }

    private Session login(String principal, Duration absoluteTimeout) {
        Session s = manager.newSession();
        s.setAbsoluteTimeout(absoluteTimeout);
        s.setPrincipal(principal);
        assertTrue(manager.put(s));
        return s;
    }

    private static List<String> ids(List<Session> sessions) {
        return sessions.stream().map(Session::id).sorted().collect(Collectors.toList());
    }
}
