package dev.satchel.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code --store redis://…} against a {@code redis-server} this test starts on a free loopback port (data
 * under {@code target/}), and {@code --store riak://…} against a port nobody listens on: the same page over
 * another store, and a clear 503 when the store is away.
 */
class StoreChoiceIT {

    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(TIMEOUT).build();
    private Process redis;
    private DemoServer demo;

    @AfterEach
    void stop() throws InterruptedException {
        if (demo != null) {
            demo.close();
        }
        if (redis != null) {
            redis.destroy();
            if (!redis.waitFor(10, TimeUnit.SECONDS)) {
                redis.destroyForcibly().waitFor();
            }
        }
    }

    @Test
    @DisplayName("--store redis://: visit, login and logout over Redis; the page shows the session's hash")
    void redis() throws Exception {
        int port = startRedis();
        Path data = Files.createTempDirectory(target(), "demo-data-");
        demo = DemoServer.start(DemoOptions.parse(new String[] {"--port", "0", "--dir", data.toString(), "--store",
                "redis://127.0.0.1:" + port + "/3"}, Map.of()), Map.of());
        HttpResponse<String> first = get("/", null);
        assertEquals(200, first.statusCode());
        String cookie = cookie(first);
        String sid = cookie.substring(0, 22);
        assertTrue(first.body().contains("HGETALL satchel:session:{" + sid + "}"), first.body());
        assertTrue(first.body().contains("\nrandval <mark class=\"secret\""), "randval masked: " + first.body());
        assertTrue(first.body().contains("a:lastVisit "), "one field per attribute");
        assertTrue(first.body().contains("Sessions: Redis at 127.0.0.1:" + port + ","), "the store named");

        HttpResponse<String> again = get("/", cookie);
        assertTrue(again.body().contains("Welcome back."), again.body());
        String token = token(again.body());
        HttpResponse<String> login = post("/login", cookie, "user=alice&csrf=" + token);
        assertEquals(303, login.statusCode());
        String loggedIn = cookie(login);
        assertNotEquals(sid, loggedIn.substring(0, 22));
        HttpResponse<String> home = get("/", loggedIn);
        assertTrue(home.body().contains("Hello, <strong>alice</strong>!"));
        assertTrue(home.body().contains("</s></code></td><td>gone from the store"), home.body());
        assertTrue(home.body().contains("\nprincipal alice\n"), home.body());
        HttpResponse<String> logout = post("/logout", loggedIn, "csrf=" + token(home.body()));
        assertEquals(200, logout.statusCode());
        assertTrue(logout.body().contains("id=\"stored-gone\""), "the hash is gone: " + logout.body());
        assertTrue(get("/", loggedIn).body().contains("did not verify"));
    }

    @Test
    @DisplayName("--store riak:// with no Riak listening: the demo starts, a visit is a 503, no stack trace")
    void riakAway() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort(); // closed again: nobody listens there
        }
        Path data = Files.createTempDirectory(target(), "demo-data-");
        demo = DemoServer.start(DemoOptions.parse(new String[] {"--port", "0", "--dir", data.toString(), "--store",
                "riak://127.0.0.1:" + port + "/types/sessions/buckets/demo"}, Map.of()), Map.of());
        HttpResponse<String> r = get("/", null);
        assertEquals(503, r.statusCode());
        assertEquals("The session store is unavailable; try again later.\n", r.body());
        assertEquals(200, get("/stats", null).statusCode(), "what needs no session still works");
    }

    private int startRedis() throws Exception {
        Path server = Path.of("/usr/bin/redis-server");
        if (!Files.isExecutable(server)) {
            fail("This test needs redis-server: apt-get install redis-server (.ci/run installs it)");
        }
        Path dir = Files.createTempDirectory(target(), "redis-");
        for (int attempt = 0; attempt < 5; attempt++) {
            int port;
            try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = probe.getLocalPort();
            }
            redis = new ProcessBuilder(List.of(server.toString(), "--port", Integer.toString(port), "--bind",
                    "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir.toString()))
                    .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (redis.isAlive() && System.nanoTime() < deadline) {
                if (pong(port)) {
                    return port;
                }
                Thread.sleep(50); // polling for the server to come up, with a deadline
            }
            redis.destroyForcibly().waitFor(); // the port was taken meanwhile: try another
        }
        fail("redis-server did not start; see " + dir.resolve("redis.log"));
        return -1;
    }

    private static boolean pong(int port) {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), port)) {
            s.setSoTimeout(1000);
            s.getOutputStream().write("PING\r\n".getBytes(StandardCharsets.US_ASCII));
            byte[] reply = s.getInputStream().readNBytes(7);
            return new String(reply, StandardCharsets.US_ASCII).equals("+PONG\r\n");
        } catch (IOException e) {
            return false;
        }
    }

    private static Path target() throws IOException {
        return Files.createDirectories(Path.of(System.getProperty("basedir", ".")).toAbsolutePath()
                .resolve("target").resolve("store-choice-it"));
    }

    private HttpResponse<String> get(String path, String cookie) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + demo.port() + path))
                .timeout(TIMEOUT);
        if (cookie != null) {
            b.header("Cookie", DemoServer.COOKIE_NAME + "=" + cookie);
        }
        HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        assertFalse(r.body().contains("Exception") || r.body().contains("\tat "), r.body());
        return r;
    }

    private HttpResponse<String> post(String path, String cookie, String form) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + demo.port() + path)).timeout(TIMEOUT)
                .header("Cookie", DemoServer.COOKIE_NAME + "=" + cookie)
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String cookie(HttpResponse<String> r) {
        String header = r.headers().firstValue("Set-Cookie").orElse(null);
        assertNotNull(header, "a cookie was set");
        return header.substring(header.indexOf('=') + 1, header.indexOf(';'));
    }

    private static String token(String body) {
        String marker = "name=\"csrf\" value=\"";
        int at = body.indexOf(marker) + marker.length();
        return body.substring(at, body.indexOf('"', at));
    }
}
