package dev.satchel.benchmarks;

import dev.satchel.CookieSpec;
import dev.satchel.HttpSessions;
import dev.satchel.InMemorySessionManager;
import dev.satchel.Session;
import dev.satchel.SessionManager;
import dev.satchel.SigningKeys;
import dev.satchel.spi.SessionCodec;
import dev.satchel.spi.SessionIds;
import dev.satchel.spi.SessionRecord;
import dev.satchel.store.caching.CachingSessionManager;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Builds the sessions a benchmark works on, the same way for every implementation: ids from
 * {@link SessionIds}, the {@link TypicalSession} attributes, a 30-minute idle timeout, and for cookies the
 * realistic {@code Cookie} header a browser sends (our cookie between an analytics cookie and a preference).
 */
final class Population {

    /** The signing key of every benchmark: fixed, so runs are comparable. 32 bytes. */
    static final byte[] KEY = "satchel-benchmarks-signing-key!!".getBytes(StandardCharsets.US_ASCII);
    static final Duration IDLE_TIMEOUT = Duration.ofMinutes(30);
    /** The cookie name {@code HttpSessions} uses unless told otherwise ({@code __Host-SID}). */
    static final String COOKIE_NAME = CookieSpec.DEFAULT_NAME;

    private Population() {}

    /** The {@code Cookie} header of a request carrying session cookie value {@code sidBangDigest}. */
    static String cookieHeader(String sidBangDigest) {
        return "_ga=GA1.2.1734567890.1700000000; theme=dark; " + COOKIE_NAME + "=" + sidBangDigest
                + "; _gid=GA1.2.987654321.1700000000";
    }

    /** A new unique id (distinct ones: a collision in 128 bits would be news). */
    static String[] ids(int n) {
        String[] ids = new String[n];
        for (int i = 0; i < n; i++) {
            ids[i] = SessionIds.newId();
        }
        return ids;
    }

    /** Session {@code n}'s record as a store holds it, under {@code id}, accessed now. */
    static SessionRecord record(String id, int n) {
        long now = System.currentTimeMillis();
        SessionRecord.Builder b = SessionRecord.builder(id, SessionIds.newId())
                .created(now).lastAccess(now).idleTimeoutMillis(IDLE_TIMEOUT.toMillis())
                .deadline(now + Duration.ofHours(12).toMillis()).version(1);
        for (Map.Entry<String, Object> e : TypicalSession.attributes(n).entrySet()) {
            b.attribute(e.getKey(), SessionCodec.jsonMapper().writeValueAsString(e.getValue()));
        }
        return b.build();
    }

    /** {@code HttpSessions} over a {@code CachingSessionManager} that holds {@code n} sessions, as a user configures it. */
    static HttpSessions cachedHttpSessions(int n) {
        SessionManager manager = CachingSessionManager.over(InMemorySessionManager.builder().withoutBackgroundSweeper().build())
                .maximumSize(2L * n)
                // One process owns its store here: a record may be trusted for as long as the session lives.
                .maxStaleness(Duration.ofHours(12))
                .build();
        return HttpSessions.builder().manager(manager).signingKeys(SigningKeys.of(KEY)).idleTimeout(IDLE_TIMEOUT).build();
    }

    /**
     * Stores {@code n} typical sessions through {@code sessions} and returns the {@code Cookie} header of a
     * request for each: the value {@code commit} handed out in its {@code Set-Cookie}.
     */
    static String[] storeAndGetCookieHeaders(HttpSessions sessions, int n) {
        String[] headers = new String[n];
        for (int i = 0; i < n; i++) {
            Session s = sessions.open(null);
            TypicalSession.fill(s, i);
            String setCookie = sessions.commit(s).orElseThrow();
            headers[i] = cookieHeader(cookieValue(setCookie));
        }
        return headers;
    }

    /** The value of a {@code Set-Cookie} header: between {@code NAME=} and the first {@code ;}. */
    static String cookieValue(String setCookie) {
        int start = setCookie.indexOf('=') + 1;
        int end = setCookie.indexOf(';');
        return setCookie.substring(start, end < 0 ? setCookie.length() : end);
    }

    /** {@code base64url(HMAC-SHA256(KEY, id + ":" + randval))}, the digest Satchel's cookie carries. */
    static String digest(String id, String randval) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(KEY, "HmacSHA256"));
            byte[] d = mac.doFinal((id + ':' + randval).getBytes(StandardCharsets.US_ASCII));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(d);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /**
     * Equal but distinct copies of {@code ids}, to look sessions up with: a request's id is a string parsed
     * from its header, never the instance the map holds, so a lookup compares characters instead of
     * succeeding on identity. (Each copy's hash is computed once and then cached by {@code String}, which
     * still favours the maps a little over a fresh string per request.)
     */
    static String[] lookupCopies(String[] ids) {
        String[] copies = new String[ids.length];
        for (int i = 0; i < ids.length; i++) {
            copies[i] = new String(ids[i]);
        }
        return copies;
    }
}
