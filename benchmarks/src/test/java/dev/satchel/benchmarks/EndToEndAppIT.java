package dev.satchel.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The end-to-end benchmark's application boots on real Tomcat for each filter, over a real {@code redis-server}
 * this test starts, and answers the requests the load generator sends: cookies established by {@code /login}
 * find their session on {@code /read}, {@code /write} changes it, and without a cookie a session filter's app
 * answers 403 (which the benchmark counts as an error), the no-session app 200.
 */
class EndToEndAppIT {

    private static RedisProcess redis;
    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    @BeforeAll
    static void startRedis() {
        System.clearProperty(RedisProcess.ADDRESS_PROPERTY);
        redis = RedisProcess.obtain();
    }

    @AfterAll
    static void stopRedis() {
        redis.close();
    }

    private static HttpResponse<String> get(int port, String path, String cookie) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30));
        if (cookie != null) {
            b.header("Cookie", cookie);
        }
        return CLIENT.send(b.GET().build(), HttpResponse.BodyHandlers.ofString());
    }

    @ParameterizedTest
    @EnumSource(EndToEndApp.Impl.class)
    @Timeout(value = 120, unit = TimeUnit.SECONDS)
    void answersARequestWithTheSessionOfItsCookie(EndToEndApp.Impl impl) throws Exception {
        try (EndToEndApp app = EndToEndApp.start(impl, 0, redis.host(), redis.port())) {
            List<String> cookies = EndToEndRun.establish(app.port(), 2, impl);
            assertEquals(2, cookies.size());
            boolean sessions = impl != EndToEndApp.Impl.NO_SESSION;

            HttpResponse<String> read = get(app.port(), "/read", cookies.get(1));
            assertEquals(200, read.statusCode());
            assertEquals(sessions ? "user=user-1 visits=0\n" : "user=anonymous visits=0\n", read.body());
            assertTrue(read.headers().firstValue("Set-Cookie").isEmpty(), "a read of an established session sends no new cookie");

            assertEquals(200, get(app.port(), "/write", cookies.get(1)).statusCode());
            assertEquals(sessions ? "user=user-1 visits=1\n" : "user=anonymous visits=0\n", get(app.port(), "/read", cookies.get(1)).body());
            assertEquals(sessions ? "user=user-0 visits=0\n" : "user=anonymous visits=0\n", get(app.port(), "/read", cookies.get(0)).body());

            assertEquals(sessions ? 403 : 200, get(app.port(), "/read", null).statusCode());
        }
    }
}
