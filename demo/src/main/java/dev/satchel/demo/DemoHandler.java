package dev.satchel.demo;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.satchel.CookieSpec;
import dev.satchel.HttpSessions;
import dev.satchel.Session;
import dev.satchel.SessionStoreException;
import dev.satchel.store.caching.CachingSessionManager;
import java.io.IOException;
import java.io.InputStream;
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
 * Every request of the demo. {@code GET} (and {@code HEAD}, the same without the body) for what is
 * harmless: {@code /} (the visit, the cookie taken apart, the stored document, the cache counters),
 * {@code /count}, {@code /stats} (JSON), the stylesheet, script and icon. {@code POST} forms carrying the
 * session's CSRF token for what changes who you are: {@code /login} (new id, then a redirect to
 * {@code /}) and {@code /logout}. Anything else is a 404, a wrong method a 405, an oversized cookie header
 * a 431, a form without its token a 403, a bad user name a 400, a failing store a 503; no response ever
 * carries a stack trace. Every response is written as one fixed-length body after its headers.
 */
final class DemoHandler implements HttpHandler {

    /** Longest Cookie header accepted, all Cookie headers of a request together. */
    static final int MAX_COOKIE_HEADER = 8 * 1024;
    /** Longest form body accepted. */
    static final int MAX_FORM = 4 * 1024;
    /** Longest user name accepted. */
    static final int MAX_USER = 32;

    /** Our own script, style and icon only; forms post only here; no framing. */
    static final String CONTENT_SECURITY_POLICY = "default-src 'none'; script-src 'self'; style-src 'self'; "
            + "img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

    private static final Logger LOG = LoggerFactory.getLogger(DemoHandler.class);
    private static final String HTML = "text/html; charset=utf-8";
    private static final String TEXT = "text/plain; charset=utf-8";
    private static final String FORM = "application/x-www-form-urlencoded";

    /** The session attribute that remembers the last login, shown on the home page. */
    record Login(String user, String before, String after, long at) {}

    private final HttpSessions sessions;
    private final CachingSessionManager cache;
    private final DemoStore store;
    private final Clock clock;
    private final StaticFiles files;
    private final String cookieAttributes;

    DemoHandler(HttpSessions sessions, CachingSessionManager cache, DemoStore store, Clock clock, StaticFiles files) {
        this.sessions = sessions;
        this.cache = cache;
        this.store = store;
        this.clock = clock;
        this.files = files;
        this.cookieAttributes = attributes(sessions.cookie());
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try {
            route(exchange);
        } catch (SessionStoreException e) {
            LOG.warn("The session store failed", e);
            send(exchange, 503, TEXT, "The session store is unavailable; try again later.\n", null);
        } catch (RuntimeException e) {
            LOG.error("A request failed", e);
            send(exchange, 500, TEXT, "Something went wrong on our side.\n", null);
        } finally {
            exchange.close();
        }
    }

    private void route(HttpExchange exchange) throws IOException {
        String path = exchange.getRequestURI().getRawPath();
        path = path == null ? "" : path;
        String cookieHeader;
        try {
            cookieHeader = cookieHeader(exchange);
        } catch (IllegalArgumentException tooLarge) {
            send(exchange, 431, TEXT, "Cookie header too large.\n", null);
            return;
        }
        StaticFiles.File file = files.get(path);
        if (file != null) {
            if (allow(exchange, cookieHeader, "GET")) {
                sendStatic(exchange, file);
            }
            return;
        }
        switch (path) {
            case "/stats":
                if (allow(exchange, cookieHeader, "GET")) {
                    send(exchange, 200, "application/json; charset=utf-8", Html.statsJson(cache.stats()), null);
                }
                break;
            case "/":
                if (allow(exchange, cookieHeader, "GET")) {
                    home(exchange, cookieHeader);
                }
                break;
            case "/count":
                if (allow(exchange, cookieHeader, "GET")) {
                    count(exchange, cookieHeader);
                }
                break;
            case "/login":
                if (allow(exchange, cookieHeader, "POST")) {
                    login(exchange, cookieHeader);
                }
                break;
            case "/logout":
                if (allow(exchange, cookieHeader, "POST")) {
                    logout(exchange, cookieHeader);
                }
                break;
            default:
                refuse(exchange, cookieHeader, 404, "Not found", "There is no such page here.");
        }
    }

