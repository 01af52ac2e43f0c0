package dev.satchel;

import dev.satchel.spi.SessionIds;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * How the session cookie is named and which attributes it carries (RFC 6265). Immutable: each method
 * returns a changed copy, and checks its argument at once.
 *
 * <p>{@code HttpOnly} is always set. Defaults: {@code Secure}, {@code SameSite=Lax}, {@code Path=/}, no
 * {@code Domain}, no {@code Max-Age} (a browser-session cookie; the server-side timeouts still apply).
 * Names starting with {@code __Host-} must be {@code Secure}, have {@code Path=/} and no {@code Domain};
 * names starting with {@code __Secure-} must be {@code Secure}; {@code SameSite=None} requires
 * {@code Secure}. These combinations are checked when {@link HttpSessions} is built.
 *
 * <p>Attribute values are checked, never copied blindly into the header: a path or domain containing
 * {@code ;}, CR, LF or another control character is refused.
 */
public final class CookieSpec {

    /** The {@code SameSite} attribute. */
    public enum SameSite {
        /** Sent only on requests that start on this site: safest, but a link from elsewhere arrives logged out. */
        STRICT("Strict"),
        /** Also sent on top-level navigations from other sites (following a link); the usual choice. */
        LAX("Lax"),
        /** Sent on every cross-site request; requires {@code Secure}, and leaves CSRF defence to the application. */
        NONE("None");

        private final String text;

        SameSite(String text) {
            this.text = text;
        }
    }

    /** The default cookie name: the {@code __Host-} prefix makes browsers refuse it unless Secure, Path=/ and host-only (OWASP ASVS 3.4.4). */
    public static final String DEFAULT_NAME = "__Host-SID";
    /** The most bytes of a {@code Set-Cookie} value browsers are required to keep (RFC 6265 section 6.1); longer ones are dropped silently. */
    public static final int MAX_HEADER_LENGTH = 4096;

    private final String name;
    private final boolean secure;
    private final SameSite sameSite;
    private final String path;
    private final String domain;
    private final long maxAgeSeconds;

    private CookieSpec(String name, boolean secure, SameSite sameSite, String path, String domain, long maxAgeSeconds) {
        this.name = name;
        this.secure = secure;
        this.sameSite = sameSite;
        this.path = path;
        this.domain = domain;
        this.maxAgeSeconds = maxAgeSeconds;
    }

    /** The secure default: {@value #DEFAULT_NAME}, Secure, HttpOnly, SameSite=Lax, Path=/, no Domain. */
    public static CookieSpec defaults() {
        return named(DEFAULT_NAME);
    }

