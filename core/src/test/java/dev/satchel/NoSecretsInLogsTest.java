package dev.satchel;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import dev.satchel.spi.SessionAccess;
import dev.satchel.spi.SessionIds;
import dev.satchel.spi.StoreSessionManager;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The whole lifecycle at TRACE: no sid, randval, digest or key may appear in what is logged. */
class NoSecretsInLogsTest {

    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final ListAppender<ILoggingEvent> captured = new ListAppender<>();
    private Level previous;

    @BeforeEach
    void captureEverything() {
        previous = root.getLevel();
        root.setLevel(Level.TRACE);
        captured.start();
        root.addAppender(captured);
    }

    @AfterEach
    void restore() {
        root.detachAppender(captured);
        root.setLevel(previous);
    }

    @Test
    void theLifecycleLogsNoSecret() {
        TestClock clock = new TestClock();
        byte[] key = SigningKeysTest.KEY_A;
        List<String> secrets = new ArrayList<>();
        secrets.add(Base64.getEncoder().encodeToString(key));
        secrets.add(Base64.getUrlEncoder().withoutPadding().encodeToString(key));
        secrets.add(new String(key, java.nio.charset.StandardCharsets.US_ASCII));
        try (SessionManager store = InMemorySessionManager.builder().clock(clock).withoutBackgroundSweeper().build()) {
            HttpSessions sessions = HttpSessions.builder().manager(store).signingKeys(SigningKeys.of(key))
                    .clock(clock).build();
            Session s = sessions.open(null);
            s.put("v", 1);
            String cookie = sessions.commit(s).orElseThrow();
            cookie = cookie.substring(0, cookie.indexOf(';'));
            remember(secrets, s, cookie);

            Session again = sessions.open(cookie);
            again.put("w", 2);
            sessions.commit(again);
            sessions.open(cookie.substring(0, cookie.length() - 1) + "x"); // tampered
            sessions.open("SID=" + SessionIds.newId() + "!" + "A".repeat(43)); // unknown
            sessions.open("SID=garbage; SID=" + cookie.substring(4) + "; SID=" + cookie.substring(4));
            clock.advance(Duration.ofMinutes(10));
            sessions.commit(sessions.open(cookie)); // touch

            Session login = sessions.open(cookie);
            login.setPrincipal("alice");
            sessions.rotateId(login);
            String rotated = sessions.commit(login).orElseThrow();
            rotated = rotated.substring(0, rotated.indexOf(';'));
            remember(secrets, login, rotated);
            sessions.open(cookie); // the old cookie, refused

            Session logout = sessions.open(rotated);
            sessions.invalidate(logout);
            sessions.commit(logout);
            Session gone = store.newSession();
            gone.put("x", 1);
            store.put(gone);
            remember(secrets, gone, "");
            store.remove(gone.id());
            store.put(gone); // no resurrection
            clock.advance(Duration.ofDays(1));
            StoreSessionManager.sweepNow(store);
        }
        assertFalse(captured.list.isEmpty(), "TRACE logging was captured at all");
        for (ILoggingEvent e : captured.list) {
            String text = e.getFormattedMessage()
                    + (e.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(e.getThrowableProxy()));
            for (String secret : secrets) {
                assertFalse(!secret.isEmpty() && text.contains(secret), "a secret was logged: " + text);
            }
        }
        assertTrue(secrets.size() >= 9);
    }

    private static void remember(List<String> secrets, Session s, String cookiePair) {
        secrets.add(s.id());
        secrets.add(SessionAccess.record(s).randval());
        if (!cookiePair.isEmpty()) {
            secrets.add(cookiePair.substring(cookiePair.indexOf('!') + 1));
        }
    }
}