    private void home(HttpExchange exchange, String cookieHeader) throws IOException {
        Session s = sessions.open(cookieHeader);
        boolean refused = s.isNew() && sentOurCookie(cookieHeader);
        String user = s.principal().orElse(null);
        Long last = s.get("lastVisit", Long.class);
        String from = s.get("lastAddress", String.class);
        String message;
        if (last != null) {
            message = "Welcome back" + (user == null ? "" : ", " + user) + ". Your last visit was at "
                    + Instant.ofEpochMilli(last) + " from " + (from == null ? "an unknown address" : from) + ".";
        } else if (user != null) {
            message = "Welcome, " + user + "! This is your first visit; come back to see when you were last here.";
        } else {
            message = "Hello, stranger! Come back to see when you were last here.";
        }
        s.put("lastVisit", clock.millis());
        s.put("lastAddress", exchange.getRemoteAddress().getAddress().getHostAddress());
        Html.Chrome chrome = chrome(s, "/", true);
        Login login = s.get("login", Login.class);
        Optional<String> setCookie = sessions.commit(s);
        StringBuilder content = new StringBuilder(8192);
        if (refused) {
            content.append(Html.notice("Your browser sent a " + sessions.cookie().name() + " cookie that did not "
                    + "verify (tampered with, forged, logged out or expired), so this is a new session with a new id."));
        }
        content.append("<section aria-labelledby=\"visit-h\"><h2 id=\"visit-h\">Your visit</h2>\n")
                .append(Html.message(message)).append("</section>\n");
        if (login != null) {
            content.append(Html.login(login.user(), Instant.ofEpochMilli(login.at()), login.before(), login.after(),
                    store.view.read(login.before()) == null));
        }
        sessionSections(content, s, cookieHeader, setCookie);
        content.append(Html.stats(cache.stats()));
        send(exchange, 200, HTML, Html.page(last == null ? "Hello" : "Welcome back", chrome, content.toString()),
                setCookie.orElse(null));
    }

    private void count(HttpExchange exchange, String cookieHeader) throws IOException {
        Session s = sessions.open(cookieHeader);
        Integer n = s.get("count", Integer.class);
        int count = n == null ? 1 : n + 1;
        s.put("count", count);
        Html.Chrome chrome = chrome(s, "/count", true);
        Optional<String> setCookie = sessions.commit(s);
        StringBuilder content = new StringBuilder(4096)
                .append(Html.message("You have been counted " + count + (count == 1 ? " time." : " times.")));
        sessionSections(content, s, cookieHeader, setCookie);
        send(exchange, 200, HTML, Html.page("Counter", chrome, content.toString()), setCookie.orElse(null));
    }

    private void login(HttpExchange exchange, String cookieHeader) throws IOException {
        Posted posted = posted(exchange, cookieHeader);
        if (posted == null) {
            return;
        }
        Session s = posted.session();
        String user = field(posted.form(), "user");
        if (user == null || !isUserName(user)) {
            send(exchange, 400, HTML, Html.page("Bad user name", chrome(s, "/login", false),
                    Html.message("A user name is 1 to " + MAX_USER + " letters, digits, '.', '_' or '-', not starting "
                            + "with '.'.")), null);
            return;
        }
        String before = s.id();
        // A new id before the privilege changes: an id known before the login is worthless after it.
        if (!sessions.rotateId(s)) {
            send(exchange, 409, HTML, Html.page("Session ended", chrome(s, "/login", false),
                    Html.message("Your session ended meanwhile; please try again.")), sessions.commit(s).orElse(null));
            return;
        }
        s.setPrincipal(user);
        s.put("login", new Login(user, before, s.id(), clock.millis()));
        CsrfTokens.renew(s);
        String setCookie = sessions.commit(s).orElse(null);
        // Post, redirect, get: reloading the page that follows does not send the form again.
        exchange.getResponseHeaders().set("Location", "/");
        send(exchange, 303, HTML, Html.page("Logged in", new Html.Chrome("/login", user, null, store.description),
                Html.message("You are logged in as " + user + ". Continue to the home page.")
                        + "<p><a href=\"/\">Continue</a></p>\n"), setCookie);
    }

