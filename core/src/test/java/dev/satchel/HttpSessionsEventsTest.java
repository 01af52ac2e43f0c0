package dev.satchel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.spi.StoreSessionManager;

import java.time.Duration;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The core additions integrations build on: find without creating, several Cookie headers, the event SPI. */
class HttpSessionsEventsTest {

    private final TestClock clock = new TestClock();
    private final SessionManager store =
            InMemorySessionManager.builder().clock(clock).withoutBackgroundSweeper().build();
    private final CountingManager manager = new CountingManager(store);
    private final Recorder recorder = new Recorder();
    private final HttpSessions sessions = HttpSessions.builder().manager(manager)
            .signingKeys(SigningKeys.of(SigningKeysTest.KEY_A)).clock(clock).cookie(CookieSpec.named("SID"))
            .addListener(recorder).build();

    @AfterEach
    void close() {
        manager.close();
    }

    private String storedCookie() {
        Session s = sessions.open(null);
        s.put("v", 1);
        String header = sessions.commit(s).orElseThrow();
        return header.substring(0, header.indexOf(';'));
    }

    @Test
    void findNeverCreates() {
        assertEquals(Optional.empty(), sessions.find(null));
        assertEquals(Optional.empty(), sessions.find("SID=garbage; other=1"));
        assertEquals(Optional.empty(), sessions.findFromHeaders(List.of()));
        String cookie = storedCookie();
        Session found = sessions.find("a=b; " + cookie).orElseThrow();
        assertFalse(found.isNew());
        assertEquals(1, found.get("v"));
        assertEquals(1, manager.puts.get(), "only the first request stored anything");
    }

    @Test
    void severalCookieHeadersAreReadInOrder() {
        String cookie = storedCookie();
        Session s = sessions.openFromHeaders(Arrays.asList("theme=dark", null, "lang=en; " + cookie));
        assertFalse(s.isNew());
        assertEquals(1, s.get("v"));
        assertTrue(sessions.findFromHeaders(List.of("x=1", cookie)).isPresent());
        assertTrue(sessions.openFromHeaders(Collections.<String>emptyList()).isNew());
    }

    @Test
    void oversizedCookieHeadersCountAsNoCookieAndCostNoLookup() {
        String cookie = storedCookie();
        int gets = manager.gets.get();
        String filler = "f=" + "x".repeat(HttpSessions.MAX_COOKIE_HEADER_CHARS);
        assertTrue(sessions.openFromHeaders(List.of(cookie, filler)).isNew());
        assertEquals(Optional.empty(), sessions.findFromHeaders(List.of(filler, cookie)));
        assertEquals(gets, manager.gets.get());
        // Exactly at the limit is still read: two headers joined with "; ".
        String exact = "f=" + "x".repeat(HttpSessions.MAX_COOKIE_HEADER_CHARS - cookie.length() - 4);
        assertEquals(HttpSessions.MAX_COOKIE_HEADER_CHARS, exact.length() + 2 + cookie.length());
        assertFalse(sessions.openFromHeaders(List.of(exact, cookie)).isNew());
    }

    @Test
    void createdFiresOnceWhenANewSessionIsFirstStored() {
        Session empty = sessions.open(null);
        sessions.commit(empty);
        assertEquals(List.of(), recorder.events, "an empty session is never stored, never announced");

        Session s = sessions.open(null);
        s.put("a", 1);
        sessions.commit(s);
        s.put("a", 2);
        sessions.commit(s);
        assertEquals(List.of("created " + s.id()), recorder.events);
        assertSame(s, recorder.sessions.get(0));
    }

    @Test
    void idChangedFiresForAStoredSessionOnly() {
        Session fresh = sessions.open(null);
        sessions.rotateId(fresh);
        assertEquals(List.of(), recorder.events, "the client never knew the id of an unsaved session");

        Session s = sessions.open(storedCookie());
        String oldId = s.id();
        recorder.events.clear();
        assertTrue(sessions.rotateId(s));
        assertEquals(List.of("idChanged " + oldId + " -> " + s.id()), recorder.events);
    }

    @Test
    void destroyedFiresOnceOnInvalidateOfAStoredSession() {
        Session fresh = sessions.open(null);
        sessions.invalidate(fresh);
        assertEquals(List.of(), recorder.events);

        Session s = sessions.open(storedCookie());
        recorder.events.clear();
        sessions.invalidate(s);
        sessions.invalidate(s);
        assertEquals(List.of("destroyed INVALIDATED " + s.id()), recorder.events);
        assertEquals(1, recorder.sessions.get(0).get("v"), "attributes are still readable in destroyed");
    }

    @Test
    void aThrowingListenerNeverStopsAnInvalidation() {
        Recorder after = new Recorder();
        HttpSessions withThrower = HttpSessions.builder().manager(manager)
                .signingKeys(SigningKeys.of(SigningKeysTest.KEY_A)).clock(clock).cookie(CookieSpec.named("SID"))
                .addListener(new SessionListener() {
                    @Override
                    public void destroyed(Session session, Reason reason) {
                        throw new IllegalStateException("listener bug");
                    }
                })
                .addListener(after)
                .build();
        Session s = withThrower.open(storedCookie());
        withThrower.invalidate(s);
        assertFalse(store.exists(s.id()), "the session is gone although a listener threw");
        assertEquals(List.of("destroyed INVALIDATED " + s.id()), after.events);
        assertEquals("SID=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Lax; Expires=Thu, 01 Jan 1970 00:00:00 GMT",
                withThrower.commit(s).orElseThrow());
    }

    @Test
    void aSubscriptionHearsEventsUntilClosed() {
        Recorder late = new Recorder();
        Invalidations.Subscription sub = sessions.subscribe(late);
        storedCookie();
        sub.close();
        sub.close();
        storedCookie();
        assertEquals(1, late.events.size());
        assertEquals(2, recorder.events.size());
        assertThrows(NullPointerException.class, () -> sessions.subscribe(null));
        assertThrows(NullPointerException.class, () -> HttpSessions.builder().addListener(null));
    }

    @Test
    void expiredFiresFromTheSweeperWithTheLastStoredState() {
        Recorder heard = new Recorder();
        HttpSessions overSweeper = HttpSessions.builder().manager(store) // the manager with ExpiryEvents itself
                .signingKeys(SigningKeys.of(SigningKeysTest.KEY_A)).clock(clock).addListener(heard).build();
        Session s = overSweeper.open(null);
        s.put("cart", List.of("book"));
        overSweeper.commit(s);
        clock.advance(Duration.ofMinutes(31));
        assertEquals(1, StoreSessionManager.sweepNow(store));
        assertEquals(List.of("created " + s.id(), "destroyed EXPIRED " + s.id()), heard.events);
        assertEquals(List.of("book"), heard.sessions.get(1).get("cart"));
    }

    /** Writes down every event it hears. */
    static final class Recorder implements SessionListener {
        final List<String> events = new CopyOnWriteArrayList<>();
        final List<Session> sessions = new CopyOnWriteArrayList<>();

        @Override
        public void created(Session session) {
            events.add("created " + session.id());
            sessions.add(session);
        }

        @Override
        public void idChanged(Session session, String oldId) {
            events.add("idChanged " + oldId + " -> " + session.id());
            sessions.add(session);
        }

        @Override
        public void destroyed(Session session, Reason reason) {
            events.add("destroyed " + reason + " " + session.id());
            sessions.add(session);
        }
    }
}
