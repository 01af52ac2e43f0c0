package com.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.satchel.SessionManager;
import dev.satchel.SessionStoreException;
import dev.satchel.store.redis.RedisSessionManager;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** Starts the application under Boot's BOM imported after satchel-bom and uses a session over real HTTP. */
class DemoApplicationTest {

    static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    @Test
    void logsInWithCsrfAndKeepsASessionThroughTheCache() throws Exception {
        try (ConfigurableApplicationContext app = new SpringApplicationBuilder(DemoApplication.class).properties(Map.of(
                "server.port", "0", "server.address", "127.0.0.1",
                "satchel.signing-keys", "c2F0Y2hlbC10ZXN0LWtleS0wMTIzNDU2Nzg5YWJjZGVm",
                "satchel.cache.enabled", "true",
                "spring.security.user.name", "alice", "spring.security.user.password", "secret-password-1")).run()) {
            String base = "http://127.0.0.1:" + app.getEnvironment().getProperty("local.server.port");
            HttpResponse<String> page = send(HttpRequest.newBuilder(URI.create(base + "/login")), null);
            String cookie = cookie(page, null);
            Matcher csrf = Pattern.compile("name=\"_csrf\"[^>]*value=\"([^\"]+)\"").matcher(page.body());
            csrf.find();
            HttpResponse<String> login = send(HttpRequest.newBuilder(URI.create(base + "/login"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("username=alice&password=secret-password-1&_csrf="
                            + java.net.URLEncoder.encode(csrf.group(1), "UTF-8"))), cookie);
            assertEquals(302, login.statusCode(), login.body());
            cookie = cookie(login, cookie);
            assertEquals("alice 1", send(HttpRequest.newBuilder(URI.create(base + "/visits")), cookie).body());
            assertEquals("alice 2", send(HttpRequest.newBuilder(URI.create(base + "/visits")), cookie).body());
        }
    }

    @Test
    void jedisLinksAndANoRedisIsAStoreFailure() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        // A NoClassDefFoundError here (Jedis 8's RedisClient missing) is what a downgraded Jedis gives.
        assertThrows(SessionStoreException.class, () -> {
            try (SessionManager m = RedisSessionManager.builder().uri("redis://127.0.0.1:" + port).build()) {
                m.exists("AAAAAAAAAAAAAAAAAAAAAA");
            }
        });
    }

    static HttpResponse<String> send(HttpRequest.Builder b, String cookie) throws Exception {
        b.header("Accept", "text/html");
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String cookie(HttpResponse<String> r, String before) {
        return r.headers().allValues("Set-Cookie").stream().map(c -> c.split(";", 2)[0])
                .filter(c -> c.startsWith("__Host-SID=")).reduce((x, y) -> y).orElse(before);
    }
}
