package dev.satchel.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo started in this JVM on a free loopback port, over a cache over a real folder of session files,
 * driven with {@link HttpClient} and a one-cookie jar.
 */
class DemoEndToEndTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path data;

    private DemoServer demo;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT)
            .followRedirects(HttpClient.Redirect.NEVER).build();

    @BeforeEach
    void startDemo() throws IOException {
        demo = start(Map.of());
    }

    @AfterEach
    void stopDemo() {
        if (demo != null) {
            demo.close();
        }
    }

    private DemoServer start(Map<String, String> env) throws IOException {
        return DemoServer.start(DemoOptions.parse(new String[] {"--port", "0", "--dir", data.toString()}, Map.of()), env);
    }

    /** A response: status, body, the cookie it sets (if any) and its headers. */
    private record Reply(int status, String body, String setCookie, java.net.http.HttpHeaders headers) {
        /** The new cookie value; {@code null} when the reply set none. */
        String cookie() {
            if (setCookie == null) {
                return null;
            }
            String first = setCookie.substring(0, setCookie.indexOf(';'));
            return first.substring(first.indexOf('=') + 1);
        }

        boolean expiresCookie() {
            return setCookie != null && setCookie.contains("Max-Age=0");
        }

        /** The form token of the page. */
        String token() {
            String marker = "name=\"csrf\" value=\"";
            int at = body.indexOf(marker);
            assertTrue(at >= 0, "the page has a form with a token: " + body);
            return body.substring(at + marker.length(), body.indexOf('"', at + marker.length()));
        }

        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }
    }

    private Reply request(String method, String path, String cookieHeader, String contentType, String body)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + demo.port() + path))
                .timeout(TIMEOUT).method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body));
        if (cookieHeader != null) {
            b.header("Cookie", cookieHeader);
        }
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        Optional<String> setCookie = r.headers().firstValue("Set-Cookie");
        assertNoLeak(r.body());
        return new Reply(r.statusCode(), r.body(), setCookie.orElse(null), r.headers());
    }

    private Reply request(String method, String path, String cookieHeader) throws Exception {
        return request(method, path, cookieHeader, null, null);
    }

    private static String cookieHeader(String value) {
        return value == null ? null : DemoServer.COOKIE_NAME + "=" + value;
    }

    private Reply get(String path, String cookie) throws Exception {
        return request("GET", path, cookieHeader(cookie));
    }

    private Reply post(String path, String cookie, String form) throws Exception {
        return request("POST", path, cookieHeader(cookie), "application/x-www-form-urlencoded", form);
    }

    /** Logs in on the session of {@code cookie} through the form of the page it was shown. */
    private Reply login(String cookie, String token, String user) throws Exception {
        return post("/login", cookie, "user=" + user + "&csrf=" + token);
    }

    private static void assertNoLeak(String body) {
        assertFalse(body.contains("Exception") || body.contains("\tat ") || body.contains("dev.satchel."),
                "no stack trace or class name in a response: " + body);
    }

    /** The randval the store holds for {@code sid}, read from its file. */
    private String storedRandval(String sid) throws IOException {
        String hex = java.util.HexFormat.of().formatHex(Base64.getUrlDecoder().decode(sid));
        String json = Files.readString(data.resolve("sessions").resolve(hex.substring(0, 2)).resolve(hex + ".json"));
        int at = json.indexOf("\"randval\":\"") + 11;
        return json.substring(at, json.indexOf('"', at));
    }

    @Test
    @DisplayName("visit, revisit, count, login (new id shown, old refused), logout (cookie expired, document gone)")
    void fullWalkThrough() throws Exception {
        Reply first = get("/", null);
        assertEquals(200, first.status());
        assertTrue(first.body().contains("Hello, stranger!"));
        assertNotNull(first.cookie(), "the first visit stores something, so it sets a cookie");
        assertTrue(first.setCookie().startsWith("satchel-demo="), "named explicitly: " + first.setCookie());
        assertTrue(first.setCookie().contains("HttpOnly"));
        assertTrue(first.setCookie().contains("SameSite=Lax"));
        assertFalse(first.setCookie().contains("Secure"), "plain HTTP on loopback: not Secure");
        String cookie = first.cookie();
        String sid = cookie.substring(0, 22);
        assertTrue(first.body().contains("<span class=\"sid\" id=\"cookie-sid\">" + sid + "</span>"),
                "the cookie taken apart: " + first.body());
        assertTrue(first.body().contains("<span class=\"digest\" id=\"cookie-digest\">" + cookie.substring(23)
                + "</span>"));
        assertTrue(first.body().contains("set by this response"));
        assertTrue(first.body().contains("&quot;id&quot;:&quot;" + sid + "&quot;"), "the stored document is shown");
        assertTrue(first.body().contains("&quot;randval&quot;:&quot;<mark class=\"secret\""), "randval masked");
        assertFalse(first.body().contains(storedRandval(sid)), "the randval never leaves the server");
        assertTrue(first.body().contains("id=\"cache-stats\""), "the cache counters");

        Reply again = get("/", cookie);
        assertTrue(again.body().contains("Welcome back. Your last visit was at "), again.body());
        assertTrue(again.body().contains(" from 127.0.0.1."), again.body());
        assertTrue(again.body().contains("sent by your browser with this request"));
        assertNull(again.cookie(), "same session, no new cookie");
        assertFalse(again.body().contains(storedRandval(sid)));

        assertTrue(get("/count", cookie).body().contains("counted 1 time."));
        assertTrue(get("/count", cookie).body().contains("counted 2 times."));

        Reply login = login(cookie, again.token(), "alice");
        assertEquals(303, login.status(), login.body());
        assertEquals("/", login.header("Location"));
        String loggedIn = login.cookie();
        assertNotNull(loggedIn);
        String newSid = loggedIn.substring(0, 22);
        assertNotEquals(sid, newSid, "the session id changed");
        Reply home = get("/", loggedIn);
        assertTrue(home.body().contains("Hello, <strong>alice</strong>!"), "the greeting names the user");
        assertTrue(home.body().contains("Welcome back, alice."));
        assertTrue(home.body().contains("<code id=\"id-before\"><s>" + sid + "</s></code></td><td>gone from the store"),
                "the id before the login, gone: " + home.body());
        assertTrue(home.body().contains("<code id=\"id-after\">" + newSid + "</code>"));
        assertTrue(get("/count", loggedIn).body().contains("counted 3 times."), "data kept across the rotation");
        Reply oldAfterLogin = get("/count", cookie);
        assertTrue(oldAfterLogin.body().contains("counted 1 time."), "the pre-login cookie is refused");
        assertNotEquals(cookie, oldAfterLogin.cookie());

        assertEquals(403, post("/logout", loggedIn, "csrf=" + again.token()).status(),
                "the token from before the login is worthless after it");
        Reply logout = post("/logout", loggedIn, "csrf=" + home.token());
        assertEquals(200, logout.status());
        assertTrue(logout.expiresCookie(), "logout expires the cookie: " + logout.setCookie());
        assertTrue(logout.body().contains("Set-Cookie: " + Html.escape(logout.setCookie())), "the expiring cookie shown");
        assertTrue(logout.body().contains("id=\"stored-gone\""), "the document is gone");
        assertTrue(logout.body().contains("Hello, stranger!"));
        Reply afterLogout = get("/", loggedIn);
        assertTrue(afterLogout.body().contains("Hello, stranger!"), "the old cookie is refused");
        assertTrue(afterLogout.body().contains("did not verify"), "and the page says so");
        assertNotEquals(loggedIn, afterLogout.cookie());
    }

    @Test
    @DisplayName("the first visit after a login greets the user by name, never as a stranger (issue 10)")
    void firstVisitAfterLoginNamesTheUser() throws Exception {
        Reply counter = get("/count", null); // a session, but no visit yet
        Reply login = login(counter.cookie(), counter.token(), "bob");
        assertEquals(303, login.status());
        Reply home = get("/", login.cookie());
        assertTrue(home.body().contains("Welcome, bob! This is your first visit"), home.body());
        assertFalse(home.body().contains("stranger"), home.body());
        assertTrue(get("/count", login.cookie()).body().contains("Hello, <strong>bob</strong>!"), "on every page");
        assertTrue(get("/nowhere", login.cookie()).body().contains("Hello, <strong>bob</strong>!"), "even a 404");
    }

    @Test
    @DisplayName("login and logout only by POST with the session's token; everything else changes nothing")
    void formsNeedTheirToken() throws Exception {
        Reply page = get("/", null);
        String cookie = page.cookie();
        Reply viaGet = get("/login?user=alice", cookie);
        assertEquals(405, viaGet.status());
        assertEquals("POST", viaGet.header("Allow"));
        assertEquals(405, get("/logout", cookie).status());
        assertEquals(403, post("/login", cookie, "user=alice").status(), "no token");
        assertEquals(403, post("/login", cookie, "user=alice&csrf=").status(), "an empty token");
        String other = get("/", null).token();
        assertEquals(403, post("/login", cookie, "user=alice&csrf=" + other).status(), "another session's token");
        assertEquals(403, post("/login", null, "user=alice&csrf=" + page.token()).status(), "no session");
        assertEquals(403, post("/logout", cookie, "csrf=" + other).status());
        assertEquals(415, request("POST", "/login", cookieHeader(cookie), "text/plain",
                "user=alice&csrf=" + page.token()).status());
        assertEquals(415, request("POST", "/logout", cookieHeader(cookie)).status());
        assertEquals(413, post("/login", cookie, "user=alice&csrf=" + page.token() + "&x=" + "a".repeat(5000)).status());
        Reply still = get("/", cookie);
        assertTrue(still.body().contains("Hello, stranger!"), "none of these logged anyone in");
        assertTrue(still.body().contains("Welcome back."), "nor ended the session");
        for (String bad : new String[] {"../../etc/passwd", "%2e%2e%2fetc", "a".repeat(33), "", ".hidden",
                "%3Cscript%3Ealert(1)%3C%2Fscript%3E"}) {
            Reply r = login(cookie, page.token(), bad);
            assertEquals(400, r.status(), bad);
            assertFalse(r.body().contains("<script>"), "nothing echoed unescaped");
        }
        assertEquals(400, post("/login", cookie, "csrf=" + page.token()).status(), "no user name");
        assertEquals(303, login(cookie, page.token(), "alice").status(), "the token still works after refusals");
    }

    @Test
    @DisplayName("HEAD is answered like GET, without the body; static files are served from the jar")
    void headAndStaticFiles() throws Exception {
        String cookie = get("/", null).cookie();
        for (String path : new String[] {"/", "/count", "/stats", "/style.css", "/app.js", "/favicon.svg"}) {
            Reply head = request("HEAD", path, cookieHeader(cookie));
            assertEquals(200, head.status(), path);
            assertEquals("", head.body(), path);
            assertTrue(Integer.parseInt(head.header("Content-Length")) > 0, path + " says how long the body is");
        }
        Reply css = get("/style.css", null);
        assertTrue(css.header("Content-Type").startsWith("text/css"), css.header("Content-Type"));
        assertTrue(get("/app.js", null).header("Content-Type").startsWith("text/javascript"));
        assertEquals("image/svg+xml", get("/favicon.svg", null).header("Content-Type"));
        assertNull(css.setCookie(), "static files open no session");
        assertEquals(405, request("POST", "/style.css", null).status());
        assertEquals("GET, HEAD", request("DELETE", "/", null).header("Allow"));
    }

    @Test
    @DisplayName("strict security headers; no inline script or style, nothing loaded from elsewhere")
    void securityHeaders() throws Exception {
        Reply home = get("/", null);
        String csp = home.header("Content-Security-Policy");
        assertEquals(DemoHandler.CONTENT_SECURITY_POLICY, csp);
        assertTrue(csp.startsWith("default-src 'none'"));
        assertFalse(csp.contains("unsafe"), csp);
        assertEquals("nosniff", home.header("X-Content-Type-Options"));
        assertEquals("no-store", home.header("Cache-Control"));
        assertEquals("no-referrer", home.header("Referrer-Policy"));
        assertFalse(home.body().contains(" style="), "no inline style");
        assertFalse(home.body().contains("<style"), "no inline style");
        assertEquals(1, home.body().split("<script", -1).length - 1, "one script");
        assertTrue(home.body().contains("<script src=\"/app.js\" defer></script>"), "our own");
        assertFalse(home.body().contains("http://") || home.body().contains("https://") || home.body().contains("//cdn"),
                "nothing from elsewhere");
        for (String path : new String[] {"/stats", "/style.css", "/nowhere"}) {
            assertEquals(DemoHandler.CONTENT_SECURITY_POLICY, get(path, null).header("Content-Security-Policy"), path);
        }
    }

    @Test
    @DisplayName("--store with a scheme only a store module's provider knows (memory:): the codec's view of the record")
    void storeFromAProvider() throws Exception {
        demo.close();
        demo = null;
        Path keyOnly = data.resolve("memory");
        demo = DemoServer.start(DemoOptions.parse(new String[] {"--port", "0", "--dir", keyOnly.toString(), "--store",
                "memory:/"}, Map.of()), Map.of());
        Reply first = get("/", null);
        assertEquals(200, first.status());
        assertTrue(first.body().contains("the record, as the codec encodes it"), first.body());
        assertTrue(first.body().contains("&quot;randval&quot;:&quot;<mark class=\"secret\""), "randval masked");
        assertTrue(first.body().contains("Sessions: the memory store,"), first.body());
        assertTrue(get("/", first.cookie()).body().contains("Welcome back."));
        assertFalse(Files.exists(keyOnly.resolve("sessions")), "nothing on disk but the key");
    }

    @Test
    @DisplayName("a tampered cookie gives a new session, never the old one")
    void tamperedCookieGivesANewSession() throws Exception {
        String cookie = get("/count", null).cookie();
        assertTrue(get("/count", cookie).body().contains("counted 2 times."));
        char last = cookie.charAt(cookie.length() - 1);
        String tampered = cookie.substring(0, cookie.length() - 1) + (last == 'A' ? 'B' : 'A');
        Reply r = get("/count", tampered);
        assertEquals(200, r.status());
        assertTrue(r.body().contains("counted 1 time."));
        assertNotEquals(cookie.substring(0, 22), r.cookie().substring(0, 22));
        String otherSid = get("/count", null).cookie().substring(0, 22);
        String spliced = otherSid + cookie.substring(22); // someone else's id under this digest
        assertTrue(get("/count", spliced).body().contains("counted 1 time."));
        assertTrue(get("/", tampered).body().contains("did not verify"));
    }

    @Test
    @DisplayName("hostile cookies, paths, parameters and methods get a clear 4xx or a new session")
    void hostileInput() throws Exception {
        assertEquals(431, request("GET", "/", "satchel-demo=" + "A".repeat(100_000)).status());
        assertTrue(request("GET", "/", "satchel-demo=!!!; satchel-demo=" + "x".repeat(80) + "; =;;; ;=").body()
                .contains("Hello, stranger!"));
        assertTrue(request("GET", "/count", "satchel-demo=../../etc/passwd!abc").body().contains("counted 1 time."));
        assertEquals(404, get("/../../etc/passwd", null).status());
        assertEquals(404, get("/%2e%2e/%2e%2e/etc/passwd", null).status());
        assertEquals(404, get("/count/../stats", null).status());
        assertEquals(404, get("/static/style.css", null).status());
        Reply wrong = request("DELETE", "/", null);
        assertEquals(405, wrong.status());
        assertEquals(405, request("PUT", "/count", null).status());
        assertEquals(405, request("POST", "/stats", null).status());
    }

    @Test
    @DisplayName("raw garbage on the socket: control bytes and non-ASCII in the cookie, a broken request line")
    void rawGarbage() throws Exception {
        String status = raw("GET / HTTP/1.1\r\nHost: x\r\nCookie: satchel-demo=\u00ff\u00fe\u0001\u0007garbage\r\n"
                + "Connection: close\r\n\r\n");
        assertTrue(status.startsWith("HTTP/1.1 200"), status);
        String many = raw("GET /count HTTP/1.1\r\nHost: x\r\n" + "Cookie: satchel-demo=a\r\n".repeat(50)
                + "Connection: close\r\n\r\n");
        assertTrue(many.startsWith("HTTP/1.1 200"), many);
        String badEscape = raw("GET /count?user=%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertTrue(badEscape.startsWith("HTTP/1.1 400"), badEscape);
        String traversal = raw("GET /../../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
        assertTrue(traversal.startsWith("HTTP/1.1 4"), traversal);
        String broken = raw("GARBAGE\r\n\r\n");
        assertFalse(broken.startsWith("HTTP/1.1 200") || broken.startsWith("HTTP/1.1 500"), broken);
    }

    /** Sends {@code request} as ISO-8859-1 bytes on a new connection and returns the status line (or ""). */
    private String raw(String request) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), demo.port())) {
            s.setSoTimeout((int) TIMEOUT.toMillis());
            OutputStream out = s.getOutputStream();
            out.write(request.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) >= 0 && c != '\n') {
                line.write(c);
            }
            String all = line.toString(StandardCharsets.ISO_8859_1) + new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            // The JDK server answers a malformed request URI itself ("URISyntaxException thrown"), before
            // the demo sees it: a 400 naming the JDK's exception, but never a stack trace or our classes.
            assertFalse(all.contains("\tat ") || all.contains("dev.satchel"), all);
            return line.toString(StandardCharsets.ISO_8859_1).trim();
        } catch (java.net.SocketException e) {
            return ""; // the server closed the connection: also a refusal
        }
    }

    @Test
    @DisplayName("sessions survive a restart: same folder, same generated key")
    void sessionsSurviveARestart() throws Exception {
        String cookie = get("/count", null).cookie();
        assertTrue(get("/count", cookie).body().contains("counted 2 times."));
        Path keyFile = data.resolve(SigningKeySource.KEY_FILE);
        assertTrue(Files.exists(keyFile), "generated key kept next to the sessions");
        assertEquals(PosixFilePermissions.fromString("rw-------"), Files.getPosixFilePermissions(keyFile));
        demo.close();
        demo = null;
        demo = start(Map.of());
        assertTrue(get("/count", cookie).body().contains("counted 3 times."), "still there after the restart");
    }

    @Test
    @DisplayName("a key from the environment is used instead of a file; the previous key still verifies")
    void keyFromTheEnvironment() throws Exception {
        demo.close();
        demo = null;
        Path envDir = data.resolve("env");
        String oldKey = Base64.getEncoder().encodeToString(new byte[32]);
        byte[] newBytes = new byte[32];
        newBytes[0] = 1;
        String newKey = Base64.getEncoder().encodeToString(newBytes);
        DemoOptions options = DemoOptions.parse(new String[] {"--port", "0", "--dir", envDir.toString()}, Map.of());
        demo = DemoServer.start(options, Map.of(SigningKeySource.KEY_VARIABLE, oldKey));
        String cookie = get("/count", null).cookie();
        demo.close();
        demo = null;
        demo = DemoServer.start(options, Map.of(SigningKeySource.KEY_VARIABLE, newKey,
                SigningKeySource.PREVIOUS_VARIABLE, " " + oldKey + " ,"));
        Reply rotated = get("/count", cookie);
        assertTrue(rotated.body().contains("counted 2 times."), "the old key still verifies");
        assertNotNull(rotated.cookie(), "and the cookie is re-signed with the new key");
        assertFalse(Files.exists(envDir.resolve(SigningKeySource.KEY_FILE)), "no key file when the key is given");
    }

    @Test
    @DisplayName("/stats reports the cache's counters as JSON")
    void statsAsJson() throws Exception {
        String cookie = get("/count", null).cookie();
        get("/count", cookie);
        get("/count", cookie);
        Reply stats = get("/stats", null);
        assertEquals(200, stats.status());
        assertTrue(stats.body().startsWith("{\"hits\":2,"), stats.body());
        assertTrue(stats.body().contains("\"hitRate\":"));
        assertNull(stats.setCookie(), "statistics open no session");
    }
}
