package dev.satchel.store.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** What a Redis URI holds once parsed, and that printing it never shows its user info. */
class RedisUriTest {

    @Test
    @DisplayName("defaults: port 6379, no database, no credentials, plain text")
    void defaults() {
        RedisUri u = RedisUri.parse("redis://redis.internal");
        assertFalse(u.tls());
        assertEquals("redis.internal", u.host());
        assertEquals(6379, u.port());
        assertEquals(RedisUri.NO_DATABASE, u.database());
        assertFalse(u.hasCredentials());
        assertNull(u.user());
        assertNull(u.password());
        assertEquals("redis://redis.internal:6379", u.toString());
    }

    @Test
    @DisplayName("user, percent-decoded password, port, database and TLS are read; toString drops the user info")
    void everything() {
        RedisUri u = RedisUri.parse("REDISS://app:p%40ss%3Aword@10.0.0.7:6380/3");
        assertTrue(u.tls());
        assertEquals("app", u.user());
        assertEquals("p@ss:word", u.password());
        assertEquals(6380, u.port());
        assertEquals(3, u.database());
        assertEquals("rediss://10.0.0.7:6380/3", u.toString());
    }

    @Test
    @DisplayName("a password without a user is the default user's (requirepass)")
    void passwordOnly() {
        RedisUri u = RedisUri.parse("redis://:hunter2@127.0.0.1/");
        assertTrue(u.hasCredentials());
        assertNull(u.user());
        assertEquals("hunter2", u.password());
        assertEquals(RedisUri.NO_DATABASE, u.database(), "a bare / names no database");
        assertFalse(u.toString().contains("hunter2"), u.toString());
    }
}
