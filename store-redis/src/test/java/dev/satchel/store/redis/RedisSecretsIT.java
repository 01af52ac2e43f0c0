package dev.satchel.store.redis;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import dev.satchel.Invalidations;
import dev.satchel.PrincipalIndex;
import dev.satchel.Session;
import dev.satchel.SessionManager;
import dev.satchel.SessionStoreException;
import dev.satchel.testkit.Await;
import dev.satchel.testkit.CapturedLogs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import redis.clients.jedis.Jedis;

/**
 * No exception message and no log line — Satchel's or Jedis's, at any level down to DEBUG — shows the user
 * info of the URI, on any path: a wrong password at startup, a working manager, a feed that loses its server,
 * operations failing while it is down, and the reconnection.
 */
class RedisSecretsIT {

    private static final String USER = "app-user";
    private static final String PASSWORD = "Secret-Pa55-7x";

    @Test
    @DisplayName("the user and password of a URI appear in no exception and no log line")
    void userInfoIsNeverShown() {
        List<String> seen = new ArrayList<>();
        try (CapturedLogs ours = CapturedLogs.of("dev.satchel"); CapturedLogs jedis = CapturedLogs.of("redis.clients");
                RedisServer redis = RedisServer.startWithPassword(PASSWORD, "--requirepass", PASSWORD)) {
            addUser(redis);
            String good = "redis://" + USER + ":" + PASSWORD + "@" + redis.address();
            String wrong = "redis://" + USER + ":" + PASSWORD + "-wrong@" + redis.address();

            seen.add(messages(assertThrows(SessionStoreException.class,
                    () -> RedisSessionManager.builder().uri(wrong).build())));
            try (SessionManager m = RedisSessionManager.builder().uri(good).invalidationHeartbeat(Duration.ofMillis(100))
                    .socketTimeout(Duration.ofMillis(300)).connectTimeout(Duration.ofMillis(300)).build()) {
                seen.add(m.toString());
                AtomicInteger resets = new AtomicInteger();
                Invalidations.Subscription sub = ((Invalidations) m).subscribe(new Invalidations.Listener() {
                    @Override
                    public void invalidate(String sid) {}

                    @Override
                    public void invalidateAll() {
                        resets.incrementAndGet();
                    }
                });
                Session s = m.newSession();
                s.setPrincipal("alice");
                s.put("a", 1);
                assertTrue(m.put(s));
                redis.kill();
                int before = resets.get();
                Await.until("the feed notices", RedisServer.STARTUP, () -> resets.get() > before + 1);
                seen.add(messages(assertThrows(SessionStoreException.class, () -> m.get(s.id()))));
                seen.add(messages(assertThrows(SessionStoreException.class, () -> m.put(m.newSession()))));
                seen.add(messages(assertThrows(SessionStoreException.class,
                        () -> ((PrincipalIndex) m).findByPrincipal("alice"))));
                redis.restart();
                addUser(redis); // ACL users live in memory only
                Await.until("the manager works again", RedisServer.STARTUP, () -> {
                    try {
                        Session fresh = m.newSession(); // the server kept nothing: it runs without persistence
                        fresh.put("b", 2);
                        return m.put(fresh);
                    } catch (SessionStoreException notYet) {
                        return false;
                    }
                });
                sub.close();
            }
            assertFalse(ours.events().isEmpty(), "the outage was logged: the check below sees something");
            for (CapturedLogs logs : List.of(ours, jedis)) {
                for (ILoggingEvent e : logs.events()) {
                    seen.add(e.getFormattedMessage());
                    for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
                        seen.add(t.getClassName() + ": " + t.getMessage());
                    }
                }
            }
        }
        for (String text : seen) {
            assertFalse(text.contains(PASSWORD), () -> "shows the password: " + text);
            assertFalse(text.contains(USER), () -> "shows the user: " + text);
        }
    }

    private static void addUser(RedisServer redis) {
        try (Jedis admin = redis.admin()) {
            admin.aclSetUser(USER, "on", ">" + PASSWORD, "~*", "&*", "+@all");
        }
    }

    /** The messages of {@code e}, its causes and suppressed exceptions, one per line. */
    private static String messages(Throwable e) {
        StringBuilder all = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            all.append(t).append('\n');
            for (Throwable s : t.getSuppressed()) {
                all.append(messages(s));
            }
        }
        return all.toString();
    }
}
