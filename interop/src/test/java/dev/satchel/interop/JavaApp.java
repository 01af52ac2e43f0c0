package dev.satchel.interop;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.satchel.CookieSpec;
import dev.satchel.HttpSessions;
import dev.satchel.Session;
import dev.satchel.SessionManager;
import dev.satchel.SigningKeys;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The Java side of the shared session: a tiny app on the JDK's HttpServer, {@link HttpSessions} over a store's
 * manager with no cache in between (so another language's write is seen at the next request), with the very
 * endpoints of the PHP and Python test apps:
 * <ul>
 *   <li>{@code /count}: increments attribute {@code count}; answers its new value;</li>
 *   <li>{@code /inc?name=N}: increments attribute {@code N}; answers its new value;</li>
 *   <li>{@code /get?name=N}: answers the JSON of attribute {@code N}, or {@code -};</li>
 *   <li>{@code /login?user=U}: sets the principal and rotates the id; answers {@code ok}, or {@code gone};</li>
 *   <li>{@code /whoami}: answers the principal, or {@code -};</li>
 *   <li>{@code /logout}: invalidates the session; answers {@code bye};</li>
 *   <li>{@code /hold?name=N&gate=F}: opens the session, creates file {@code F.loaded}, waits until file {@code F}
 *       exists, then increments {@code N} — a request that straddles another one.</li>
 * </ul>
 */
final class JavaApp implements Side, AutoCloseable {

    private final HttpServer server;
    private final ExecutorService executor;
    private final HttpSessions sessions;

    private JavaApp(HttpSessions sessions) throws IOException {
        this.sessions = sessions;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        this.executor = Executors.newFixedThreadPool(12);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    /** Serves {@code manager}'s sessions with cookie {@code cookie} (plain HTTP: not Secure) signed with {@code keys}. */
    static JavaApp start(SessionManager manager, SigningKeys keys, String cookie) {
        try {
            return new JavaApp(HttpSessions.builder().manager(manager).signingKeys(keys)
                    .cookie(CookieSpec.named(cookie).secure(false))
                    .idleTimeout(Duration.ofMinutes(30)).absoluteTimeout(Duration.ofHours(12)).build());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }

    @Override
    public String toString() {
        return "java";
    }

    private void handle(HttpExchange exchange) throws IOException {
        int status = 200;
        String body;
        try {
            List<String> cookies = exchange.getRequestHeaders().get("Cookie");
            Session session = sessions.open(cookies == null ? null : String.join("; ", cookies));
            Map<String, String> q = query(exchange.getRequestURI().getRawQuery());
            switch (exchange.getRequestURI().getPath()) {
                case "/health":
                    body = "ok";
                    break;
                case "/count":
                    body = increment(session, "count");
                    break;
                case "/inc":
                    body = increment(session, q.get("name"));
                    break;
                case "/get":
                    String json = session.getJson(q.get("name"));
                    body = json == null ? "-" : json;
                    break;
                case "/login":
                    session.setPrincipal(q.get("user"));
                    body = sessions.rotateId(session) ? "ok" : "gone";
                    break;
                case "/whoami":
                    body = session.principal().orElse("-");
                    break;
                case "/logout":
                    sessions.invalidate(session);
                    body = "bye";
                    break;
                case "/hold":
                    Path gate = Path.of(q.get("gate"));
                    Files.createFile(Path.of(gate + ".loaded"));
                    Gates.await(gate);
                    body = increment(session, q.get("name"));
                    break;
                default:
                    status = 404;
                    body = "no such page";
            }
            sessions.commit(session).ifPresent(c -> exchange.getResponseHeaders().add("Set-Cookie", c));
        } catch (RuntimeException e) {
            status = 500;
            body = e.toString();
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    private static String increment(Session session, String name) {
        Integer n = session.get(name, Integer.class);
        int next = n == null ? 1 : n + 1;
        session.put(name, next);
        return Integer.toString(next);
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                if (eq > 0) {
                    q.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
                }
            }
        }
        return q;
    }
}
