package dev.satchel.demo;

import dev.satchel.store.caching.CacheStats;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * The demo's pages: one layout (greeting, log-in or log-out form, navigation), and the sections that show
 * what Satchel does. Every text that comes from a request or a store is escaped here; no inline script or
 * style, so the strict {@code Content-Security-Policy} holds.
 */
final class Html {

    /** What a page shows around its content: who is logged in, the form token, the store. */
    record Chrome(String path, String user, String csrf, String store) {}

    /** The cookie as the browser holds it after this response, and where that came from. */
    record Cookie(String name, String value, String attributes, boolean setByThisResponse) {}

    /** A cache counter: its name in {@code /stats}, its label, and what it counts. */
    private record Counter(String key, String label, String meaning) {}

    private static final List<Counter> COUNTERS = List.of(
            new Counter("hits", "hits", "requests answered from memory"),
            new Counter("misses", "misses", "requests that asked the store"),
            new Counter("negativeHits", "negative hits", "unknown ids answered from remembered misses, sparing the store"),
            new Counter("loadSuccesses", "loads", "store lookups that answered (found or not)"),
            new Counter("loadFailures", "load failures", "store lookups that failed"),
            new Counter("evictions", "evictions", "sessions dropped to stay within the size bound"),
            new Counter("hitRate", "hit rate", "share of requests the store never saw"),
            new Counter("averageLoadMillis", "mean load time", "what a miss costs"));

    private static final String MASK = "\u2022\u2022\u2022\u2022 masked \u2022\u2022\u2022\u2022";

    private Html() {}

