package dev.satchel.spring;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A browser for tests over real HTTP (java.net.http): keeps the cookies servers set (honouring Max-Age=0),
 * sends them back whatever their Secure flag (the apps listen on plain loopback HTTP), never follows a
 * redirect, and remembers every Set-Cookie header it was sent.
 */
final class Browser {

    private static final HttpClient CLIENT = HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(10)).build();
    private static final Pattern CSRF = Pattern.compile("name=\"_csrf\"\\s+type=\"hidden\"\\s+value=\"([^\"]+)\"|"
            + "type=\"hidden\"\\s+name=\"_csrf\"\\s+value=\"([^\"]+)\"|name=\"_csrf\"\\s+value=\"([^\"]+)\"");

    final Map<String, String> cookies = new LinkedHashMap<>();
    final List<String> setCookies = new ArrayList<>();
    final Map<String, String> extraHeaders = new LinkedHashMap<>();

    HttpResponse<String> get(String url) {
        return send(HttpRequest.newBuilder(URI.create(url)).GET());
    }

    HttpResponse<String> post(String url, Map<String, String> form) {
        StringBuilder body = new StringBuilder();
        form.forEach((k, v) -> body.append(body.length() == 0 ? "" : "&").append(URLEncoder.encode(k, StandardCharsets.UTF_8))
                .append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        return send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())));
    }

    /** The hidden _csrf field of the form in {@code html}. */
    static String csrf(String html) {
        Matcher m = CSRF.matcher(html);
        if (!m.find()) {
            throw new AssertionError("no _csrf field in: " + html);
        }
        for (int i = 1; i <= m.groupCount(); i++) {
            if (m.group(i) != null) {
                return m.group(i);
            }
        }
        throw new AssertionError();
    }

    String cookie(String name) {
        return cookies.get(name);
    }

    private HttpResponse<String> send(HttpRequest.Builder b) {
        b.timeout(Duration.ofSeconds(30));
        if (!cookies.isEmpty()) {
            StringBuilder header = new StringBuilder();
            cookies.forEach((k, v) -> header.append(header.length() == 0 ? "" : "; ").append(k).append('=').append(v));
            b.header("Cookie", header.toString());
        }
        b.header("Accept", "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"); // as a browser: the login form, not HTTP basic
        extraHeaders.forEach(b::header);
        HttpResponse<String> r;
        try {
            r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
        for (String sc : r.headers().allValues("Set-Cookie")) {
            setCookies.add(sc);
            String pair = sc.split(";", 2)[0];
            int eq = pair.indexOf('=');
            String name = pair.substring(0, eq).strip();
            String value = pair.substring(eq + 1).strip();
            if (sc.toLowerCase(java.util.Locale.ROOT).contains("max-age=0") || value.isEmpty()) {
                cookies.remove(name);
            } else {
                cookies.put(name, value);
            }
        }
        return r;
    }
}
