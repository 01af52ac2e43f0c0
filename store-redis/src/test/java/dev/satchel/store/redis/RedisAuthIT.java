package dev.satchel.store.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.PrincipalIndex;
import dev.satchel.Session;
import dev.satchel.SessionManager;
import dev.satchel.SessionStoreException;
import dev.satchel.SessionStoreUnavailableException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;
import redis.clients.jedis.exceptions.JedisAccessControlException;

/**
 * Authentication against a server with {@code requirepass} and ACL users: the right credentials work from
 * the URI or from {@code credentials()}, wrong or missing ones fail at startup with a message that says
 * what to check and never shows the password.
 */
class RedisAuthIT {

    private static final String PASSWORD = "s3cret-Pa55";
    private static final String APP_PASSWORD = "app-Pa55";
    private static RedisServer redis;

    @BeforeAll
    static void startRedis() {
        redis = RedisServer.startWithPassword(PASSWORD, "--requirepass", PASSWORD);
        try (Jedis admin = redis.admin()) {
            // An application user with the least the README lists: its namespace's keys and channel, and the
            // commands the manager and its scripts issue.
            admin.aclSetUser("app", "on", ">" + APP_PASSWORD, "resetkeys", "~app:*", "resetchannels", "&app:*",
                    "-@all", "+evalsha", "+eval", "+hgetall", "+exists", "+zrem", "+subscribe", "+ping", "+wait",
                    "+client|setname", "+type", "+hget", "+hmget", "+hset", "+hdel", "+del", "+pexpireat", "+pexpire",
                    "+persist", "+rename", "+publish", "+zadd", "+zrange", "+zremrangebyscore");
        }
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    @DisplayName("requirepass: the password in the URI works")
    void passwordInUri() {
        try (SessionManager m = RedisSessionManager.builder()
                .uri("redis://:" + PASSWORD + "@" + redis.address()).build()) {
            roundTrip(m);
        }
    }

    @Test
    @DisplayName("requirepass: the password from credentials() works, with a URI that holds none")
    void passwordFromCredentials() {
        try (SessionManager m = RedisSessionManager.builder()
                .uri(redis.uri()).credentials(null, PASSWORD).build()) {
            roundTrip(m);
        }
    }

    @Test
    @DisplayName("ACL user: works within the key and channel patterns it was granted")
    void aclUser() {
        try (SessionManager m = RedisSessionManager.builder()
                .uri("redis://app:" + APP_PASSWORD + "@" + redis.address()).namespace("app").build()) {
            Session s = roundTrip(m);
            s.setPrincipal("alice");
            assertTrue(m.put(s));
            assertEquals(1, ((PrincipalIndex) m).findByPrincipal("alice").size());
            assertEquals(1, ((PrincipalIndex) m).removeByPrincipal("alice"));
        }
    }

    @Test
    @DisplayName("a wrong password fails at startup, saying so, without showing it")
    void wrongPassword() {
        SessionStoreException e = assertThrows(SessionStoreException.class, () -> RedisSessionManager.builder()
                .uri("redis://:wrong-password@" + redis.address()).build());
        assertInstanceOf(SessionStoreUnavailableException.class, e);
        assertTrue(e.getMessage().contains("WRONGPASS"), e.getMessage());
        assertTrue(e.getMessage().contains("check the user, password and ACL permissions"), e.getMessage());
        assertNoSecret(e, "wrong-password");
        assertInstanceOf(JedisAccessControlException.class, rootCause(e));
    }

    @Test
    @DisplayName("a wrong ACL password fails at startup the same way")
    void wrongAclPassword() {
        SessionStoreException e = assertThrows(SessionStoreUnavailableException.class, () -> RedisSessionManager
                .builder().uri("redis://app:nope-nope@" + redis.address()).namespace("app").build());
        assertTrue(e.getMessage().contains("WRONGPASS"), e.getMessage());
        assertNoSecret(e, "nope-nope");
    }

    @Test
    @DisplayName("no password where one is required fails at startup with NOAUTH")
    void missingPassword() {
        SessionStoreException e = assertThrows(SessionStoreUnavailableException.class,
                () -> RedisSessionManager.builder().uri(redis.uri()).build());
        assertTrue(e.getMessage().contains("NOAUTH"), e.getMessage());
    }

    @Test
    @DisplayName("an ACL user outside its key pattern fails at startup with NOPERM")
    void namespaceOutsideAcl() {
        SessionStoreException e = assertThrows(SessionStoreUnavailableException.class, () -> RedisSessionManager
                .builder().uri("redis://app:" + APP_PASSWORD + "@" + redis.address()).build());
        assertTrue(e.getMessage().contains("NOPERM"), e.getMessage());
    }

    private static Session roundTrip(SessionManager m) {
        Session s = m.newSession();
        s.put("a", 1);
        assertTrue(m.put(s));
        Session loaded = m.get(s.id()).orElseThrow();
        assertEquals(1, loaded.get("a"));
        return loaded;
    }

    private static void assertNoSecret(Throwable e, String secret) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            assertFalse(String.valueOf(t.getMessage()).contains(secret), "message shows the password: " + t);
        }
    }

    private static Throwable rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t;
    }
}
