package dev.satchel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.spi.SessionIds;
import dev.satchel.spi.StoreSessionManager;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HttpSessionsTest {

    private final TestClock clock = new TestClock();
    private final InMemorySessionStore backing = new InMemorySessionStore();
    private final SessionManager store =
            StoreSessionManager.over(backing).clock(clock).sweepInterval(Duration.ZERO).build();
    private final CountingManager manager = new CountingManager(store);
    private final SigningKeys keys = SigningKeys.of(SigningKeysTest.KEY_A);
    private final HttpSessions sessions = configured(keys).build();

    private HttpSessions.Builder configured(SigningKeys signingKeys) {
        // The short name keeps the hostile-header tables readable; the default is tested on its own below.
        return HttpSessions.builder().manager(manager).signingKeys(signingKeys).clock(clock).cookie(CookieSpec.named("SID"))
                .idleTimeout(Duration.ofMinutes(30)).absoluteTimeout(Duration.ofHours(12));
    }

    @AfterEach
    void close() {
        manager.close();
    }

    /** Runs one request that stores {@code value} under "v" in a new session and returns the cookie pair. */
    private String newLoggedSession(String value) {
        Session s = sessions.open(null);
        s.put("v", value);
        return cookiePair(sessions.commit(s));
    }

    private static String cookiePair(Optional<String> setCookie) {
        String header = setCookie.orElseThrow(() -> new AssertionError("no Set-Cookie"));
        return header.substring(0, header.indexOf(';'));
    }

    private static String sidOf(String cookiePair) {
        return cookiePair.substring(cookiePair.indexOf('=') + 1, cookiePair.indexOf('!'));
    }

    @Test
    void anEmptyNewSessionIsNeitherStoredNorCookied() {
        Session s = sessions.open(null);
        assertTrue(s.isNew());
        assertEquals(Optional.empty(), sessions.commit(s));
        assertEquals(0, manager.puts.get());
        assertEquals(0, backing.size());
    }

    @Test
    void aNewSessionWithDataIsStoredAndCookied() {
        Session s = sessions.open(null);
        s.put("user", "alice");
        String header = sessions.commit(s).orElseThrow();
        assertTrue(header.matches("SID=[A-Za-z0-9_-]{22}![A-Za-z0-9_-]{43}; Path=/; Secure; HttpOnly; SameSite=Lax"), header);
        assertEquals(s.id(), sidOf(header));
        assertTrue(store.exists(s.id()));
        assertEquals(Duration.ofMinutes(30), s.idleTimeout());
        assertEquals(s.createdAt().plus(Duration.ofHours(12)), s.deadline().orElseThrow());
    }

    @Test
    void theCookieOpensTheSameSession() {
        String cookie = newLoggedSession("hello");
        Session s = sessions.open(cookie);
        assertFalse(s.isNew());
        assertEquals("hello", s.get("v"));
        assertEquals(sidOf(cookie), s.id());
    }

    @Test
    void aReadOnlyRequestWritesNothingUntilTheTouchThreshold() {
        String cookie = newLoggedSession("x");
        int writes = manager.puts.get();
        for (int i = 0; i < 100; i++) { // 100 requests in under 3 minutes (10 % of 30)
            clock.advance(Duration.ofSeconds(1));
            assertEquals(Optional.empty(), sessions.commit(sessions.open(cookie)));
        }
        assertEquals(writes, manager.puts.get());
        clock.advance(Duration.ofSeconds(80));
        assertEquals(Optional.empty(), sessions.commit(sessions.open(cookie)), "a touch sends no cookie");
        assertEquals(writes + 1, manager.puts.get());
        assertEquals(clock.instant(), store.get(sidOf(cookie)).orElseThrow().lastAccessedAt());
        assertEquals(Optional.empty(), sessions.commit(sessions.open(cookie)));
        assertEquals(writes + 1, manager.puts.get(), "the next touch is due 3 minutes later");
    }

    @Test
    void aChangeIsSavedAndNeedsNoNewCookie() {
        String cookie = newLoggedSession("x");
        Session s = sessions.open(cookie);
        s.put("v", "y");
        assertEquals(Optional.empty(), sessions.commit(s));
        assertEquals("y", sessions.open(cookie).get("v"));
    }

    @Test
    void forgedTamperedAndUnknownCookiesGetAFreshSession() {
        String cookie = newLoggedSession("secret");
        String sid = sidOf(cookie);
        String digest = cookie.substring(cookie.indexOf('!') + 1);
        String otherSid = SessionIds.newId();
        String[] bad = {
            "SID=" + sid + "!" + digest.substring(0, 42) + (digest.charAt(42) == 'A' ? 'B' : 'A'), // one char of digest
            "SID=" + otherSid + "!" + digest,                                                    // digest of another
            "SID=" + sid,                                                                        // no digest
            "SID=" + sid + "!",
            "SID=" + sid + "!" + digest + "x",
            "SID=" + sid.toLowerCase() + "!" + digest,
            "SID=../../etc/passwd!" + digest,
            "SID=" + sid + "%21" + digest,
        };
        for (String header : bad) {
            Session s = sessions.open(header);
            assertTrue(s.isNew(), header);
            assertNotEquals(sid, s.id());
            assertNotEquals(otherSid, s.id(), "a client-chosen id is never adopted");
            assertEquals(null, s.get("v"));
        }
    }

    @Test
    void unknownIdsCauseNoStoreWrites() {
        int before = manager.puts.get();
        for (int i = 0; i < 10_000; i++) {
            String forged = "SID=" + SessionIds.newId() + "!" + "A".repeat(43);
            Session s = sessions.open(forged);
            assertTrue(s.isNew());
            assertEquals(Optional.empty(), sessions.commit(s));
        }
        assertEquals(before, manager.puts.get());
        assertEquals(0, backing.size());
    }

    @Test
    void theCookieIsFoundAmongOthersAndInEveryLenientForm() {
        String cookie = newLoggedSession("found");
        String value = cookie.substring(4);
        String[] headers = {
            "a=1; " + cookie + "; b=2",
            "a=1;" + cookie,
            "  SID = " + value + " ;",
            "SID=\"" + value + "\"",
            "garbage; ;;=; SIDX=" + value + "; " + cookie,
            "XSID=" + value + "; " + cookie,
            "sid=" + value + "; " + cookie,
            "\u0000\u00ff\ud83d\ude00; " + cookie,
            "SID\t=\t" + value,
            "SID x=" + value + "; SID; SID=; " + cookie,
        };
        for (String header : headers) {
            Session s = sessions.open(header);
            assertFalse(s.isNew(), header);
            assertEquals("found", s.get("v"));
        }
    }

    @Test
    void garbageHeadersNeverThrow() {
        String[] headers = {"", ";", "=", "SID", "SID=", "SID=\"", "SID=\"\"", "==;==", "SID=" + "x".repeat(100_000),
            "SID=" + "A".repeat(22) + "!" + "\u0000".repeat(43), "; ".repeat(10_000), "SID=\r\nSet-Cookie: a=b"};
        for (String header : headers) {
            assertTrue(sessions.open(header).isNew());
        }
        assertEquals(0, manager.gets.get(), "only well-formed candidates reach the store");
    }

    @Test
    void aTossedCookieBeforeOursIsSkipped() {
        String ours = newLoggedSession("mine");
        String attacker = newLoggedSession("attacker's");
        String forged = "SID=" + sidOf(ours) + "!" + "A".repeat(43);
        Session s = sessions.open(forged + "; " + ours + "; " + attacker);
        assertEquals("mine", s.get("v"));
        assertEquals(sidOf(attacker), sessions.open(forged + "; " + attacker + "; " + ours).id(),
                "the first candidate that verifies wins");
    }

    @Test
    void malformedValuesDoNotUseUpTheCandidates() {
        String ours = newLoggedSession("mine");
        String header = ("SID=" + SessionIds.newId() + "; SID=x; ").repeat(50) + ours;
        int before = manager.gets.get();
        assertEquals("mine", sessions.open(header).get("v"));
        assertEquals(1, manager.gets.get() - before, "only the well-formed one reached the store");
    }

    @Test
    void atMostFourCandidatesReachTheStore() {
        String ours = newLoggedSession("mine");
        StringBuilder header = new StringBuilder();
        for (int i = 0; i < 50; i++) {
            header.append("SID=").append(SessionIds.newId()).append('!').append("A".repeat(43)).append("; ");
        }
        int before = manager.gets.get();
        assertTrue(sessions.open(header + ours).isNew());
        assertEquals(HttpSessions.MAX_CANDIDATES, manager.gets.get() - before);
    }

    @Test
    void aCookieSignedWithAnOlderKeyIsAcceptedAndReissued() {
        HttpSessions before = configured(SigningKeys.of(SigningKeysTest.KEY_B)).build();
        Session s = before.open(null);
        s.put("v", 1);
        String oldCookie = cookiePair(before.commit(s));

        HttpSessions rotated = configured(SigningKeys.of(SigningKeysTest.KEY_A, SigningKeysTest.KEY_B)).build();
        Session again = rotated.open(oldCookie);
        assertFalse(again.isNew());
        String newCookie = cookiePair(rotated.commit(again));
        assertEquals(sidOf(oldCookie), sidOf(newCookie));
        assertNotEquals(oldCookie, newCookie);
        assertEquals(Optional.empty(), rotated.commit(rotated.open(newCookie)), "re-issued once");

        HttpSessions oldKeyDropped = configured(SigningKeys.of(SigningKeysTest.KEY_A)).build();
        assertTrue(oldKeyDropped.open(oldCookie).isNew());
        assertFalse(oldKeyDropped.open(newCookie).isNew());
    }

    @Test
    void rotateIdKeepsTheDataAndKillsTheOldId() {
        String cookie = newLoggedSession("cart");
        Session s = sessions.open(cookie);
        s.setPrincipal("alice");
        assertTrue(sessions.rotateId(s));
        String newCookie = cookiePair(sessions.commit(s));
        assertNotEquals(sidOf(cookie), sidOf(newCookie));
        assertFalse(store.exists(sidOf(cookie)));
        assertTrue(sessions.open(cookie).isNew(), "the old cookie is refused");
        Session after = sessions.open(newCookie);
        assertEquals("cart", after.get("v"));
        assertEquals("alice", after.principal().orElseThrow());
        assertEquals(s.createdAt(), after.createdAt(), "rotation does not extend the absolute lifetime");
        assertEquals(1, backing.size());
    }

    @Test
    void rotateIdOfANewSessionOnlyChangesTheId() {
        Session s = sessions.open(null);
        String first = s.id();
        s.put("v", 1);
        assertTrue(sessions.rotateId(s));
        assertNotEquals(first, s.id());
        assertEquals(0, manager.puts.get());
        assertEquals(s.id(), sidOf(cookiePair(sessions.commit(s))));
    }

    @Test
    void rotateIdOfARemovedSessionReportsIt() {
        String cookie = newLoggedSession("x");
        Session s = sessions.open(cookie);
        store.remove(s.id());
        s.put("v", "changed");
        assertFalse(sessions.rotateId(s));
        assertEquals(0, backing.size());
    }

    @Test
    void invalidateRemovesAndExpiresTheCookie() {
        String cookie = newLoggedSession("x");
        Session s = sessions.open(cookie);
        sessions.invalidate(s);
        String header = sessions.commit(s).orElseThrow();
        assertTrue(header.startsWith("SID=; Path=/; Max-Age=0"), header);
        assertFalse(store.exists(sidOf(cookie)));
        assertTrue(sessions.open(cookie).isNew());
        assertThrows(IllegalStateException.class, () -> sessions.rotateId(s));
    }

    @Test
    void aSessionRemovedDuringTheRequestIsNotResurrected() {
        String cookie = newLoggedSession("x");
        Session s = sessions.open(cookie);
        store.remove(s.id()); // logout in another tab
        s.put("v", "late write");
        String header = sessions.commit(s).orElseThrow();
        assertTrue(header.contains("Max-Age=0"), header);
        assertFalse(store.exists(s.id()));
    }

    @Test
    void expiredSessionsAreNotOpened() {
        String cookie = newLoggedSession("x");
        clock.advance(Duration.ofMinutes(31));
        assertTrue(sessions.open(cookie).isNew());
    }

    @Test
    void aMaxAgeCookieSlidesWithEverySave() {
        HttpSessions persistent = HttpSessions.builder().manager(manager).signingKeys(keys).clock(clock).cookie(CookieSpec.named("SID").maxAge(Duration.ofDays(7))).build();
        Session s = persistent.open(null);
        s.put("v", 1);
        String cookie = cookiePair(persistent.commit(s));
        assertEquals(Optional.empty(), persistent.commit(persistent.open(cookie)));
        clock.advance(Duration.ofMinutes(4));
        assertTrue(persistent.commit(persistent.open(cookie)).orElseThrow().contains("Max-Age=604800"));
    }

    @Test
    void theBuilderRefusesIncompleteOrContradictoryConfiguration() {
        assertThrows(IllegalStateException.class, () -> HttpSessions.builder().manager(manager).build());
        assertThrows(IllegalStateException.class, () -> HttpSessions.builder().signingKeys(keys).build());
        assertThrows(IllegalStateException.class,
                () -> configured(keys).cookie(CookieSpec.named("__Host-SID").domain("a.com")).build());
        assertThrows(IllegalArgumentException.class, () -> HttpSessions.builder().touchThreshold(1.0));
        assertThrows(IllegalArgumentException.class, () -> HttpSessions.builder().idleTimeout(Duration.ZERO));
        assertSame(manager, sessions.manager());
    }
}
