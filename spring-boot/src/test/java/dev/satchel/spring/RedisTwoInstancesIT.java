package dev.satchel.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.CookieSpec;
import dev.satchel.testkit.Await;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import redis.clients.jedis.Jedis;

/**
 * Two instances of one application (embedded Tomcat) sharing a redis-server of the test's own: a login and a
 * logout on one are seen by the other, the one-session-per-user limit holds across them, the store holds no
 * cookie or credential, and a store outage is answered 503.
 * The store is chosen as an application would: {@code satchel.store.uri=redis://...}, behind the cache.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RedisTwoInstancesIT {

    static final String COOKIE = CookieSpec.DEFAULT_NAME;
    static RedisProcess redis;
    static RunningApp a;
    static RunningApp b;


    @BeforeAll
    static void start() {
        redis = RedisProcess.start();
        a = RunningApp.start(Map.of("satchel.store.uri", redis.uri()), TestApps.OneSessionPerUser.class);
        b = RunningApp.start(Map.of("satchel.store.uri", redis.uri()), TestApps.OneSessionPerUser.class);
    }

    @AfterAll
    static void stop() {
        try (RedisProcess r = redis; RunningApp x = a; RunningApp y = b) {
            // closed in reverse order
        }
    }

    @Test
    @Order(1)
    void theOtherInstanceSeesTheLoginAndTheLogout() {
        Browser browser = new Browser();
        assertEquals(302, FormLoginIT.logIn(a, browser, "secret-password-1").statusCode());
        assertEquals("hello alice", a.get(browser, "/hello"));
        assertEquals("hello alice", b.get(browser, "/hello"), "instance b reads the session instance a stored");
        FormLoginIT.logOut(b, browser);
        Browser kept = new Browser();
        kept.cookies.putAll(browser.cookies);
        String loggedOut = browser.setCookies.get(browser.setCookies.size() - 1);
        assertTrue(loggedOut.contains("Max-Age=0"), loggedOut);
    }

    @Test
    @Order(2)
    void aLogoutOnOneInstanceEndsTheSessionOnTheOther() {
        Browser browser = new Browser();
        assertEquals(302, FormLoginIT.logIn(a, browser, "secret-password-1").statusCode());
        String cookie = browser.cookie(COOKIE);
        assertEquals("hello alice", b.get(browser, "/hello"));
        FormLoginIT.logOut(a, browser);
        Browser replay = new Browser();
        replay.cookies.put(COOKIE, cookie);
        Await.until("instance b sees the logout", () -> replay.get(b.url("/hello")).statusCode() == 302);
        assertEquals(302, replay.get(a.url("/hello")).statusCode());
    }

    @Test
    @Order(3)
    void oneSessionPerUserAcrossInstances() {
        Browser first = new Browser();
        assertEquals(302, FormLoginIT.logIn(a, first, "secret-password-1").statusCode());
        assertEquals("hello alice", a.get(first, "/hello"));
        Browser second = new Browser();
        assertEquals(302, FormLoginIT.logIn(b, second, "secret-password-1").statusCode());
        assertEquals("hello alice", b.get(second, "/hello"));
        Await.until("the first session is expired on instance a", () -> {
            HttpResponse<String> r = first.get(a.url("/hello"));
            return r.statusCode() == 200 && r.body().contains("This session has been expired");
        });
        assertEquals(302, first.get(a.url("/hello")).statusCode(), "logged out for good");
        assertEquals("hello alice", a.get(second, "/hello"), "the newer session goes on, on either instance");
    }

    @Test
    @Order(4)
    void theStoreHoldsNoCookieNoCredentialAndNoPassword() {
        Browser browser = new Browser();
        browser.cookies.put("tracking", "tracking-cookie-secret-7");
        browser.extraHeaders.put("Authorization", "Bearer bearer-token-secret-8");
        browser.extraHeaders.put("X-Api-Key", "api-key-secret-9");
        assertEquals(302, browser.get(a.url("/hello?page=2")).statusCode(), "saved for after the login");
        List<String> cookies = new ArrayList<>(List.of(browser.cookie(COOKIE)));
        assertEquals(302, FormLoginIT.logIn(a, browser, "wrong-password-2").statusCode());
        cookies.add(browser.cookie(COOKIE));
        HttpResponse<String> in = FormLoginIT.logIn(a, browser, "secret-password-1");
        assertEquals(a.url("/hello?page=2&continue"), in.headers().firstValue("Location").orElseThrow());
        cookies.add(browser.cookie(COOKIE));
        assertEquals("hello alice", a.get(browser, "/hello?page=2&continue"));

        String dump = dump();
        assertTrue(dump.contains("\"alice\""), "the dump is of the sessions: " + dump);
        for (String c : cookies) {
            String digest = c.substring(c.indexOf('!') + 1);
            assertFalse(dump.contains(digest), "a session cookie's digest is in the store");
        }
        for (String secret : List.of("tracking-cookie-secret-7", "bearer-token-secret-8", "api-key-secret-9",
                "wrong-password-2", "secret-password-1", "Authorization", "Cookie")) {
            assertFalse(dump.contains(secret), secret + " is in the store: " + dump);
        }
    }

    @Test
    @Order(5)
    void aStoreOutageIsAnswered503() {
        Browser browser = new Browser();
        assertEquals(302, FormLoginIT.logIn(a, browser, "secret-password-1").statusCode());
        redis.kill();
        // The cache may answer from its copy until the invalidation feed sees the connection drop (the
        // documented bound: RedisSessionManager.Builder#invalidationHeartbeat); after that, every request
        // reaches the dead store. Nothing in between may be anything but the cached page or a 503.
        AtomicReference<HttpResponse<String>> last = new AtomicReference<>();
        Await.until("the outage reaches the request", () -> {
            HttpResponse<String> r = browser.get(a.url("/hello"));
            assertTrue(r.statusCode() == 503 || r.statusCode() == 200 && r.body().equals("hello alice"),
                    r.statusCode() + " " + r.body());
            last.set(r);
            return r.statusCode() == 503;
        });
        HttpResponse<String> r = last.get();
        assertFalse(r.body().contains("Exception"), r.body());
        org.springframework.boot.health.contributor.HealthIndicator health = a.context.getBean("satchelHealthIndicator",
                org.springframework.boot.health.contributor.HealthIndicator.class);
        org.springframework.boot.health.contributor.Health down = health.health();
        assertEquals(org.springframework.boot.health.contributor.Status.DOWN, down.getStatus());
        // The failure's type only: its message would name the store's address.
        assertEquals(Set.of("error"), down.getDetails().keySet(), down.getDetails().toString());
        assertTrue(down.getDetails().get("error").toString().matches("dev\\.satchel\\.\\w+Exception"), down.getDetails().toString());
        assertTrue(a.bean(io.micrometer.core.instrument.MeterRegistry.class).get("satchel.store.operations")
                .tag("outcome", "failure").timers().stream().mapToLong(t -> t.count()).sum() >= 1, "the failure is measured");
    }

    /** Every key and value in Redis, as text. */
    static String dump() {
        StringBuilder out = new StringBuilder();
        try (Jedis j = new Jedis("127.0.0.1", redis.port)) {
            for (String key : j.keys("*")) {
                out.append(key).append(" => ");
                switch (j.type(key)) {
                    case "hash" -> out.append(j.hgetAll(key));
                    case "zset" -> out.append(j.zrange(key, 0, -1));
                    case "string" -> out.append(j.get(key));
                    case "set" -> out.append(j.smembers(key));
                    case "list" -> out.append(j.lrange(key, 0, -1));
                    default -> out.append('?');
                }
                out.append('\n');
            }
        }
        return out.toString();
    }
}
