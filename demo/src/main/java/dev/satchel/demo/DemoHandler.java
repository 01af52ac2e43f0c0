package dev.satchel.demo;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.satchel.HttpSessions;
import dev.satchel.Session;
import dev.satchel.SessionStoreException;
import dev.satchel.store.caching.CacheStats;
import dev.satchel.store.caching.CachingSessionManager;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every request of the demo: {@code /} (greets a stranger, then shows the time and address of the last
 * visit), {@code /count}, {@code /login?user=NAME}, {@code /logout} and {@code /stats}. Anything else is a
 * 404, a wrong method a 405, an oversized cookie header a 431, a bad user name a 400, a failing store a
 * 503; no response ever carries a stack trace.
 */
final class DemoHandler implements HttpHandler {

    /** Longest Cookie header accepted, all Cookie headers of a request together. */
    static final int MAX_COOKIE_HEADER = 8 * 1024;
    /** Longest query string accepted. */
    static final int MAX_QUERY = 1024;
    /** Longest user name accepted. */
    static final int MAX_USER = 32;

    private static final Logger LOG = LoggerFactory.getLogger(DemoHandler.class);

    private final HttpSessions sessions;
    private final CachingSessionManager cache;
    private final Clock clock;

    DemoHandler(HttpSessions sessions, CachingSessionManager cache, Clock clock) {
        this.sessions = sessions;
        this.cache = cache;
        this.clock = clock;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try {
            route(exchange);
        } catch (SessionStoreException e) {
            LOG.warn("The session store failed", e);
            send(exchange, 503, "text/plain", "The session store is unavailable; try again later.\n", null);
        } catch (RuntimeException e) {
            LOG.error("A request failed", e);
            send(exchange, 500, "text/plain", "Something went wrong on our side.\n", null);
        } finally {
            exchange.close();
        }
    }

    private void route(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getRawPath();
        String method = exchange.getRequestMethod();
        switch (path == null ? "" : path) {
            case "/":
                if (allow(exchange, method, "GET")) {
                    home(exchange);
                }
                break;
            case "/count":
                if (allow(exchange, method, "GET")) {
                    count(exchange);
                }
                break;
            case "/login":
                if (allow(exchange, method, "GET", "POST")) {
                    login(exchange);
                }
                break;
            case "/logout":
                if (allow(exchange, method, "GET", "POST")) {
                    logout(exchange);
                }
                break;
            case "/stats":
                if (allow(exchange, method, "GET")) {
                    stats(exchange);
                }
                break;
            default:
                send(exchange, 404, "text/html", Html.page("Not found", "There is no such page here."), null);
        }
    }

    private void home(HttpExchange exchange) throws IOException {
        Session s = open(exchange);
        if (s == null) {
            return;
        }
        Long last = s.get("lastVisit", Long.class);
        String from = s.get("lastAddress", String.class);
        String who = s.principal().map(p -> ", " + p).orElse("");
        String message = last == null
                ? "Hello, stranger! Come back to see when you were last here."
                : "Welcome back" + who + ". Your last visit was at " + Instant.ofEpochMilli(last) + " from "
                        + (from == null ? "an unknown address" : from) + ".";
        s.put("lastVisit", clock.millis());
        s.put("lastAddress", exchange.getRemoteAddress().getAddress().getHostAddress());
        reply(exchange, s, last == null ? "Hello" : "Welcome back", message);
    }

    private void count(HttpExchange exchange) throws IOException {
        Session s = open(exchange);
        if (s == null) {
            return;
        }
        Integer n = s.get("count", Integer.class);
        int count = n == null ? 1 : n + 1;
        s.put("count", count);
        reply(exchange, s, "Counter", "You have been counted " + count + (count == 1 ? " time." : " times."));
    }

