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

    /** A response, its body and the value of the SID cookie it sets, if any. */
    private record Reply(int status, String body, String setCookie) {
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
    }

    private Reply request(String method, String path, String cookie) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + demo.port() + path))
                .timeout(TIMEOUT).method(method, HttpRequest.BodyPublishers.noBody());
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        Optional<String> setCookie = r.headers().firstValue("Set-Cookie");
        assertNoLeak(r.body());
        return new Reply(r.statusCode(), r.body(), setCookie.orElse(null));
    }

    private Reply get(String path, String sid) throws Exception {
        return request("GET", path, sid == null ? null : "SID=" + sid);
    }

    private static void assertNoLeak(String body) {
        assertFalse(body.contains("Exception") || body.contains("\tat ") || body.contains("dev.satchel"),
                "no stack trace or class name in a response: " + body);
    }

    @Test
    @DisplayName("visit, revisit, count, login (new id, old refused), logout (cookie expired, old refused)")
    void fullWalkThrough() throws Exception {
        Reply first = get("/", null);
        assertEquals(200, first.status());
        assertTrue(first.body().contains("Hello, stranger!"));
        assertNotNull(first.cookie(), "the first visit stores something, so it sets a cookie");
        assertTrue(first.setCookie().contains("HttpOnly"));
        assertTrue(first.setCookie().contains("SameSite=Lax"));
        assertFalse(first.setCookie().contains("Secure"), "plain HTTP on loopback: not Secure");
        String cookie = first.cookie();

        Reply again = get("/", cookie);
        assertTrue(again.body().contains("Welcome back. Your last visit was at "), again.body());
        assertTrue(again.body().contains(" from 127.0.0.1."), again.body());
        assertNull(again.cookie(), "same session, no new cookie");

        assertTrue(get("/count", cookie).body().contains("counted 1 time."));
        assertTrue(get("/count", cookie).body().contains("counted 2 times."));

        Reply login = get("/login?user=alice", cookie);
        assertEquals(200, login.status());
        assertTrue(login.body().contains("logged in as alice"));
        String loggedIn = login.cookie();
        assertNotNull(loggedIn);
        assertNotEquals(cookie.substring(0, 22), loggedIn.substring(0, 22), "the session id changed");
        assertTrue(get("/count", loggedIn).body().contains("counted 3 times."), "data kept across the rotation");
        assertTrue(get("/", loggedIn).body().contains("Welcome back, alice."));
        Reply oldAfterLogin = get("/count", cookie);
        assertTrue(oldAfterLogin.body().contains("counted 1 time."), "the pre-login cookie is refused");
        assertNotEquals(cookie, oldAfterLogin.cookie());

        Reply logout = get("/logout", loggedIn);
        assertEquals(200, logout.status());
        assertTrue(logout.expiresCookie(), "logout expires the cookie: " + logout.setCookie());
        Reply afterLogout = get("/", loggedIn);
        assertTrue(afterLogout.body().contains("Hello, stranger!"), "the old cookie is refused");
        assertNotEquals(loggedIn, afterLogout.cookie());
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
    }

    @Test
    @DisplayName("hostile cookies, paths, parameters and methods get a clear 4xx or a new session")
    void hostileInput() throws Exception {
        assertEquals(431, request("GET", "/", "SID=" + "A".repeat(100_000)).status());
        assertTrue(request("GET", "/", "SID=!!!; SID=" + "x".repeat(80) + "; =;;; ;=").body().contains("stranger"));
        assertTrue(request("GET", "/count", "SID=../../etc/passwd!abc").body().contains("counted 1 time."));
        assertEquals(404, get("/../../etc/passwd", null).status());
        assertEquals(404, get("/%2e%2e/%2e%2e/etc/passwd", null).status());
        assertEquals(404, get("/count/../stats", null).status());
        assertEquals(400, get("/login?user=../../etc/passwd", null).status());
        assertEquals(400, get("/login?user=%2e%2e%2fetc", null).status());
        assertEquals(400, get("/login?user=" + "a".repeat(33), null).status());
        assertEquals(400, get("/login", null).status());
        Reply script = get("/login?user=%3Cscript%3Ealert(1)%3C%2Fscript%3E", null);
        assertEquals(400, script.status());
        assertFalse(script.body().contains("<script>"));
        Reply wrong = request("DELETE", "/", null);
        assertEquals(405, wrong.status());
        assertEquals(405, request("PUT", "/count", null).status());
        assertEquals(405, request("POST", "/stats", null).status());
        assertEquals(200, request("POST", "/logout", null).status());
    }

    @Test
    @DisplayName("raw garbage on the socket: control bytes and non-ASCII in the cookie, a broken request line")
    void rawGarbage() throws Exception {
        String status = raw("GET / HTTP/1.1\r\nHost: x\r\nCookie: SID=\u00ff\u00fe\u0001\u0007garbage\r\nConnection: close\r\n\r\n");
        assertTrue(status.startsWith("HTTP/1.1 200"), status);
        String many = raw("GET /count HTTP/1.1\r\nHost: x\r\n" + "Cookie: SID=a\r\n".repeat(50)
                + "Connection: close\r\n\r\n");
        assertTrue(many.startsWith("HTTP/1.1 200"), many);
        String badEscape = raw("GET /login?user=%zz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
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
