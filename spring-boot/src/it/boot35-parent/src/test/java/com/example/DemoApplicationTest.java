package com.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Session;
import dev.satchel.SessionManager;
import dev.satchel.SessionStoreException;
import dev.satchel.SessionStoreUnavailableException;
import dev.satchel.store.redis.RedisSessionManager;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;

/** Starts the application under Boot's dependency management and uses a session over real HTTP. */
class DemoApplicationTest {

    static final HttpClient HTTP = HttpClient.newBuilder().followRedirects(HttpClient.Redirect.NEVER).build();

    @Test
    void logsInWithCsrfAndKeepsASessionThroughTheCache() throws Exception {
        try (ConfigurableApplicationContext app = new SpringApplicationBuilder(DemoApplication.class).properties(Map.of(
                "server.port", "0", "server.address", "127.0.0.1",
                "satchel.signing-keys", "c2F0Y2hlbC10ZXN0LWtleS0wMTIzNDU2Nzg5YWJjZGVm",
                "satchel.cache.enabled", "true", "management.endpoint.health.show-details", "always",
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

            // Boot 3.5's Actuator: the starter's indicator for its health API.
            HttpResponse<String> health = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/actuator/health"))
                    .header("Accept", "application/json").header("Cookie", cookie).build(),
                    HttpResponse.BodyHandlers.ofString());
            assertEquals(200, health.statusCode(), health.body());
            assertTrue(health.body().contains("\"satchel\":{\"status\":\"UP\"}"), health.body());

            // Flash attributes: shown once after the redirect.
            String token = send(HttpRequest.newBuilder(URI.create(base + "/csrf")), cookie).body();
            HttpResponse<String> post = send(HttpRequest.newBuilder(URI.create(base + "/notes"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString("text=milk&_csrf=" + java.net.URLEncoder.encode(token, "UTF-8"))),
                    cookie);
            assertEquals(302, post.statusCode(), post.body());
            cookie = cookie(post, cookie);
            assertEquals("message=Saved milk", send(HttpRequest.newBuilder(URI.create(base + "/notes")), cookie).body());
            assertEquals("message=null", send(HttpRequest.newBuilder(URI.create(base + "/notes")), cookie).body());
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

    /** A store that is down: every operation fails as an unreachable store does. Not scanned: a source only. */
    static class UnreachableStore {
        @Bean
        SessionManager satchelSessionManager() {
            return new SessionManager() {
                private SessionStoreUnavailableException down() {
                    return new SessionStoreUnavailableException("store down (test)", null);
                }

                @Override public Session newSession() { throw down(); }
                @Override public boolean exists(String sid) { throw down(); }
                @Override public Optional<Session> get(String sid) { throw down(); }
                @Override public boolean put(Session session) { throw down(); }
                @Override public void remove(String sid) { throw down(); }
                @Override public void close() {}
            };
        }
    }

    @Test
    void theHealthIsDownWithTheFailuresTypeWhenTheStoreFails() throws Exception {
        try (ConfigurableApplicationContext app = new SpringApplicationBuilder(DemoApplication.class, UnreachableStore.class)
                .properties(Map.of("server.port", "0", "server.address", "127.0.0.1",
                        "satchel.signing-keys", "c2F0Y2hlbC10ZXN0LWtleS0wMTIzNDU2Nzg5YWJjZGVm")).run()) {
            Health health = app.getBean("satchelHealthIndicator", HealthIndicator.class).health();
            assertEquals(Status.DOWN, health.getStatus());
            assertEquals(Map.of("error", SessionStoreUnavailableException.class.getName()), health.getDetails());
        }
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
