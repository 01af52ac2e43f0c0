package dev.satchel.interop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/** A client that keeps one cookie, as a browser does for one site, and sends it to whichever side it asks. */
final class Browser {

    private static final HttpClient CLIENT = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    private final String cookieName;
    /** The cookie's value ({@code sid!digest}), or null. */
    private volatile String cookie;

    Browser(String cookieName) {
        this.cookieName = cookieName;
    }

    /** One response. */
    record Response(int status, String body, String setCookie) {
        /** The value the Set-Cookie header gives the cookie: null without one, "" when it expires it. */
        String cookieValue() {
            if (setCookie == null) {
                return null;
            }
            int eq = setCookie.indexOf('=');
            int end = setCookie.indexOf(';');
            return setCookie.substring(eq + 1, end < 0 ? setCookie.length() : end);
        }
    }

    /** GETs {@code path} from {@code side} with this browser's cookie, and keeps what Set-Cookie says. */
    Response get(Side side, String path) {
        Response r = send(side, path, cookie == null ? null : cookieName + "=" + cookie);
        String value = r.cookieValue();
        if (value != null) {
            cookie = value.isEmpty() ? null : value;
        }
        return r;
    }

    /** {@link #get} in the background. */
    CompletableFuture<Response> getLater(Side side, String path) {
        return CompletableFuture.supplyAsync(() -> get(side, path));
    }

    /** GETs {@code path} from {@code side} with the raw Cookie header {@code cookieHeader} (or none). */
    static Response send(Side side, String path, String cookieHeader) {
        HttpRequest.Builder b = HttpRequest.newBuilder(side.uri().resolve(path)).timeout(Duration.ofSeconds(60));
        if (cookieHeader != null) {
            b.header("Cookie", cookieHeader);
        }
        try {
            HttpResponse<String> r = CLIENT.send(b.build(), HttpResponse.BodyHandlers.ofString());
            return new Response(r.statusCode(), r.body(), r.headers().firstValue("Set-Cookie").orElse(null));
        } catch (IOException e) {
            throw new UncheckedIOException("GET " + path + " from " + side + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    /** The cookie's value, or null. */
    String cookie() {
        return cookie;
    }

    void cookie(String value) {
        cookie = value;
    }

    /** The session id the cookie names. */
    String sid() {
        return cookie.substring(0, 22);
    }

    String cookieName() {
        return cookieName;
    }
}
