package dev.satchel.spring;

import dev.satchel.CookieSpec;
import dev.satchel.HttpSessions;
import dev.satchel.SigningKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.convert.DurationStyle;
import org.springframework.core.env.Environment;

/**
 * Turns {@link SatchelProperties} and the {@code server.servlet.session.*} properties that mean the same
 * thing into the settings of an {@link HttpSessions}. Every refusal names the property to change and never
 * shows a key.
 */
final class SessionSettings {

    static final String KEY_HELP = "set satchel.signing-keys (environment: SATCHEL_SIGNING_KEYS) to a base64 key of at "
            + "least 32 random bytes, newest first, or satchel.signing-keys-file to a file holding one per line; "
            + "make one with: head -c 32 /dev/urandom | base64";

    private SessionSettings() {}

    /** The signing keys, newest first. */
    static SigningKeys signingKeys(SatchelProperties p) {
        List<String> keys = new ArrayList<>();
        for (String k : p.getSigningKeys()) {
            if (k != null && !k.isBlank()) {
                keys.add(k.strip());
            }
        }
        Path file = p.getSigningKeysFile();
        if (file != null) {
            if (!keys.isEmpty()) {
                throw new IllegalStateException("both satchel.signing-keys and satchel.signing-keys-file are set: keep one");
            }
            List<String> lines;
            try {
                lines = Files.readAllLines(file, StandardCharsets.US_ASCII);
            } catch (IOException e) {
                throw new IllegalStateException("satchel.signing-keys-file " + file + " cannot be read: " + e, e);
            }
            for (String line : lines) {
                String t = line.strip();
                if (!t.isEmpty() && !t.startsWith("#")) {
                    keys.add(t);
                }
            }
            if (keys.isEmpty()) {
                throw new IllegalStateException("satchel.signing-keys-file " + file + " holds no key: " + KEY_HELP);
            }
        }
        if (keys.isEmpty()) {
            throw new IllegalStateException("Satchel needs a key to sign session cookies: " + KEY_HELP);
        }
        try {
            return SigningKeys.fromBase64(keys.get(0), keys.subList(1, keys.size()).toArray(new String[0]));
        } catch (IllegalArgumentException e) {
            // SigningKeys' message names the key's position and its defect, never the key.
            throw new IllegalStateException("satchel.signing-keys: " + e.getMessage() + " (" + KEY_HELP + ")", e);
        }
    }

    /** satchel.idle-timeout, else server.servlet.session.timeout (seconds when it has no unit, as Boot reads it), else null. */
    static Duration idleTimeout(SatchelProperties p, Environment env) {
        if (p.getIdleTimeout() != null) {
            return p.getIdleTimeout();
        }
        String server = env.getProperty("server.servlet.session.timeout");
        if (server == null || server.isBlank()) {
            return null;
        }
        return DurationStyle.detectAndParse(server.strip(), ChronoUnit.SECONDS);
    }

    /** The cookie: each satchel.cookie.* property, else its server.servlet.session.cookie.* twin, else Satchel's default. */
    static CookieSpec cookie(SatchelProperties p, Environment env) {
        Binder binder = Binder.get(env);
        String prefix = "server.servlet.session.cookie.";
        Boolean httpOnly = binder.bind(prefix + "http-only", Boolean.class).orElse(null);
        if (Boolean.FALSE.equals(httpOnly)) {
            throw new IllegalStateException("server.servlet.session.cookie.http-only=false is not supported: Satchel's "
                    + "session cookie is always HttpOnly (a script never needs it); remove the property");
        }
        SatchelProperties.Cookie c = p.getCookie();
        String name = c.getName() != null ? c.getName() : binder.bind(prefix + "name", String.class).orElse(null);
        Boolean secure = c.getSecure() != null ? c.getSecure() : binder.bind(prefix + "secure", Boolean.class).orElse(null);
        CookieSpec.SameSite sameSite = c.getSameSite() != null ? c.getSameSite()
                : binder.bind(prefix + "same-site", CookieSpec.SameSite.class).orElse(null);
        String path = c.getPath() != null ? c.getPath() : binder.bind(prefix + "path", String.class).orElse(null);
        String domain = c.getDomain() != null ? c.getDomain() : binder.bind(prefix + "domain", String.class).orElse(null);
        Duration maxAge = c.getMaxAge() != null ? c.getMaxAge() : binder.bind(prefix + "max-age", Duration.class).orElse(null);
        if (Boolean.FALSE.equals(secure) && name == null) {
            throw new IllegalStateException("the session cookie is not Secure, so it needs a name of its own (Satchel's "
                    + "default name " + CookieSpec.DEFAULT_NAME + " requires Secure): set satchel.cookie.name, for example SID");
        }
        CookieSpec spec = name != null ? CookieSpec.named(name) : CookieSpec.defaults();
        if (secure != null) {
            spec = spec.secure(secure);
        }
        if (sameSite != null) {
            spec = spec.sameSite(sameSite);
        }
        if (path != null) {
            spec = spec.path(path);
        }
        if (domain != null) {
            spec = spec.domain(domain);
        }
        if (maxAge != null) {
            spec = spec.maxAge(maxAge);
        }
        return spec;
    }
}
