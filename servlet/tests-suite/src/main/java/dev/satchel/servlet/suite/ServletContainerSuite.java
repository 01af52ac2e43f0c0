package dev.satchel.servlet.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import dev.satchel.CookieSpec;
import dev.satchel.HttpSessions;
import dev.satchel.InMemorySessionManager;
import dev.satchel.SigningKeys;
import dev.satchel.servlet.SatchelSessionFilter;
import dev.satchel.servlet.suite.Values.Badge;
import dev.satchel.servlet.suite.Values.Cart;
import dev.satchel.spi.StoreSessionManager;
import dev.satchel.testkit.Await;
import dev.satchel.testkit.CapturedLogs;
import dev.satchel.testkit.MutableClock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The servlet filter's behaviour over real HTTP in a real container: each container module extends it
 * with the one line that starts its container. Requests go through a raw socket client, so every
 * {@code Set-Cookie} is counted as sent. Covers the servlet API semantics, every commit point, and each of
 * the filter bugs Spring Session had (issue numbers in the test names' comments).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class ServletContainerSuite {

    private static final String COOKIE = "SID";

    private final Container.Starter starter;
    private final MutableClock clock = MutableClock.startingNow();
    private SuiteStore store;
    private Container container;
    private Http http;

    protected ServletContainerSuite(Container.Starter starter) {
        this.starter = starter;
    }

    @BeforeAll
    void start() throws Exception {
        store = new SuiteStore(InMemorySessionManager.builder().clock(clock).withoutBackgroundSweeper().build());
        HttpSessions sessions = HttpSessions.builder()
                .manager(store)
                .signingKeys(SigningKeys.fromBase64(SigningKeys.generateBase64Key()))
                .cookie(CookieSpec.named(COOKIE))
                .clock(clock)
                .idleTimeout(Duration.ofMinutes(30))
                .build();
        SatchelSessionFilter filter = SatchelSessionFilter.builder(sessions)
                .attribute("cart", Cart.class)
                .attribute("badge", Badge.class)
                .listener(new EventLog())
                .listener(new EventLog.Throwing())
                .build();
        container = starter.start(new SuiteApp(filter), "/s/error");
        http = new Http(container.port());
    }

    @AfterAll
    void stop() throws Exception {
        if (container != null) {
            container.close();
        }
        if (store != null) {
            store.close();
        }
    }

    @BeforeEach
    void reset() {
        store.failing = false;
        store.puts.set(0);
        EventLog.clear();
    }

    private Http.Response get(String path, String... cookies) throws Exception {
        return http.get(path, cookies);
    }

    /** A stored session holding {@code name=value}; returns its cookie pair. */
    private String session(String name, String value) throws Exception {
        Http.Response r = get("/s/set?" + name + "=" + value);
        assertEquals(200, r.status(), r::toString);
        return r.cookie(COOKIE);
    }

    // ---- the HttpSession API ----

    @Test
    void aNewSessionGetsOneCookieAndTheCookieBringsItBack() throws Exception {
        Http.Response first = get("/s/set?user=ann");
        assertEquals("new=true", first.text());
        String cookie = first.cookie(COOKIE);
        assertTrue(first.sessionCookies(COOKIE).get(0).contains("HttpOnly"), first::toString);
        Http.Response again = get("/s/get?name=user", cookie);
        assertEquals("ann;requested=true;valid=true;fromCookie=true;fromUrl=false", again.text());
        assertEquals(List.of(), again.sessionCookies(COOKIE), "an unchanged session sends no cookie");
    }

    @Test
    void getSessionFalseNeverCreatesAndAnEmptySessionIsNeverStored() throws Exception {
        Http.Response none = get("/s/get?name=user");
        assertEquals("none;requested=false;valid=false;fromCookie=false;fromUrl=false", none.text());
        Http.Response empty = get("/s/touch");
        assertEquals("new=true", empty.text());
        assertEquals(List.of(), none.sessionCookies(COOKIE));
        assertEquals(List.of(), empty.sessionCookies(COOKIE));
        assertEquals(0, store.puts.get());
    }

    @Test
    void aForgedCookieIsNamedButNeverAdopted() throws Exception {
        String forged = COOKIE + "=AAAAAAAAAAAAAAAAAAAAAA!" + "B".repeat(43);
        Http.Response r = get("/s/get?name=user", forged);
        assertEquals("none;requested=true;valid=false;fromCookie=true;fromUrl=false", r.text());
    }

    @Test
    void theHttpSessionApiKeepsTheServletSpecSemantics() throws Exception {
        Http.Response r = get("/s/api");
        assertEquals(String.join("\n",
                "new=true",
                "context=true",
                "created<=accessed=true",
                "maxInactive=1800",
                "maxInactiveNow=600",
                "names=[a, b]",
                "types=String,Integer",
                "session==session=true",
                "afterInvalidate: ISE ISE ISE ISE ISE ISE ISE ISE",
                "idStillReadable=true",
                "getSession(false)=null",
                ""), r.text());
        assertEquals(List.of(), r.sessionCookies(COOKIE), "invalidated before the client knew it: no cookie at all");
    }

    @Test
    void severalCookieHeadersAreAllRead() throws Exception {
        String cookie = session("user", "cy");
        Http.Response r = get("/s/get?name=user", "theme=dark", "lang=en; " + cookie);
        assertTrue(r.text().startsWith("cy;"), r::toString);
    }

    // ---- values ----

    @Test
    void declaredTypesComeBackTypedAndUndeclaredOnesJsonShaped() throws Exception {
        Http.Response set = get("/s/cart");
        assertEquals("same=true", set.text(), "within one request the object set is the object returned");
        String cookie = set.cookie(COOKIE);
        assertEquals("items=[book, pen];same=true;gift=LinkedHashMap;count=Integer", get("/s/cart-read", cookie).text());
        // The change to the object was not set again: not saved. Setting it again saves it.
        assertEquals("items=[book, pen];same=true;gift=LinkedHashMap;count=Integer", get("/s/cart-read?save=1", cookie).text());
        assertEquals("items=[book, pen, pen];same=true;gift=LinkedHashMap;count=Integer", get("/s/cart-read", cookie).text());
    }

    @Test
    void aValueThatCannotBeStoredFailsAtSetAttributeNamingIt() throws Exception {
        Http.Response r = get("/s/refuse");
        String[] lines = r.text().split("\n");
        assertTrue(lines[0].startsWith("refused: value of attribute 'loop' cannot be written as JSON"), lines[0]);
        assertTrue(lines[1].startsWith("refused: attribute 'cart' is declared as " + Cart.class.getName()), lines[1]);
        assertEquals("accepted frozen", lines[2], "undeclared: comes back as a Map, with a warning");
        assertEquals("names=[frozen]", lines[3]);
    }

    // ---- ids ----

    @Test
    void changeSessionIdLeavesTheOldCookieDead() throws Exception {
        String old = session("user", "dee");
        Http.Response rotated = get("/s/rotate", old);
        assertEquals("changed=true;id=true;valid=false", rotated.text());
        String fresh = rotated.cookie(COOKIE);
        assertNotEquals(old, fresh);
        assertTrue(get("/s/get?name=user", old).text().startsWith("none;"), "the old cookie is dead");
        assertTrue(get("/s/get?name=user", fresh).text().startsWith("dee;"));
        assertTrue(EventLog.events().contains("idChanged true"), EventLog.events()::toString);
    }

    @Test
    void invalidateExpiresTheCookieOnceAndAThrowingListenerDoesNotStopIt() throws Exception {
        String cookie = session("user", "eve");
        Http.Response r = get("/s/invalidate", cookie);
        assertEquals("invalidated;now=null", r.text());
        List<String> cookies = r.sessionCookies(COOKIE);
        assertEquals(1, cookies.size(), r::toString);
        assertTrue(cookies.get(0).startsWith(COOKIE + "=;") && cookies.get(0).contains("Max-Age=0"), cookies::toString);
        assertTrue(get("/s/get?name=user", cookie).text().startsWith("none;"), "CVE-2021-34428: the session is gone");
        assertTrue(EventLog.events().contains("destroyed user=eve"), EventLog.events()::toString);
    }

    @Test
    void invalidateThenGetSessionInOneRequestGivesANewSessionAndOneCookie() throws Exception {
        String old = session("user", "fay");
        Http.Response r = get("/s/relogin", old);
        assertEquals("new=true;same=false", r.text());
        String fresh = r.cookie(COOKIE); // exactly one: the new session's, not also the old one's expiry
        assertTrue(get("/s/get?name=user", fresh).text().startsWith("bob;"));
        assertTrue(get("/s/get?name=user", old).text().startsWith("none;"));
    }

    // ---- every commit point commits once (Spring Session #583, #604, #251, #57, #229) ----

    @Test
    void aRedirectCommitsOnceWithOneCookie() throws Exception {
        Http.Response r = get("/s/redirect");
        assertEquals(302, r.status(), r::toString);
        String cookie = r.cookie(COOKIE);
        assertEquals(1, store.puts.get(), "one store write");
        assertTrue(get("/s/get?name=flash", cookie).text().startsWith("saved;"));
    }

    @Test
    void repeatedFlushesCommitOnce() throws Exception {
        Http.Response r = get("/s/flushes");
        assertEquals("chunk0;chunk1;chunk2;", r.text());
        r.cookie(COOKIE);
        assertEquals(1, store.puts.get());
    }

    @Test
    void anExceptionAndItsErrorDispatchCommitOnce() throws Exception {
        Http.Response r = get("/s/throw");
        assertEquals(500, r.status(), r::toString);
        assertTrue(r.text().contains("error page;status=500;sees=crash"), r::toString);
        String cookie = r.cookie(COOKIE);
        assertEquals(1, store.puts.get());
        assertTrue(get("/s/get?name=before", cookie).text().startsWith("crash;"));
    }

    @Test
    void sendErrorCommitsOnceBeforeTheErrorPage() throws Exception {
        Http.Response r = get("/s/senderror");
        assertEquals(404, r.status(), r::toString);
        assertTrue(r.text().contains("error page"), r::toString);
        String cookie = r.cookie(COOKIE);
        assertEquals(1, store.puts.get());
        assertTrue(get("/s/get?name=e", cookie).text().startsWith("1;"));
    }

    // ---- bodies ----

    @Test
    void aOneMegabyteBodyGetsItsCookie() throws Exception {
        Http.Response r = get("/s/big");
        assertEquals(SuiteApp.BIG, r.body().length);
        for (int i = 0; i < r.body().length; i++) {
            if (r.body()[i] != (byte) ('a' + i % 26)) {
                throw new AssertionError("body differs at byte " + i);
            }
        }
        assertTrue(get("/s/get?name=big", r.cookie(COOKIE)).text().startsWith("1;"));
    }

    @Test
    void aStreamedBodyGetsItsCookieAndALaterChangeIsStillSaved() throws Exception {
        Http.Response r = get("/s/stream");
        assertTrue(r.text().startsWith("line 0 é ü 日本\n") && r.text().contains("line 9 é ü 日本"), r::toString);
        String cookie = r.cookie(COOKIE);
        assertTrue(get("/s/get?name=after", cookie).text().startsWith("first flush;"));
    }

    @Test
    void aSessionCannotBeCreatedOnceTheResponseIsCommitted() throws Exception {
        Http.Response r = get("/s/late-new");
        assertTrue(r.text().endsWith(";refused:cannot create a session after the response was committed: its cookie could not be sent"),
                () -> r.text().substring(100_000));
        assertEquals(List.of(), r.sessionCookies(COOKIE));
    }

    @Test
    void aReachedContentLengthCommitsBeforeTheServletReturns() throws Exception {
        SuiteApp.lengthRead = new CountDownLatch(1);
        SuiteApp.lengthDone = new CountDownLatch(1);
        Http.Response r = get("/s/length"); // reads exactly Content-Length bytes while the servlet waits
        SuiteApp.lengthRead.countDown();
        assertEquals(SuiteApp.LENGTH, r.body().length);
        String cookie = r.cookie(COOKIE);
        assertTrue(SuiteApp.lengthDone.await(20, TimeUnit.SECONDS));
        Await.until("the change after the response was sent is saved", Duration.ofSeconds(20), () -> {
            try {
                return get("/s/get?name=afterLength", cookie).text().startsWith("saved;");
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    // ---- dispatches ----

    @Test
    void aForwardCommitsOnceWithBothDispatchesChanges() throws Exception {
        Http.Response r = get("/s/forward");
        assertEquals("forwarded;a=1", r.text());
        String cookie = r.cookie(COOKIE);
        assertEquals(1, store.puts.get());
        assertTrue(get("/s/get?name=b", cookie).text().startsWith("2;"));
    }

    @Test
    void anIncludeThatCommitsStillSendsTheCookie() throws Exception {
        Http.Response r = get("/s/include");
        assertTrue(r.text().startsWith("before;yyy") && r.text().endsWith("y;after"), () -> r.text().substring(0, 20));
        assertTrue(get("/s/get?name=inc", r.cookie(COOKIE)).text().startsWith("1;"));
    }

    @Test
    void asyncCompleteCommitsOnce() throws Exception {
        Http.Response r = get("/s/async");
        assertEquals("async done", r.text());
        assertTrue(get("/s/get?name=async", r.cookie(COOKIE)).text().startsWith("1;"));
        assertEquals(1, store.puts.get());
    }

    @Test
    void anAsyncTimeoutCommitsBeforeTheTimeoutHandlerWrites() throws Exception {
        Http.Response r = get("/s/async-timeout");
        assertEquals("timed out", r.text(), r::toString);
        assertTrue(get("/s/get?name=t", r.cookie(COOKIE)).text().startsWith("1;"));
    }

    @Test
    void nonBlockingOutputCommitsBeforeTheFirstByte() throws Exception {
        Http.Response r = get("/s/nonblocking");
        assertEquals("non-blocking", r.text(), r::toString);
        assertTrue(get("/s/get?name=nb", r.cookie(COOKIE)).text().startsWith("1;"));
    }

    // ---- filters further down (Spring Session #132, #172) ----

    @Test
    void aWrapperThatCopiesTheBodyThroughTheResponseItWasGivenGetsTheCookie() throws Exception {
        Http.Response r = get("/copy/new");
        assertEquals("body behind a filter", r.text());
        assertTrue(get("/s/get?name=behind", r.cookie(COOKIE)).text().startsWith("filter;"));
    }

    @Test
    void aComponentWritingToTheContainersResponseDirectlyGetsTheCookieWhileItIsBuffered() throws Exception {
        Http.Response r = get("/bypass/new");
        assertEquals("body behind a filter", r.text());
        r.cookie(COOKIE);
    }

    @Test
    void aComponentThatCommitsTheContainersResponseDirectlyIsReportedLoudly() throws Exception {
        try (CapturedLogs logs = CapturedLogs.of("dev.satchel.servlet")) {
            Http.Response r = get("/bypass/new?flush=1");
            assertEquals("body behind a filter", r.text());
            assertEquals(List.of(), r.sessionCookies(COOKIE));
            Await.until("the error is logged", Duration.ofSeconds(20),
                    () -> logs.count(Level.ERROR, "wrote to the container's response directly") == 1);
        }
    }

    // ---- store failures ----

    @Test
    void aStoreThatCannotBeReadGives503AndNeverAFreshSession() throws Exception {
        String cookie = session("user", "gus");
        store.failing = true;
        Http.Response r = get("/s/get?name=user", cookie);
        store.failing = false;
        assertEquals(503, r.status(), r::toString);
        assertFalse(r.text().contains("Exception") || r.text().contains("at dev.satchel"), "no stack trace: " + r.text());
        assertEquals(List.of(), r.sessionCookies(COOKIE), "no fresh session replaces the one that could not be read");
        assertTrue(get("/s/get?name=user", cookie).text().startsWith("gus;"));
    }

    @Test
    void aStoreThatCannotBeWrittenGives503InsteadOfTheHeldBody() throws Exception {
        store.failing = true;
        Http.Response r = get("/s/set?user=hal");
        store.failing = false;
        assertEquals(503, r.status(), r::toString);
        assertFalse(r.text().contains("new=true"), r::toString);
        assertEquals(List.of(), r.sessionCookies(COOKIE));
    }

    // ---- listeners ----

    @Test
    void listenersHearCreationAttributesBindingAndInvalidation() throws Exception {
        String cookie = get("/s/badge?level=gold").cookie(COOKIE);
        get("/s/badge?level=silver", cookie);
        get("/s/unbadge", cookie);
        get("/s/invalidate", cookie);
        assertEquals(List.of(
                "added user", "bound badge gold", "added badge", "created",
                "replaced user was ann", "bound badge silver", "unbound badge gold", "replaced badge was " + Badge.class.getName(),
                "unbound badge silver", "removed badge",
                "destroyed user=ann", "removed user"),
                EventLog.events().stream().map(e -> e.replaceAll("@[0-9a-f]+$", "")).toList());
    }

    @Test
    void expiryCallsSessionDestroyedFromTheSweeperWithTheAttributesReadable() throws Exception {
        clock.advance(Duration.ofMinutes(31));
        StoreSessionManager.sweepNow(store.delegate()); // the earlier tests' sessions
        get("/s/badge?level=bronze");
        EventLog.clear();
        clock.advance(Duration.ofMinutes(31));
        assertEquals(1, StoreSessionManager.sweepNow(store.delegate()));
        assertEquals(List.of("destroyed user=ann", "unbound badge bronze", "removed badge", "removed user"), EventLog.events());
    }

    @Test
    void concurrentRequestsOnOneSessionKeepEachOthersChanges() throws Exception {
        String cookie = session("start", "1");
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<Http.Response>> all = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                int n = i;
                all.add(pool.submit(() -> get("/s/set?k" + n + "=" + n, cookie)));
            }
            for (Future<Http.Response> f : all) {
                assertEquals(200, f.get(30, TimeUnit.SECONDS).status());
            }
        } finally {
            pool.shutdownNow();
        }
        for (int i = 0; i < 8; i++) {
            assertTrue(get("/s/get?name=k" + i, cookie).text().startsWith(i + ";"));
        }
    }
}
