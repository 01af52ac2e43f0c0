package dev.satchel.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.PrincipalIndex;
import dev.satchel.Session;
import dev.satchel.SessionManager;
import dev.satchel.SigningKeys;
import dev.satchel.spi.SessionAccess;
import dev.satchel.spi.SessionIds;
import dev.satchel.spi.SessionRecord;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The talk's scenario, for real, on one store: the Java side and a PHP or Python app share one cookie and one
 * session. Each store's test starts its server and says how the Java side reaches it and how to plant and
 * read a raw entry (the backdoor); the scenarios are the same for every store and both languages.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SharedSessionScenarios {

    static final String COOKIE = "SID";
    private static final SecureRandom RANDOM = new SecureRandom();

    /** Both sides sign with the newest key and accept both. */
    final byte[] newestKey = randomKey();
    final byte[] olderKey = randomKey();

    JavaApp java;
    private final Map<Language, AppProcess> others = new EnumMap<>(Language.class);

    /** Starts the store's server, if it has one. */
    abstract void startStore();

    /** The Java side's manager over the store (no cache). */
    abstract SessionManager manager();

    /** How the other languages' test apps reach the store: {@code file:<dir>}, {@code redis://…}, {@code pgsql:…}. */
    abstract String storeSpec();

    /** Whether the other languages may log a session in or out on this store. */
    abstract boolean otherSideMayChangePrincipal();

    /** Stores, bypassing all code under test, an entry of format version 2 for {@code sid}, expiring in an hour. */
    abstract void plantNewerFormat(String sid, String randval);

    /** Stores, bypassing all code under test, an entry for {@code sid} that no version can read. */
    abstract void plantCorrupt(String sid);

    /** The raw stored entry of {@code sid}, for comparing before and after; null when there is none. */
    abstract String rawEntry(String sid);

    abstract void stopStore();

    @BeforeAll
    void startSides() {
        startStore();
        java = JavaApp.start(manager(), SigningKeys.of(newestKey, olderKey), COOKIE);
        String keys = base64(newestKey) + "," + base64(olderKey);
        for (Language language : Language.values()) {
            others.put(language, language.start(storeSpec(), keys, COOKIE));
        }
    }

    @AfterAll
    void stopSides() {
        others.values().forEach(AppProcess::close);
        if (java != null) {
            java.close();
        }
        stopStore();
    }

    // ------------------------------------------------------------------------------------------ the scenarios

    @ParameterizedTest
    @EnumSource(Language.class)
    void aCounterIncrementedAlternatelyEndsAtTheNumberOfRequests(Language language) {
        Side other = others.get(language);
        for (Side first : List.of(java, other)) {
            Browser b = new Browser(COOKIE);
            Side second = first == java ? other : java;
            for (int i = 1; i <= 20; i++) {
                Side side = i % 2 == 1 ? first : second;
                assertEquals(Integer.toString(i), b.get(side, "/count").body(), "request " + i + " on " + side);
            }
            assertEquals("20", b.get(java, "/get?name=count").body());
            assertEquals("20", b.get(other, "/get?name=count").body());
        }
    }

    @ParameterizedTest
    @EnumSource(Language.class)
    void theOtherSideKeepsTheExpiryFieldsAndWritesNothingForAReadOnlyRequest(Language language) {
        Side other = others.get(language);
        Browser b = new Browser(COOKIE);
        b.get(java, "/count");
        SessionRecord before = stored(b.sid());
        b.get(other, "/count");
        SessionRecord after = stored(b.sid());
        assertEquals(List.of(before.created(), before.idleTimeoutMillis(), before.deadline(), before.version() + 1),
                List.of(after.created(), after.idleTimeoutMillis(), after.deadline(), after.version()));
        assertTrue(after.lastAccess() >= before.lastAccess(), "the last access moves forward only");
        b.get(other, "/whoami");
        assertEquals(after.version(), stored(b.sid()).version(), "a read-only request before the touch is due writes nothing");

        Browser created = new Browser(COOKIE);
        created.get(other, "/count");
        SessionRecord fresh = stored(created.sid());
        assertEquals(List.of(1L, 30 * 60_000L, fresh.created() + 12 * 3_600_000L),
                List.of(fresh.version(), fresh.idleTimeoutMillis(), fresh.deadline()),
                "a session the other side creates has the Java side's timeouts");
        assertTrue(fresh.lastAccess() >= fresh.created());
    }

    @ParameterizedTest
    @EnumSource(Language.class)
    void fourClientsOnEachSideChangingDifferentAttributesLoseNothing(Language language) throws Exception {
        Side other = others.get(language);
        Browser b = new Browser(COOKIE);
        b.get(java, "/count");
        String cookie = COOKIE + "=" + b.cookie();
        int rounds = 15;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<?>> clients = new ArrayList<>();
            for (Side side : List.of(java, other)) {
                for (int k = 0; k < 4; k++) {
                    String name = side + "-" + k;
                    clients.add(pool.submit(() -> {
                        for (int i = 1; i <= rounds; i++) {
                            Browser.Response r = Browser.send(side, "/inc?name=" + name, cookie);
                            assertEquals(Integer.toString(i), r.body(), name + " request " + i);
                        }
                        return null;
                    }));
                }
            }
            for (Future<?> client : clients) {
                client.get(120, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        for (Side reader : List.of(java, other)) {
            for (Side writer : List.of(java, other)) {
                for (int k = 0; k < 4; k++) {
                    assertEquals(Integer.toString(rounds), Browser.send(reader, "/get?name=" + writer + "-" + k, cookie).body(),
                            writer + "-" + k + " read on " + reader);
                }
            }
            assertEquals("1", Browser.send(reader, "/get?name=count", cookie).body());
        }
    }

    @ParameterizedTest
    @EnumSource(Language.class)
    void aLoginOnJavaIsSeenByTheOtherSide(Language language) {
        Side other = others.get(language);
        Browser b = new Browser(COOKIE);
        b.get(java, "/count");
        String before = b.cookie();
        assertEquals("ok", b.get(java, "/login?user=alice").body());
        assertNotEquals(before, b.cookie(), "a login rotates the id");
        assertEquals("alice", b.get(other, "/whoami").body());
        assertEquals("2", b.get(other, "/count").body(), "the data came along");
        for (Side side : List.of(java, other)) {
            assertEquals("-", Browser.send(side, "/whoami", COOKIE + "=" + before).body(), "the id before login, on " + side);
        }
    }

    @ParameterizedTest
    @EnumSource(Language.class)
    void aLogoutOnTheOtherSideIsSeenByJavaAtOnce(Language language) {
        Side other = others.get(language);
        Browser b = new Browser(COOKIE);
        b.get(java, "/count");
        b.get(java, "/login?user=bob");
        String cookie = b.cookie();
        String sid = b.sid();
        assertEquals("bob", b.get(other, "/whoami").body());
        Browser.Response bye = b.get(other, "/logout");
        assertEquals("bye", bye.body());
        assertEquals("", bye.cookieValue(), "the logout expires the cookie");
        assertTrue(manager().get(sid).isEmpty(), "the session is gone from the store");
        assertEquals("-", Browser.send(java, "/whoami", COOKIE + "=" + cookie).body());
        assertEquals("1", Browser.send(java, "/count", COOKIE + "=" + cookie).body(), "the old cookie gets a new session");
    }

    @ParameterizedTest
    @EnumSource(Language.class)
    void aLoginOnTheOtherSideIsSeenByJavaWhereTheStoreAllowsIt(Language language) {
        Side other = others.get(language);
        Browser b = new Browser(COOKIE);
        b.get(other, "/count");
        String before = b.cookie();
        String user = "carol-" + language;
        Browser.Response login = b.get(other, "/login?user=" + user);
        if (otherSideMayChangePrincipal()) {
            assertEquals("ok", login.body());
            assertNotEquals(before, b.cookie(), "a login rotates the id");
            assertEquals(user, b.get(java, "/whoami").body());
            assertEquals("2", b.get(java, "/count").body(), "the data came along");
            for (Side side : List.of(java, other)) {
                assertEquals("-", Browser.send(side, "/whoami", COOKIE + "=" + before).body(), "the id before login, on " + side);
            }
            PrincipalIndex index = (PrincipalIndex) manager();
            assertEquals(List.of(b.sid()), index.findByPrincipal(user).stream().map(Session::id).toList(),
                    "the Java side's principal index has the login");
            assertEquals(1, index.removeByPrincipal(user), "and its 'log out everywhere' ends it");
            assertEquals("-", b.get(other, "/whoami").body());
        } else {
            assertEquals(409, login.status(), login.body());
            assertTrue(login.body().contains("principal index"), login.body());
            assertEquals(before, b.cookie(), "nothing changed");
            assertEquals("-", b.get(java, "/whoami").body());
            assertEquals("2", b.get(java, "/count").body());
        }
    }

    @ParameterizedTest
    @EnumSource(Language.class)
    void tamperedAndForgedCookiesAreRefusedByBoth(Language language) throws Exception {
        Side other = others.get(language);
        Browser b = new Browser(COOKIE);
        b.get(java, "/count");
        b.get(java, "/login?user=dave");
        String good = b.cookie();
        String sid = good.substring(0, 22);
        String digest = good.substring(23);
        Browser stranger = new Browser(COOKIE);
        stranger.get(other, "/count");
        String randval = stored(sid).randval();
        Map<String, String> forged = new LinkedHashMap<>();
        forged.put("a digest with one character changed", COOKIE + "=" + sid + "!" + digest.substring(0, 42) + flip(digest.charAt(42)));
        forged.put("another session's digest", COOKIE + "=" + sid + "!" + stranger.cookie().substring(23));
        forged.put("another id with this digest", COOKIE + "=" + flip(sid.charAt(0)) + sid.substring(1) + "!" + digest);
        forged.put("signed with a key neither side has", COOKIE + "=" + sid + "!" + digest(randomKey(), sid, randval));
        String madeUp = SessionIds.newId();
        forged.put("a made-up session, signed with the right key",
                COOKIE + "=" + madeUp + "!" + digest(newestKey, madeUp, SessionIds.newId()));
        forged.put("the id without a digest", COOKIE + "=" + sid);
        forged.put("a padded digest", COOKIE + "=" + good + "=");
        forged.put("the cookie under another name", "sid=" + good);
        forged.put("path characters", COOKIE + "=../../../etc/passwd!" + digest);
        for (Map.Entry<String, String> f : forged.entrySet()) {
            for (Side side : List.of(java, other)) {
                Browser.Response r = Browser.send(side, "/whoami", f.getValue());
                assertEquals("-", r.body(), f.getKey() + ", on " + side);
            }
        }
        for (Side side : List.of(java, other)) {
            assertEquals("dave", Browser.send(side, "/whoami", COOKIE + "=" + good).body(), "the real cookie, on " + side);
        }
        assertEquals("1", b.get(java, "/get?name=count").body(), "the session is unchanged");
    }

    @ParameterizedTest
    @EnumSource(Language.class)
    void aCookieSignedWithTheOlderKeyIsAcceptedAndReissuedUnderTheNewest(Language language) throws Exception {
        for (Side side : List.of(java, others.get(language))) {
            Browser b = new Browser(COOKIE);
            b.get(java, "/count");
            String sid = b.sid();
            String randval = stored(sid).randval();
            b.cookie(sid + "!" + digest(olderKey, sid, randval));
            Browser.Response r = b.get(side, "/count");
            assertEquals("2", r.body(), "accepted on " + side);
            assertEquals(sid + "!" + digest(newestKey, sid, randval), r.cookieValue(), "re-issued on " + side);
        }
    }

    @ParameterizedTest
    @EnumSource(Language.class)
    void aSessionRemovedOnOneSideIsNeverBroughtBackByTheOther(Language language) throws Exception {
        Side other = others.get(language);
        for (Side holder : List.of(other, java)) {
            Side remover = holder == java ? other : java;
            Browser b = new Browser(COOKIE);
            b.get(remover, "/count");
            String cookie = COOKIE + "=" + b.cookie();
            String sid = b.sid();
            Path gate = Tools.newFolder("gate-").resolve("gate");
            CompletableFuture<Browser.Response> held = CompletableFuture.supplyAsync(
                    () -> Browser.send(holder, "/hold?name=late&gate=" + gate, cookie));
            Gates.await(Path.of(gate + ".loaded"));
            assertEquals("bye", Browser.send(remover, "/logout", cookie).body());
            Files.createFile(gate);
            Browser.Response late = held.get(60, TimeUnit.SECONDS);
            assertEquals("1", late.body(), "the held request ran on " + holder);
            assertEquals("", late.cookieValue(), "its save found the session gone and expired the cookie, on " + holder);
            assertTrue(manager().get(sid).isEmpty(), "still gone after a save on " + holder);
            assertNull(rawEntry(sid), "nothing stored under the id after a save on " + holder);
            for (Side side : List.of(java, other)) {
                assertEquals("-", Browser.send(side, "/get?name=late", cookie).body(), "on " + side);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Language.class)
    void anEntryOfANewerFormatIsAbsentToTheOtherSideAndLeftUntouched(Language language) throws Exception {
        String sid = SessionIds.newId();
        String randval = SessionIds.newId();
        plantNewerFormat(sid, randval);
        String before = rawEntry(sid);
        assertNotNull(before);
        String cookie = COOKIE + "=" + sid + "!" + digest(newestKey, sid, randval);
        Side other = others.get(language);
        assertEquals("-", Browser.send(other, "/whoami", cookie).body());
        Browser.Response r = Browser.send(other, "/count", cookie);
        assertEquals("1", r.body(), "a new session");
        assertNotEquals(sid, r.cookieValue().substring(0, 22), "under a new id");
        assertEquals(before, rawEntry(sid), "the newer entry is left exactly as it was");
    }

    @ParameterizedTest
    @EnumSource(Language.class)
    void aCorruptEntryIsAbsentToTheOtherSideAndLeftForJava(Language language) throws Exception {
        String sid = SessionIds.newId();
        plantCorrupt(sid);
        String before = rawEntry(sid);
        String cookie = COOKIE + "=" + sid + "!" + digest(newestKey, sid, SessionIds.newId());
        Side other = others.get(language);
        assertEquals("-", Browser.send(other, "/whoami", cookie).body());
        assertEquals(before, rawEntry(sid), "PHP and Python never move or delete an entry they cannot read");
    }

    // ------------------------------------------------------------------------------------------ helpers

    /** The record stored for {@code sid}, read through the Java side's manager. */
    SessionRecord stored(String sid) {
        return SessionAccess.record(manager().get(sid).orElseThrow());
    }

    /** The test app of {@code language}. */
    Side other(Language language) {
        return others.get(language);
    }

    static String digest(byte[] key, String sid, String randval) throws GeneralSecurityException {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(key, "HmacSHA256"));
        byte[] d = mac.doFinal((sid + ":" + randval).getBytes(StandardCharsets.US_ASCII));
        return Base64.getUrlEncoder().withoutPadding().encodeToString(d);
    }

    /** Another base64url character. */
    private static char flip(char c) {
        return c == 'A' ? 'B' : 'A';
    }

    private static byte[] randomKey() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return key;
    }

    private static String base64(byte[] key) {
        return Base64.getEncoder().encodeToString(key);
    }
}
