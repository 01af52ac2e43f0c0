package dev.satchel.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 21: the JDK server writes a response's headers and its body separately; without
 * {@code TCP_NODELAY} the body then waits for the client's delayed ACK (about 40 ms on Linux) on every
 * request of a kept-alive connection, which is how every browser talks to the demo. A fresh connection
 * does not wait (the client acknowledges at once while the connection is young), so it is the yardstick:
 * the same requests over one kept-alive connection, taken in turns with them, must not take 20 ms longer.
 * Stalls are counted, not milliseconds, so a slow or busy machine does not fail the test; a missing
 * {@code TCP_NODELAY} makes nearly every request stall (a {@code HEAD} excepted: headers alone are one write). Check that it does:
 * {@code mvn -B -pl demo -am verify -Dit.test=KeepAliveLatencyIT -Dfailsafe.failIfNoSpecifiedTests=false
 * -Dtest=none -Dsurefire.failIfNoSpecifiedTests=false -DargLine=-Dsun.net.httpserver.nodelay=false}.
 */
class KeepAliveLatencyIT {

    private static final int REQUESTS = 40;
    private static final int TIMEOUT_MILLIS = 30_000;
    /**
     * A stall is a request this much slower than the median over fresh connections. Nagle meeting a
     * delayed ACK adds at least 40 ms (Linux's shortest delayed-ACK timeout) whatever the machine's speed,
     * so the yardstick is additive: on a loaded machine a fresh request takes longer, and so does a stalled
     * one.
     */
    private static final double STALL_MARGIN_MILLIS = 20;
    /**
     * Stalls tolerated per kind of request: a slow fsync (a visit writes its session file) or a GC pause on
     * a busy machine is not Nagle, and hits a few requests at random. Without {@code TCP_NODELAY} all but
     * the first request of a connection stall (39 of 40 measured), so a quarter leaves a wide margin both ways.
     */
    private static final int STALLS_TOLERATED = REQUESTS / 4;

    @TempDir
    Path data;

    private DemoServer demo;

    @BeforeEach
    void startDemo() throws IOException {
        demo = DemoServer.start(DemoOptions.parse(new String[] {"--port", "0", "--dir", data.toString()}, Map.of()),
                Map.of());
    }

    @AfterEach
    void stopDemo() {
        if (demo != null) {
            demo.close();
        }
    }

    /** One kind of request: a path and the extra header lines sent with it. */
    private record Kind(String name, String method, String path, String headers) {}

    @Test
    @DisplayName("requests over one kept-alive connection are no slower than over fresh connections")
    void noStallsOnAKeptAliveConnection() throws Exception {
        String cookie;
        try (RawHttp c = new RawHttp(demo.port(), TIMEOUT_MILLIS)) {
            RawHttp.Response first = c.send("GET", "/", "");
            assertEquals(200, first.status());
            String setCookie = first.header("Set-Cookie");
            assertNotNull(setCookie, "a first visit stores a session");
            cookie = setCookie.substring(0, setCookie.indexOf(';'));
        }
        List<Kind> kinds = List.of(
                new Kind("/stats (no session)", "GET", "/stats", ""),
                new Kind("/ for a new visitor (stores a session)", "GET", "/", ""),
                new Kind("/ revisit with a valid cookie", "GET", "/", "Cookie: " + cookie + "\r\n"),
                new Kind("/count (writes the session)", "GET", "/count", "Cookie: " + cookie + "\r\n"),
                new Kind("HEAD /", "HEAD", "/", "Cookie: " + cookie + "\r\n"),
                new Kind("/style.css", "GET", "/style.css", ""));
        for (Kind kind : kinds) { // warm up: the JIT, the cache, the file system
            measure(kind, REQUESTS / 2);
        }
        List<String> failures = new ArrayList<>();
        for (Kind kind : kinds) {
            double[][] times = measure(kind, REQUESTS);
            double[] fresh = times[0];
            double[] kept = times[1];
            double limit = median(fresh) + STALL_MARGIN_MILLIS;
            long stalls = Arrays.stream(kept).filter(t -> t > limit).count();
            String line = String.format(java.util.Locale.ROOT,
                    "%s: fresh median %.2f ms, kept-alive median %.2f ms, max %.2f ms, %d of %d over %.1f ms",
                    kind.name(), median(fresh), median(kept), Arrays.stream(kept).max().orElse(0), stalls, REQUESTS,
                    limit);
            System.out.println(line);
            if (stalls > STALLS_TOLERATED) {
                failures.add(line);
            }
        }
        assertTrue(failures.isEmpty(), "stalls on a kept-alive connection (is TCP_NODELAY off?):\n"
                + String.join("\n", failures));
    }

    /**
     * Milliseconds of {@code n} requests each over a connection of its own ({@code [0]}) and of {@code n}
     * requests one after the other over one kept-alive connection ({@code [1]}), taken in turns so that
     * both meet the same load on the machine.
     */
    private double[][] measure(Kind kind, int n) throws IOException {
        double[][] millis = new double[2][n];
        try (RawHttp kept = new RawHttp(demo.port(), TIMEOUT_MILLIS)) {
            for (int i = 0; i < n; i++) {
                try (RawHttp fresh = new RawHttp(demo.port(), TIMEOUT_MILLIS)) {
                    long start = System.nanoTime();
                    check(kind, fresh.send(kind.method(), kind.path(), kind.headers()));
                    millis[0][i] = (System.nanoTime() - start) / 1e6;
                }
                long start = System.nanoTime();
                RawHttp.Response r = kept.send(kind.method(), kind.path(), kind.headers());
                millis[1][i] = (System.nanoTime() - start) / 1e6;
                check(kind, r);
                assertNull(r.header("Connection"), "the server keeps the connection open");
            }
        }
        return millis;
    }

    private static void check(Kind kind, RawHttp.Response r) {
        assertEquals(200, r.status(), kind.name());
        assertTrue(kind.method().equals("HEAD") || !r.body().isEmpty(), kind.name());
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[sorted.length / 2];
    }
}