    private void logout(HttpExchange exchange, String cookieHeader) throws IOException {
        Posted posted = posted(exchange, cookieHeader);
        if (posted == null) {
            return;
        }
        Session s = posted.session();
        String before = s.id();
        sessions.invalidate(s);
        String setCookie = sessions.commit(s).orElse(null);
        String content = "<section aria-labelledby=\"bye-h\"><h2 id=\"bye-h\">Goodbye</h2>\n"
                + Html.message("Your session is gone; its cookie no longer works.")
                + "<p><a href=\"/\">Start a new visit</a></p></section>\n"
                + Html.logout(setCookie, before, store.view.read(before));
        send(exchange, 200, HTML, Html.page("Logged out", new Html.Chrome("/logout", null, null, store.description),
                content), setCookie);
    }

    /** The cookie taken apart and the stored document, as they are after this response. */
    private void sessionSections(StringBuilder content, Session s, String cookieHeader, Optional<String> setCookie) {
        String name = sessions.cookie().name();
        String value;
        String attributes;
        if (setCookie.isPresent()) {
            String header = setCookie.get();
            int semicolon = header.indexOf(';');
            value = header.substring(name.length() + 1, semicolon);
            attributes = header.substring(semicolon + 2);
        } else {
            value = ourCookieValue(cookieHeader, s.id());
            attributes = cookieAttributes;
        }
        if (value == null || value.isEmpty()) {
            content.append(Html.notice("Your session ended during this request; your browser is told to drop its cookie."));
            return;
        }
        content.append(Html.cookie(new Html.Cookie(name, value, attributes, setCookie.isPresent())));
        content.append(Html.stored("What the store holds", store.view.read(s.id())));
    }

    /** A form that came back with its session's token. */
    private record Posted(Session session, String form) {}

    /**
     * The session and form of a POST whose {@code csrf} field is the session's token, or {@code null} after
     * answering 415, 413 or 403 (then nothing was changed or stored).
     */
    private Posted posted(HttpExchange exchange, String cookieHeader) throws IOException {
        String form = form(exchange);
        if (form == null) {
            return null;
        }
        Session s = sessions.open(cookieHeader);
        if (!CsrfTokens.matches(s, field(form, CsrfTokens.NAME))) {
            send(exchange, 403, HTML, Html.page("Form refused", chrome(s, "", false),
                    Html.message("This form has expired or did not come from this site's page, so nothing was "
                            + "changed. Reload the page and try again.")), null);
            return null;
        }
        return new Posted(s, form);
    }

    /**
     * Answers a request that gets no page of its own, greeting the visitor without storing anything: the
     * session is opened to read the principal, never committed.
     */
    private void refuse(HttpExchange exchange, String cookieHeader, int status, String heading, String message)
            throws IOException {
        Session s = sessions.open(cookieHeader);
        send(exchange, status, HTML, Html.page(heading, chrome(s, "", false), Html.message(message)), null);
    }

    /** Whether the request's method is allowed (GET allows HEAD too); answers 405 when not. */
    private boolean allow(HttpExchange exchange, String cookieHeader, String allowed) throws IOException {
        String method = exchange.getRequestMethod();
        if (method.equals(allowed) || (allowed.equals("GET") && method.equals("HEAD"))) {
            return true;
        }
        exchange.getResponseHeaders().set("Allow", allowed.equals("GET") ? "GET, HEAD" : allowed);
        String message = allowed.equals("POST")
                ? "This changes who you are, so it takes a POST from the form at the top of the page, never a link."
                : "This page answers GET and HEAD only.";
        refuse(exchange, cookieHeader, 405, "Method not allowed", message);
        return false;
    }

    /** The page chrome for {@code s}; {@code forms}: a page that commits {@code s} may create its token. */
    private Html.Chrome chrome(Session s, String path, boolean forms) {
        String token = forms ? CsrfTokens.of(s) : s.get(CsrfTokens.NAME, String.class);
        return new Html.Chrome(path, s.principal().orElse(null), token, store.description);
    }

    /**
     * The request's Cookie headers joined, or {@code null} when there is none.
     *
     * @throws IllegalArgumentException if they are longer than {@link #MAX_COOKIE_HEADER} together
     */
    private static String cookieHeader(HttpExchange exchange) {
        List<String> cookies = exchange.getRequestHeaders().get("Cookie");
        if (cookies == null || cookies.isEmpty()) {
            return null;
        }
        int length = 0;
        for (String c : cookies) {
            length += c.length() + 2;
        }
        if (length > MAX_COOKIE_HEADER) {
            throw new IllegalArgumentException("Cookie header too large");
        }
        return String.join("; ", cookies);
    }