    /**
     * A cookie named {@code name} with the default attributes.
     *
     * @throws IllegalArgumentException if {@code name} is not an RFC 6265 token
     */
    public static CookieSpec named(String name) {
        Objects.requireNonNull(name, "cookie name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("cookie name is empty");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c <= 0x20 || c >= 0x7F || "()<>@,;:\\\"/[]?={}".indexOf(c) >= 0) {
                throw new IllegalArgumentException("cookie name has a character not allowed in an RFC 6265 token at index " + i);
            }
        }
        return new CookieSpec(name, true, SameSite.LAX, "/", null, -1);
    }

    /** Whether the cookie is sent only over HTTPS; default {@code true}. */
    public CookieSpec secure(boolean secure) {
        return new CookieSpec(name, secure, sameSite, path, domain, maxAgeSeconds);
    }

    /** The {@code SameSite} attribute; default {@link SameSite#LAX}. */
    public CookieSpec sameSite(SameSite sameSite) {
        return new CookieSpec(name, secure, Objects.requireNonNull(sameSite, "sameSite"), path, domain, maxAgeSeconds);
    }

    /**
     * The {@code Path} attribute; default {@code /}.
     *
     * @throws IllegalArgumentException unless it starts with {@code /} and has only visible ASCII other than {@code ;}
     */
    public CookieSpec path(String path) {
        Objects.requireNonNull(path, "path");
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("cookie path must start with '/'");
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c < 0x21 || c > 0x7E || c == ';') {
                throw new IllegalArgumentException("cookie path has a control, space, ';' or non-ASCII character at index " + i);
            }
        }
        return new CookieSpec(name, secure, sameSite, path, domain, maxAgeSeconds);
    }

    /**
     * The {@code Domain} attribute, making the cookie visible to subdomains too; default none (this host only).
     *
     * @throws IllegalArgumentException unless it is a host name of letters, digits, {@code -} and {@code .}
     */
    public CookieSpec domain(String domain) {
        Objects.requireNonNull(domain, "domain");
        String d = domain.startsWith(".") ? domain.substring(1) : domain;
        if (d.isEmpty() || d.startsWith(".") || d.endsWith(".") || d.contains("..") || d.length() > 253) {
            throw new IllegalArgumentException("cookie domain is not a host name");
        }
        for (int i = 0; i < d.length(); i++) {
            char c = d.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '.';
            if (!ok) {
                throw new IllegalArgumentException("cookie domain has a character not allowed in a host name at index " + i);
            }
        }
        return new CookieSpec(name, secure, sameSite, path, d.toLowerCase(Locale.ROOT), maxAgeSeconds);
    }

    /**
     * A {@code Max-Age}, making the cookie outlive the browser session; re-sent whenever the session is
     * saved so it slides with activity. {@code null} for none (the default).
     *
     * @throws IllegalArgumentException if not at least one second
     */
    public CookieSpec maxAge(Duration maxAge) {
        if (maxAge == null) {
            return new CookieSpec(name, secure, sameSite, path, domain, -1);
        }
        if (maxAge.getSeconds() < 1) {
            throw new IllegalArgumentException("cookie max-age must be at least one second, was " + maxAge);
        }
        return new CookieSpec(name, secure, sameSite, path, domain, maxAge.getSeconds());
    }

    /** The cookie name. */
    public String name() {
        return name;
    }

    /** Whether {@code Secure} is set. */
    public boolean isSecure() {
        return secure;
    }

    /** The {@code SameSite} attribute. */
    public SameSite sameSite() {
        return sameSite;
    }

    /** The {@code Path} attribute. */
    public String path() {
        return path;
    }

    /** The {@code Domain} attribute, or {@code null}. */
    public String domain() {
        return domain;
    }

    /** Whether a {@code Max-Age} is set. */
    boolean hasMaxAge() {
        return maxAgeSeconds >= 0;
    }

    /**
     * Checks the rules that involve several attributes.
     *
     * @throws IllegalStateException naming the broken rule
     */
    void checkConsistent() {
        String lower = name.toLowerCase(Locale.ROOT);
        if (lower.startsWith("__host-")) {
            if (!secure) {
                throw new IllegalStateException("a cookie named __Host-… must be Secure; to serve plain HTTP "
                        + "(development only), name the cookie yourself: CookieSpec.named(\"SID\").secure(false)");
            }
            if (!"/".equals(path) || domain != null) {
                throw new IllegalStateException("a cookie named __Host-… must have Path=/ and no Domain");
            }
        } else if (lower.startsWith("__secure-") && !secure) {
            throw new IllegalStateException("a cookie named __Secure-… must be Secure");
        }
        if (sameSite == SameSite.NONE && !secure) {
            throw new IllegalStateException("SameSite=None requires Secure");
        }
        int longest = Math.max(header("x".repeat(SessionIds.LENGTH + 1 + SigningKeys.DIGEST_LENGTH)).length(),
                expiredHeader().length());
        if (longest > MAX_HEADER_LENGTH) {
            throw new IllegalStateException("the Set-Cookie header would be " + longest + " bytes, over the "
                    + MAX_HEADER_LENGTH + " browsers keep: shorten the cookie's name, path or domain");
        }
    }

    /** The {@code Set-Cookie} header value carrying {@code value} (already checked to be cookie-safe). */
    String header(String value) {
        StringBuilder sb = new StringBuilder(160).append(name).append('=').append(value);
        appendAttributes(sb, maxAgeSeconds);
        return sb.toString();
    }

    /** A {@code Set-Cookie} header value that makes the browser drop the cookie. */
    String expiredHeader() {
        StringBuilder sb = new StringBuilder(160).append(name).append('=');
        appendAttributes(sb, 0);
        sb.append("; Expires=Thu, 01 Jan 1970 00:00:00 GMT");
        return sb.toString();
    }

    private void appendAttributes(StringBuilder sb, long maxAge) {
        sb.append("; Path=").append(path);
        if (domain != null) {
            sb.append("; Domain=").append(domain);
        }
        if (maxAge >= 0) {
            sb.append("; Max-Age=").append(maxAge);
        }
        if (secure) {
            sb.append("; Secure");
        }
        sb.append("; HttpOnly; SameSite=").append(sameSite.text);
    }

    @Override
    public String toString() {
        return "CookieSpec[" + header("…") + "]";
    }
}