    private void login(HttpExchange exchange) throws IOException {
        String user = userParameter(exchange.getRequestURI().getRawQuery());
        if (user == null) {
            send(exchange, 400, "text/html", Html.page("Bad user name",
                    "Give ?user=NAME: 1 to " + MAX_USER + " letters, digits, '.', '_' or '-'."), null);
            return;
        }
        Session s = open(exchange);
        if (s == null) {
            return;
        }
        // A new id before the privilege changes: an id known before the login is worthless after it.
        if (!sessions.rotateId(s)) {
            reply(exchange, s, "Session ended", "Your session ended meanwhile; please try again.");
            return;
        }
        s.setPrincipal(user);
        reply(exchange, s, "Logged in", "You are logged in as " + user + ".");
    }

    private void logout(HttpExchange exchange) throws IOException {
        Session s = open(exchange);
        if (s == null) {
            return;
        }
        sessions.invalidate(s);
        reply(exchange, s, "Logged out", "Your session is gone; its cookie no longer works.");
    }

    private void stats(HttpExchange exchange) throws IOException {
        CacheStats st = cache.stats();
        String json = String.format(Locale.ROOT,
                "{\"hits\":%d,\"negativeHits\":%d,\"misses\":%d,\"loadSuccesses\":%d,\"loadFailures\":%d,"
                        + "\"evictions\":%d,\"hitRate\":%.4f,\"averageLoadMillis\":%.3f}%n",
                st.hits(), st.negativeHits(), st.misses(), st.loadSuccesses(), st.loadFailures(), st.evictions(),
                st.hitRate(), st.averageLoadNanos() / 1e6);
        send(exchange, 200, "application/json", json, null);
    }

    /** The request's session, or {@code null} after answering 431 to an oversized Cookie header. */
    private Session open(HttpExchange exchange) throws IOException {
        List<String> cookies = exchange.getRequestHeaders().get("Cookie");
        String header = null;
        if (cookies != null && !cookies.isEmpty()) {
            int length = 0;
            for (String c : cookies) {
                length += c.length() + 2;
            }
            if (length > MAX_COOKIE_HEADER) {
                send(exchange, 431, "text/plain", "Cookie header too large.\n", null);
                return null;
            }
            header = String.join("; ", cookies);
        }
        return sessions.open(header);
    }

    private void reply(HttpExchange exchange, Session s, String heading, String message) throws IOException {
        Optional<String> setCookie = sessions.commit(s);
        send(exchange, 200, "text/html", Html.page(heading, message), setCookie.orElse(null));
    }

    private static boolean allow(HttpExchange exchange, String method, String... allowed) throws IOException {
        for (String a : allowed) {
            if (a.equals(method)) {
                return true;
            }
        }
        exchange.getResponseHeaders().set("Allow", String.join(", ", allowed));
        send(exchange, 405, "text/plain", "Method not allowed.\n", null);
        return false;
    }

    /** The checked {@code user} parameter of {@code rawQuery}, or {@code null} when missing or not acceptable. */
    static String userParameter(String rawQuery) {
        if (rawQuery == null || rawQuery.length() > MAX_QUERY) {
            return null;
        }
        for (String pair : rawQuery.split("&")) {
            if (pair.startsWith("user=")) {
                String user;
                try {
                    user = URLDecoder.decode(pair.substring(5), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    return null; // a broken %-escape
                }
                return isUserName(user) ? user : null;
            }
        }
        return null;
    }

    static boolean isUserName(String user) {
        if (user.isEmpty() || user.length() > MAX_USER) {
            return false;
        }
        for (int i = 0; i < user.length(); i++) {
            char c = user.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '_' || c == '-';
            if (!ok) {
                return false;
            }
        }
        return !user.startsWith(".");
    }

    private static void send(HttpExchange exchange, int status, String type, String body, String setCookie)
            throws IOException {
        Headers h = exchange.getResponseHeaders();
        h.set("Content-Type", type + "; charset=utf-8");
        h.set("Cache-Control", "no-store");
        h.set("X-Content-Type-Options", "nosniff");
        h.set("Content-Security-Policy", "default-src 'none'");
        h.set("Referrer-Policy", "no-referrer");
        if (setCookie != null) {
            h.add("Set-Cookie", setCookie);
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        boolean head = "HEAD".equals(exchange.getRequestMethod());
        exchange.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }
}
