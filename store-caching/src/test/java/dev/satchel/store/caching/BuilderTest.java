package dev.satchel.store.caching;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.ExpiryEvents;
import dev.satchel.InMemorySessionManager;
import dev.satchel.PrincipalIndex;
import dev.satchel.Session;
import dev.satchel.SessionManager;
import dev.satchel.spi.SessionIds;
import dev.satchel.spi.StoreSessionManager;
import dev.satchel.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** The builder checks every argument at the call, refuses a second setting, and says so exactly. */
class BuilderTest {

    private final MutableClock clock = MutableClock.at(Instant.parse("2030-01-01T00:00:00Z"));
    private final ScriptedParent parent = new ScriptedParent(clock);

    @AfterEach
    void closeParent() {
        parent.close();
    }

    private CachingSessionManager.Builder builder() {
        return CachingSessionManager.over(parent);
    }

    private static void assertMessage(Class<? extends Throwable> type, String message, Executable call) {
        assertEquals(message, assertThrows(type, call).getMessage());
    }

    @Test
    @DisplayName("bad values are refused at the call with an exact message")
    void badValuesAreRefused() {
        assertMessage(NullPointerException.class, "parent", () -> CachingSessionManager.over(null));
        assertMessage(IllegalArgumentException.class, "maximum size must be positive, was 0",
                () -> builder().maximumSize(0));
        assertMessage(IllegalArgumentException.class, "maximum weight must be positive, was -1",
                () -> builder().maximumWeight(-1));
        assertMessage(IllegalArgumentException.class, "negative cache ttl must not be negative, was PT-1S",
                () -> builder().negativeCacheTtl(Duration.ofSeconds(-1)));
        assertMessage(IllegalArgumentException.class, "negative cache ttl must not be negative, was null",
                () -> builder().negativeCacheTtl(null));
        assertMessage(IllegalArgumentException.class, "negative cache size must be positive, was 0",
                () -> builder().negativeCacheSize(0));
        assertMessage(IllegalArgumentException.class, "max staleness must be positive, was PT0S",
                () -> builder().maxStaleness(Duration.ZERO));
        assertMessage(IllegalArgumentException.class, "max staleness must be positive, was null",
                () -> builder().maxStaleness(null));
        assertMessage(IllegalArgumentException.class, "clock must not be null", () -> builder().clock(null));
        assertMessage(IllegalArgumentException.class, "metrics must not be null", () -> builder().metrics(null));
        assertMessage(IllegalArgumentException.class, "invalidation feed must not be null",
                () -> builder().invalidationsFrom(null));
    }

    @Test
    @DisplayName("each setting may be set once; size and weight exclude each other")
    void doubleSettingIsRefused() {
        assertMessage(IllegalStateException.class, "maximum size was already set to 10",
                () -> builder().maximumSize(10).maximumSize(20));
        assertMessage(IllegalStateException.class, "maximum size was already set to 10",
                () -> builder().maximumSize(10).maximumWeight(20));
        assertMessage(IllegalStateException.class, "maximum weight was already set to 10",
                () -> builder().maximumWeight(10).maximumSize(20));
        assertMessage(IllegalStateException.class, "negative cache ttl was already set to PT2S",
                () -> builder().negativeCacheTtl(Duration.ofSeconds(2)).negativeCacheTtl(Duration.ofSeconds(3)));
        assertMessage(IllegalStateException.class, "negative cache size was already set to 5",
                () -> builder().negativeCacheSize(5).negativeCacheSize(6));
        assertMessage(IllegalStateException.class, "max staleness was already set to PT1M",
                () -> builder().maxStaleness(Duration.ofMinutes(1)).maxStaleness(Duration.ofMinutes(2)));
        assertMessage(IllegalStateException.class, "clock was already set to " + clock,
                () -> builder().clock(clock).clock(clock));
        assertThrows(IllegalStateException.class, () -> builder().recordStats().recordStats());
        assertThrows(IllegalStateException.class, () -> builder().recordStats().metrics(CacheMetrics.disabled()));
        assertMessage(IllegalStateException.class, "invalidations were already configured",
                () -> builder().withoutInvalidations().invalidationsFrom(listener -> () -> {}));
        assertMessage(IllegalStateException.class, "invalidations were already configured",
                () -> builder().invalidationsFrom(listener -> () -> {}).withoutInvalidations());
    }

    @Test
    @DisplayName("the result offers a principal index exactly when the parent has one")
    void principalIndexOnlyWhenTheParentHasOne() {
        try (CachingSessionManager plain = builder().build()) {
            assertFalse(plain instanceof PrincipalIndex);
        }
        try (CachingSessionManager indexed = CachingSessionManager.over(InMemorySessionManager.create()).build()) {
            assertTrue(indexed instanceof PrincipalIndex);
        }
    }

    @Test
    @DisplayName("expiry events are offered exactly when the parent has them; each drops the cached record first")
    void expiryEventsOnlyWhenTheParentHasThem() {
        try (CachingSessionManager plain = builder().build()) {
            assertFalse(plain instanceof ExpiryEvents);
        }
        MutableClock time = MutableClock.startingNow();
        SessionManager memory = InMemorySessionManager.builder().clock(time).withoutBackgroundSweeper().build();
        try (CachingSessionManager cache = CachingSessionManager.over(memory).clock(time).executor(Runnable::run)
                .maxStaleness(Duration.ofHours(1)).build()) {
            assertTrue(cache instanceof ExpiryEvents);
            List<String> expired = new ArrayList<>();
            ((ExpiryEvents) cache).onExpired(s -> {
                assertNull(cache.cachedRecord(s.id()), "dropped from the cache before the listener runs");
                expired.add(s.id());
            });
            Session s = cache.newSession();
            s.setIdleTimeout(Duration.ofMinutes(1));
            s.put("a", 1);
            assertTrue(cache.put(s));
            time.advance(Duration.ofMinutes(2));
            assertEquals(1, StoreSessionManager.sweepNow(memory));
            assertEquals(List.of(s.id()), expired);
        }
    }

    @Test
    @DisplayName("after close every call but close fails")
    void closedMeansClosed() {
        CachingSessionManager cache = builder().build();
        cache.close();
        assertThrows(IllegalStateException.class, () -> cache.get(SessionIds.newId()));
        assertThrows(IllegalStateException.class, cache::newSession);
        assertThrows(IllegalStateException.class, () -> cache.lookup("x".repeat(22), 0));
    }

    @Test
    @DisplayName("stats are all zero unless recording was asked for")
    void statsAreOffByDefault() {
        try (CachingSessionManager cache = builder().clock(clock).build()) {
            cache.get(parent.store.newSession().id());
            assertEquals(CacheStats.empty(), cache.stats());
        }
    }

    @Test
    @DisplayName("close closes the parent once, however often it is called")
    void closeClosesTheParentOnce() {
        CachingSessionManager cache = builder().build();
        cache.close();
        cache.close();
        assertEquals(1, parent.closes.get());
    }
}
