package dev.satchel.spring;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.security.SecureRandom;
import java.util.Base64;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.security.web.csrf.CsrfTokenRepository;
import org.springframework.security.web.csrf.DefaultCsrfToken;

/**
 * Keeps the CSRF token in the Satchel session as a string under {@value #ATTRIBUTE} — Spring Security's own
 * {@code HttpSessionCsrfTokenRepository} stores a {@code DefaultCsrfToken} object, which JSON cannot give back.
 * Same header ({@value #HEADER_NAME}) and parameter ({@value #PARAMETER_NAME}) names as Spring's; the token is
 * 256 random bits. Thread-safe.
 */
public final class SatchelCsrfTokenRepository implements CsrfTokenRepository {

    /** The session attribute holding the token. */
    public static final String ATTRIBUTE = "satchel.security.csrf";
    /** The request header the token may come in. */
    public static final String HEADER_NAME = "X-CSRF-TOKEN";
    /** The request parameter the token may come in. */
    public static final String PARAMETER_NAME = "_csrf";

    private final SecureRandom random = new SecureRandom();

    /** Created by the auto-configuration, or by an application configuring {@code http.csrf(...)} itself. */
    public SatchelCsrfTokenRepository() {}

    @Override
    public CsrfToken generateToken(HttpServletRequest request) {
        byte[] bytes = new byte[32];
        random.nextBytes(bytes);
        return new DefaultCsrfToken(HEADER_NAME, PARAMETER_NAME, Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
    }

    /** Stores {@code token}; {@code null} removes the stored one (at logout, and when a login replaces it). */
    @Override
    public void saveToken(CsrfToken token, HttpServletRequest request, HttpServletResponse response) {
        if (token == null) {
            HttpSession session = request.getSession(false);
            if (session != null && session.getAttribute(ATTRIBUTE) != null) {
                session.removeAttribute(ATTRIBUTE);
            }
            return;
        }
        HttpSession session = request.getSession();
        if (!token.getToken().equals(session.getAttribute(ATTRIBUTE))) {
            session.setAttribute(ATTRIBUTE, token.getToken());
        }
    }

    @Override
    public CsrfToken loadToken(HttpServletRequest request) {
        HttpSession session = request.getSession(false);
        if (session == null) {
            return null;
        }
        return session.getAttribute(ATTRIBUTE) instanceof String token && !token.isEmpty()
                ? new DefaultCsrfToken(HEADER_NAME, PARAMETER_NAME, token) : null;
    }
}