    /** {@code text} with every character that means something in HTML replaced by its entity. */
    static String escape(String text) {
        StringBuilder b = new StringBuilder(text.length() + 16);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '<': b.append("&lt;"); break;
                case '>': b.append("&gt;"); break;
                case '&': b.append("&amp;"); break;
                case '"': b.append("&quot;"); break;
                case '\'': b.append("&#39;"); break;
                default: b.append(c);
            }
        }
        return b.toString();
    }

    /** A whole page: the layout around {@code content} (already HTML); {@code title} is escaped here. */
    static String page(String title, Chrome chrome, String content) {
        StringBuilder b = new StringBuilder(8192);
        b.append("<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
                .append("<title>").append(escape(title)).append(" \u00b7 Satchel demo</title>")
                .append("<link rel=\"stylesheet\" href=\"/style.css\">")
                .append("<link rel=\"icon\" href=\"/favicon.svg\" type=\"image/svg+xml\">")
                .append("<script src=\"/app.js\" defer></script></head>\n<body>")
                .append("<a class=\"skip\" href=\"#main\">Skip to the content</a>\n")
                .append("<header class=\"site\"><div class=\"bar\">")
                .append("<a class=\"brand\" href=\"/\">Satchel <span>demo</span></a>");
        greeting(b, chrome);
        b.append("</div>\n<nav aria-label=\"Pages\"><ul>");
        link(b, chrome.path(), "/", "Visit");
        link(b, chrome.path(), "/count", "Counter");
        link(b, chrome.path(), "/stats", "/stats (JSON)");
        b.append("</ul></nav></header>\n<main id=\"main\">\n<h1>").append(escape(title)).append("</h1>\n")
                .append(content)
                .append("</main>\n<footer><p>Sessions: ").append(escape(chrome.store()))
                .append(", behind a <code>CachingSessionManager</code>. Satchel keeps the session on the server; ")
                .append("the browser holds only a signed id.</p></footer>\n</body></html>\n");
        return b.toString();
    }

    private static void greeting(StringBuilder b, Chrome chrome) {
        b.append("<div class=\"who\"><p class=\"greeting\" id=\"greeting\">");
        if (chrome.user() != null) {
            b.append("Hello, <strong>").append(escape(chrome.user())).append("</strong>!</p>");
            if (chrome.csrf() != null) {
                b.append("<form method=\"post\" action=\"/logout\">");
                csrfField(b, chrome.csrf());
                b.append("<button type=\"submit\" id=\"logout\">Log out</button></form>");
            }
        } else {
            b.append("Hello, stranger! You are not logged in.</p>");
            if (chrome.csrf() != null) {
                b.append("<form method=\"post\" action=\"/login\" class=\"login\">")
                        .append("<label for=\"user\">Name</label>")
                        .append("<input id=\"user\" name=\"user\" required maxlength=\"").append(DemoHandler.MAX_USER)
                        .append("\" pattern=\"[A-Za-z0-9_\\-][A-Za-z0-9._\\-]*\" autocomplete=\"username\" ")
                        .append("aria-describedby=\"user-hint\">");
                csrfField(b, chrome.csrf());
                b.append("<button type=\"submit\" id=\"login\">Log in</button>")
                        .append("<small id=\"user-hint\">any name: letters, digits, . _ - (a demo checks no password)</small>")
                        .append("</form>");
            }
        }
        b.append("</div>");
    }

    private static void csrfField(StringBuilder b, String token) {
        b.append("<input type=\"hidden\" name=\"").append(CsrfTokens.NAME).append("\" value=\"")
                .append(escape(token)).append("\">");
    }

    private static void link(StringBuilder b, String current, String path, String label) {
        b.append("<li><a href=\"").append(path).append('"');
        if (path.equals(current)) {
            b.append(" aria-current=\"page\"");
        }
        b.append('>').append(escape(label)).append("</a></li>");
    }

    /** The page's main message, in the paragraph scripts and tests look for. */
    static String message(String text) {
        return "<p class=\"message\">" + escape(text) + "</p>\n";
    }

    /** A highlighted remark. */
    static String notice(String text) {
        return "<p class=\"notice\" role=\"note\">" + escape(text) + "</p>\n";
    }

    /** The cookie taken apart: the sid, the digest, and the randval that is not in it. */
    static String cookie(Cookie c) {
        int bang = c.value().indexOf('!');
        String sid = bang < 0 ? c.value() : c.value().substring(0, bang);
        String digest = bang < 0 ? "" : c.value().substring(bang + 1);
        return "<section aria-labelledby=\"cookie-h\"><h2 id=\"cookie-h\">The cookie your browser holds</h2>\n"
                + "<p class=\"cookie\"><code id=\"cookie-value\"><span class=\"name\">" + escape(c.name())
                + "</span>=<span class=\"sid\" id=\"cookie-sid\">" + escape(sid) + "</span><span class=\"bang\">!</span>"
                + "<span class=\"digest\" id=\"cookie-digest\">" + escape(digest) + "</span></code></p>\n"
                + "<dl class=\"parts\">"
                + "<dt><span class=\"key sid\">sid</span> " + sid.length() + " characters</dt>"
                + "<dd>The session id: 128 random bits. It names the session in the store and proves nothing on its own.</dd>"
                + "<dt><span class=\"key digest\">digest</span> " + digest.length() + " characters</dt>"
                + "<dd>HMAC-SHA256 of <code>sid:randval</code> under the server's signing key. Only the server can"
                + " compute it: change one character and the cookie is refused.</dd>"
                + "<dt><span class=\"key secret\">randval</span> not in the cookie</dt>"
                + "<dd>A second 128-bit secret, stored with the session and never sent to the browser: a guessed sid,"
                + " or a copy of the store without the key, cannot be made into a cookie.</dd></dl>\n"
                + "<p class=\"note\"><code>" + escape(c.attributes()) + "</code> \u2014 "
                + (c.setByThisResponse() ? "set by this response." : "sent by your browser with this request.")
                + " HttpOnly: no script on the page can read it (this page prints it for the demo's sake; an"
                + " application never does).</p></section>\n";
    }

    /** What the store holds for the session, as it holds it, the randval masked. */
    static String stored(String heading, DemoStore.Stored stored) {
        StringBuilder b = new StringBuilder(2048);
        b.append("<section aria-labelledby=\"stored-h\"><h2 id=\"stored-h\">").append(escape(heading)).append("</h2>\n");
        if (stored == null || stored.text() == null) {
            b.append("<p class=\"gone\" id=\"stored-gone\">Nothing: the store holds no session under this id.</p>");
        } else {
            b.append("<p>Read straight from the store, past the cache: <code id=\"stored-location\">")
                    .append(escape(stored.location())).append("</code></p>\n")
                    .append("<pre class=\"document\" id=\"stored-document\"><code>");
            masked(b, stored);
            b.append("</code></pre>\n<p class=\"note\">The <code>randval</code> is masked: it never leaves the server, ")
                    .append("not even in this page. Everything else is exactly what the store holds; attribute values are ")
                    .append("plain JSON, readable from any language.</p>");
        }
        return b.append("</section>\n").toString();
    }

    /** Appends the escaped text of {@code stored} with the value of every {@code randval} field masked. */
    private static void masked(StringBuilder b, DemoStore.Stored stored) {
        String text = stored.text();
        String field = stored.json() ? "\"randval\":\"" : "randval ";
        int from = 0;
        int at;
        while ((at = text.indexOf(field, from)) >= 0) {
            int valueStart = at + field.length();
            b.append(escape(text.substring(from, valueStart)));
            from = valueStart;
            if (stored.json() || at == 0 || text.charAt(at - 1) == '\n') { // a field, not text that looks like one
                int valueEnd = text.indexOf(stored.json() ? '"' : '\n', valueStart);
                from = valueEnd < 0 ? text.length() : valueEnd;
                b.append("<mark class=\"secret\" title=\"kept on the server only\">").append(MASK).append("</mark>");
            }
        }
        b.append(escape(text.substring(from)));
    }

    /** The id before and after the login, and whether the old one is gone from the store. */
    static String login(String user, Instant at, String before, String after, boolean beforeGone) {
        return "<section aria-labelledby=\"login-h\"><h2 id=\"login-h\">What changed at login</h2>\n"
                + "<p>Logging in as <strong>" + escape(user) + "</strong> at " + escape(at.toString())
                + " gave the session a new id (<code>HttpSessions.rotateId</code>): an id known before the login"
                + " \u2014 planted by an attacker, say \u2014 is worthless after it. The data came along.</p>\n"
                + "<table class=\"change\"><caption>Session id</caption><tbody>"
                + "<tr><th scope=\"row\">before</th><td><code id=\"id-before\"><s>" + escape(before) + "</s></code></td><td>"
                + (beforeGone ? "gone from the store" : "still in the store") + "</td></tr>"
                + "<tr><th scope=\"row\">after</th><td><code id=\"id-after\">" + escape(after) + "</code></td>"
                + "<td>in your cookie now</td></tr></tbody></table></section>\n";
    }

    /** The expiring cookie this response sends, and the session's document gone from the store. */
    static String logout(String setCookie, String oldId, DemoStore.Stored stored) {
        return "<section aria-labelledby=\"logout-h\"><h2 id=\"logout-h\">What changed at logout</h2>\n"
                + "<p>This response carries the header that makes your browser forget its cookie:</p>\n"
                + "<pre class=\"header\"><code id=\"expiring-cookie\">Set-Cookie: " + escape(setCookie) + "</code></pre>\n"
                + "<p>The session <code id=\"logged-out-id\">" + escape(oldId) + "</code> was removed from the store"
                + " (<code>HttpSessions.invalidate</code>). A copy of the old cookie, kept by anyone, opens nothing.</p>"
                + "</section>\n" + stored("What the store holds now", stored);
    }

    /** The cache's counters as a table that {@code app.js} refreshes from {@code /stats}. */
    static String stats(CacheStats st) {
        StringBuilder b = new StringBuilder(2048);
        b.append("<section aria-labelledby=\"stats-h\"><h2 id=\"stats-h\">Cache counters</h2>\n")
                .append("<table class=\"stats\" id=\"cache-stats\"><caption>Since the demo started; refreshed every ")
                .append("2 seconds from <a href=\"/stats\">/stats</a></caption>")
                .append("<thead><tr><th scope=\"col\">counter</th><th scope=\"col\" class=\"num\">value</th>")
                .append("<th scope=\"col\">what it counts</th></tr></thead><tbody>");
        for (Counter c : COUNTERS) {
            b.append("<tr><th scope=\"row\">").append(escape(c.label())).append("</th><td class=\"num\" data-stat=\"")
                    .append(c.key()).append("\">").append(format(c.key(), st)).append("</td><td>")
                    .append(escape(c.meaning())).append("</td></tr>");
        }
        return b.append("</tbody></table>\n<p class=\"note\" id=\"cache-stats-status\">As of this page.</p></section>\n")
                .toString();
    }

    /** One counter as the table shows it; {@code app.js} formats the same way. */
    static String format(String key, CacheStats st) {
        switch (key) {
            case "hits": return Long.toString(st.hits());
            case "misses": return Long.toString(st.misses());
            case "negativeHits": return Long.toString(st.negativeHits());
            case "loadSuccesses": return Long.toString(st.loadSuccesses());
            case "loadFailures": return Long.toString(st.loadFailures());
            case "evictions": return Long.toString(st.evictions());
            case "hitRate": return String.format(Locale.ROOT, "%.1f %%", st.hitRate() * 100);
            case "averageLoadMillis": return String.format(Locale.ROOT, "%.3f ms", st.averageLoadNanos() / 1e6);
            default: throw new IllegalArgumentException(key);
        }
    }

    /** The counters as {@code /stats} serves them. */
    static String statsJson(CacheStats st) {
        return String.format(Locale.ROOT,
                "{\"hits\":%d,\"negativeHits\":%d,\"misses\":%d,\"loadSuccesses\":%d,\"loadFailures\":%d,"
                        + "\"evictions\":%d,\"hitRate\":%.4f,\"averageLoadMillis\":%.3f}%n",
                st.hits(), st.negativeHits(), st.misses(), st.loadSuccesses(), st.loadFailures(), st.evictions(),
                st.hitRate(), st.averageLoadNanos() / 1e6);
    }
}
