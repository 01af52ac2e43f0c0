package dev.satchel.store.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.SessionManagers;
import dev.satchel.SessionStoreUnavailableException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** {@code SessionManagers.open("redis://…")}: what the URI's query may hold, refused before anything connects. */
class RedisProviderTest {

    /** A loopback port nobody listens on. */
    private static final String NOWHERE = "redis://app:hunter2@127.0.0.1:" + RedisServer.freePort(false);

    @Test
    @DisplayName("the module registers redis and rediss")
    void schemes() {
        assertTrue(SessionManagers.schemes().containsAll(java.util.Set.of("redis", "rediss")), SessionManagers.schemes().toString());
    }

    @Test
    @DisplayName("an unknown, repeated or malformed setting is refused, naming it and never the user info")
    void settings() {
        refused("a redis:// URI takes the settings [connectTimeout, durability, invalidation, maxConnections, "
                + "namespace, poolWaitTimeout, socketTimeout]; it has another one", NOWHERE + "?password=x");
        refused("the setting namespace appears twice in the redis:// URI", NOWHERE + "?namespace=a&namespace=b");
        refused("the setting durability must be async or replicated, was sync", NOWHERE + "?durability=sync");
        refused("the setting invalidation must be publish or none, was off", NOWHERE + "?invalidation=off");
        refused("the setting socketTimeout must be milliseconds, was 1s", NOWHERE + "?socketTimeout=1s");
        refused("the setting maxConnections must be a number, was -1", NOWHERE + "?maxConnections=-1");
        refused("max connections must be positive, was 0", NOWHERE + "?maxConnections=0");
        refused("namespace must be printable ASCII without spaces or braces, was a b", NOWHERE + "?namespace=a%20b");
    }

    @Test
    @DisplayName("valid settings reach the builder: nothing listening, so the build fails at startup, saying so")
    void validSettingsConnect() {
        SessionStoreUnavailableException e = assertThrows(SessionStoreUnavailableException.class, () -> SessionManagers
                .open(NOWHERE + "?namespace=shop&durability=async&invalidation=none&connectTimeout=300&socketTimeout=300"));
        assertEquals("Redis is unreachable while connecting at startup", e.getMessage());
    }

    @Test
    @DisplayName("the builder's uri() takes no query: its settings are methods")
    void builderRefusesAQuery() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RedisSessionManager.builder().uri(NOWHERE + "?namespace=shop"));
        assertEquals("Redis URI takes no query or fragment: settings are builder methods", e.getMessage());
    }

    private static void refused(String message, String uri) {
        Executable open = () -> SessionManagers.open(uri).close();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, open);
        assertEquals(message, e.getMessage());
        assertFalse(e.getMessage().contains("hunter2"));
    }
}
