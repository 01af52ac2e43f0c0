package dev.satchel.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.CookieSpec;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Boot's default security (form login, CSRF, logout) over Satchel, on embedded Tomcat, over real HTTP. */
class FormLoginIT {

    static final String COOKIE = CookieSpec.DEFAULT_NAME;
    static RunningApp app;

    @BeforeAll
    static void start() {
        app = RunningApp.start(Map.of(), TestApps.DefaultSecurity.class);
    }

    @AfterAll
    static void stop() {
        app.close();
    }

    /** Logs {@code b} in as alice through the login form; returns the response to the POST. */
    static HttpResponse<String> logIn(RunningApp app, Browser b, String password) {
        HttpResponse<String> page = b.get(app.url("/login"));
        assertEquals(200, page.statusCode(), page.body());
        return b.post(app.url("/login"), Map.of("username", "alice", "password", password, "_csrf", Browser.csrf(page.body())));
    }

    static void logOut(RunningApp app, Browser b) {
        HttpResponse<String> page = b.get(app.url("/logout"));
        assertEquals(200, page.statusCode(), page.body());
        HttpResponse<String> out = b.post(app.url("/logout"), Map.of("_csrf", Browser.csrf(page.body())));
        assertEquals(302, out.statusCode());
        assertTrue(out.headers().firstValue("Location").orElseThrow().endsWith("/login?logout"), out.headers().toString());
    }

    @Test
    void formLoginWithCsrfChangesTheSessionIdAndLogoutExpiresTheCookie() {
        Browser b = new Browser();
        HttpResponse<String> first = b.get(app.url("/hello"));
        assertEquals(302, first.statusCode());
        assertTrue(first.headers().firstValue("Location").orElseThrow().endsWith("/login"));
        String before = b.cookie(COOKIE);
        assertNotNull(before, "the saved request and the CSRF token live in a Satchel session: " + b.setCookies);

        HttpResponse<String> login = logIn(app, b, "secret-password-1");
        assertEquals(302, login.statusCode(), login.body());
        assertEquals(app.url("/hello?continue"), login.headers().firstValue("Location").orElseThrow(),
                "back to the page asked for, through the saved request");
        String after = b.cookie(COOKIE);
        assertNotEquals(before, after, "the session id changes at login");
        assertNotEquals(before.substring(0, 22), after.substring(0, 22));

        HttpResponse<String> hello = b.get(app.url("/hello?continue"));
        assertEquals(200, hello.statusCode(), hello.body());
        assertEquals("hello alice", hello.body());
        assertEquals("hello alice", b.get(app.url("/hello")).body());
        assertTrue(b.get(app.url("/session")).body().startsWith("dev.satchel."), "request.getSession() is Satchel's");

        Browser stale = new Browser();
        stale.cookies.put(COOKIE, before);
        assertEquals(302, stale.get(app.url("/hello")).statusCode(), "the id from before the login is dead");

        int setCookiesBefore = b.setCookies.size();
        logOut(app, b);
        String expiring = b.setCookies.get(b.setCookies.size() - 1);
        assertTrue(b.setCookies.size() > setCookiesBefore && expiring.startsWith(COOKIE + "=;") && expiring.contains("Max-Age=0"),
                "logout expires the cookie: " + b.setCookies);
        Browser old = new Browser();
        old.cookies.put(COOKIE, after);
        assertEquals(302, old.get(app.url("/hello")).statusCode(), "the logged-out session is gone");
    }

    @Test
    void aLoginWithoutTheCsrfTokenIsRefused() {
        Browser b = new Browser();
        b.get(app.url("/login"));
        // Refused as 403, whose error page an anonymous user is sent to log in for: Boot's default.
        HttpResponse<String> r = b.post(app.url("/login"), Map.of("username", "alice", "password", "secret-password-1"));
        assertEquals(app.url("/login"), r.headers().firstValue("Location").orElse(""), r.headers().toString());
        HttpResponse<String> forged = b.post(app.url("/login"),
                Map.of("username", "alice", "password", "secret-password-1", "_csrf", "forged"));
        assertEquals(app.url("/login"), forged.headers().firstValue("Location").orElse(""), forged.headers().toString());
        assertEquals(302, b.get(app.url("/hello")).statusCode(), "not logged in");
    }

    @Test
    void aWrongPasswordGoesBackToTheFormAndDoesNotLogIn() {
        Browser b = new Browser();
        HttpResponse<String> r = logIn(app, b, "wrong-password-2");
        assertEquals(302, r.statusCode());
        assertTrue(r.headers().firstValue("Location").orElseThrow().endsWith("/login?error"));
        HttpResponse<String> page = b.get(app.url("/login?error"));
        assertEquals(200, page.statusCode());
        assertTrue(page.body().contains("alert"), page.body());
        assertEquals(302, b.get(app.url("/hello")).statusCode());
    }

    @Test
    void sessionScopedBeansAreKeptAsJsonOfTheirClass() {
        Browser b = new Browser();
        assertEquals(302, logIn(app, b, "secret-password-1").statusCode());
        assertEquals("[\"book\"]", b.get(app.url("/cart?add=book")).body());
        assertEquals("[\"book\",\"pen\"]", b.get(app.url("/cart?add=pen")).body());
        assertEquals("[\"book\",\"pen\"]", b.get(app.url("/cart")).body());
        assertFalse(new Browser().get(app.url("/cart")).body().contains("book"));
    }
}