    /** Whether the Cookie header carries a cookie of our name at all. */
    private boolean sentOurCookie(String cookieHeader) {
        return cookieValues(cookieHeader).stream().findAny().isPresent();
    }

    /** The value of our cookie in the header that names session {@code sid}, or {@code null}. */
    private String ourCookieValue(String cookieHeader, String sid) {
        for (String v : cookieValues(cookieHeader)) {
            if (v.startsWith(sid + "!")) {
                return v;
            }
        }
        return null;
    }

    private List<String> cookieValues(String cookieHeader) {
        if (cookieHeader == null) {
            return List.of();
        }
        String prefix = sessions.cookie().name() + "=";
        List<String> values = new java.util.ArrayList<>();
        for (String pair : cookieHeader.split(";")) {
            String p = pair.trim();
            if (p.startsWith(prefix)) {
                values.add(p.substring(prefix.length()).trim());
            }
        }
        return values;
    }

    /** The form body of a POST, or {@code null} after answering 415 or 413. */
    private String form(HttpExchange exchange) throws IOException {
        String type = exchange.getRequestHeaders().getFirst("Content-Type");
        if (type == null || !type.toLowerCase(Locale.ROOT).startsWith(FORM)) {
            send(exchange, 415, TEXT, "Send the form as " + FORM + ".\n", null);
            return null;
        }
        byte[] body;
        try (InputStream in = exchange.getRequestBody()) {
            body = in.readNBytes(MAX_FORM + 1);
        }
        if (body.length > MAX_FORM) {
            send(exchange, 413, TEXT, "Form too large.\n", null);
            return null;
        }
        return new String(body, StandardCharsets.UTF_8);
    }

    /** The decoded value of field {@code name} of a URL-encoded form, or {@code null} when missing or broken. */
    static String field(String form, String name) {
        if (form == null || form.length() > MAX_FORM) {
            return null;
        }
        String prefix = name + "=";
        for (String pair : form.split("&")) {
            if (pair.startsWith(prefix)) {
                try {
                    return URLDecoder.decode(pair.substring(prefix.length()), StandardCharsets.UTF_8);
                } catch (IllegalArgumentException e) {
                    return null; // a broken %-escape
                }
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

    /** The attributes every cookie of {@code spec} carries, as a {@code Set-Cookie} header lists them. */
    private static String attributes(CookieSpec spec) {
        String sameSite = spec.sameSite().name();
        return "Path=" + spec.path() + (spec.domain() == null ? "" : "; Domain=" + spec.domain())
                + (spec.isSecure() ? "; Secure" : "") + "; HttpOnly; SameSite="
                + sameSite.charAt(0) + sameSite.substring(1).toLowerCase(Locale.ROOT);
    }

    private static void sendStatic(HttpExchange exchange, StaticFiles.File file) throws IOException {
        exchange.getResponseHeaders().set("Cache-Control", "no-cache");
        write(exchange, 200, file.type(), file.bytes(), null);
    }

    private static void send(HttpExchange exchange, int status, String type, String body, String setCookie)
            throws IOException {
        exchange.getResponseHeaders().set("Cache-Control", "no-store");
        write(exchange, status, type, body.getBytes(StandardCharsets.UTF_8), setCookie);
    }

    /**
     * Sends the headers and then the whole body in one write of a fixed length (with {@code TCP_NODELAY}
     * on, see {@link DemoServer#requestNoDelay}, nothing is held back); a {@code HEAD} gets the same
     * headers, with the length the body would have.
     */
    private static void write(HttpExchange exchange, int status, String type, byte[] body, String setCookie)
            throws IOException {
        Headers h = exchange.getResponseHeaders();
        h.set("Content-Type", type);
        h.set("X-Content-Type-Options", "nosniff");
        h.set("Content-Security-Policy", CONTENT_SECURITY_POLICY);
        h.set("Referrer-Policy", "no-referrer");
        h.set("Cross-Origin-Opener-Policy", "same-origin");
        h.set("Cross-Origin-Resource-Policy", "same-origin");
        if (setCookie != null) {
            h.add("Set-Cookie", setCookie);
        }
        if ("HEAD".equals(exchange.getRequestMethod())) {
            h.set("Content-Length", Integer.toString(body.length));
            exchange.sendResponseHeaders(status, -1);
            return;
        }
        exchange.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
