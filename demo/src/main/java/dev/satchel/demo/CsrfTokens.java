package dev.satchel.demo;

import dev.satchel.Session;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;

/**
 * The synchronizer-token pattern: a random token kept in the session, put into every form, and compared
 * in constant time when a form comes back. A page from another site can make the browser send the cookie
 * but cannot read the token, so its forged POST is refused. Thread-safe.
 */
final class CsrfTokens {

    /** The session attribute and the form field that hold the token. */
    static final String NAME = "csrf";

    private static final SecureRandom RANDOM = new SecureRandom();

    private CsrfTokens() {}

    /** The session's token, created (and so stored with the session) when it has none. */
    static String of(Session session) {
        String token = session.get(NAME, String.class);
        return token != null ? token : renew(session);
    }

    /** Replaces the session's token with a new one (at login: a token seen before is worthless after). */
    static String renew(Session session) {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        String token = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        session.put(NAME, token);
        return token;
    }

    /** Whether {@code submitted} is the session's token; a session without one matches nothing. */
    static boolean matches(Session session, String submitted) {
        String token = session.get(NAME, String.class);
        return token != null && submitted != null && MessageDigest.isEqual(
                token.getBytes(StandardCharsets.UTF_8), submitted.getBytes(StandardCharsets.UTF_8));
    }
}
