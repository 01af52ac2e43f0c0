package dev.satchel.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.CookieSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

class SessionSettingsTest {

    static StandardEnvironment env(Map<String, Object> properties) {
        StandardEnvironment env = new StandardEnvironment();
        env.getPropertySources().addFirst(new MapPropertySource("test", properties));
        return env;
    }

    @Test
    void noKeyFailsWithWhatToSetAndNeverShowsAKey() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> SessionSettings.signingKeys(new SatchelProperties()));
        assertTrue(e.getMessage().contains("satchel.signing-keys"), e.getMessage());
        SatchelProperties shortKey = new SatchelProperties();
        shortKey.setSigningKeys(List.of("c2hvcnQta2V5"));
        IllegalStateException s = assertThrows(IllegalStateException.class, () -> SessionSettings.signingKeys(shortKey));
        assertFalse(s.getMessage().contains("c2hvcnQta2V5"), s.getMessage());
    }

    @Test
    void serverSessionPropertiesAreHonoured() {
        StandardEnvironment env = env(Map.of("server.servlet.session.timeout", "900",
                "server.servlet.session.cookie.name", "SESSION", "server.servlet.session.cookie.same-site", "strict",
                "server.servlet.session.cookie.path", "/app"));
        SatchelProperties p = new SatchelProperties();
        assertEquals(Duration.ofMinutes(15), SessionSettings.idleTimeout(p, env), "seconds when no unit, as Boot reads it");
        CookieSpec c = SessionSettings.cookie(p, env);
        assertEquals("SESSION", c.name());
        assertEquals(CookieSpec.SameSite.STRICT, c.sameSite());
        assertEquals("/app", c.path());
        assertTrue(c.isSecure());
        p.getCookie().setName("OURS");
        p.setIdleTimeout(Duration.ofMinutes(5));
        assertEquals("OURS", SessionSettings.cookie(p, env).name(), "satchel.cookie.* wins");
        assertEquals(Duration.ofMinutes(5), SessionSettings.idleTimeout(p, env));
    }

    @Test
    void aCookieThatIsNotHttpOnlyOrNotSecureWithoutANameIsRefused() {
        SatchelProperties p = new SatchelProperties();
        IllegalStateException http = assertThrows(IllegalStateException.class,
                () -> SessionSettings.cookie(p, env(Map.of("server.servlet.session.cookie.http-only", "false"))));
        assertTrue(http.getMessage().contains("HttpOnly"), http.getMessage());
        IllegalStateException secure = assertThrows(IllegalStateException.class,
                () -> SessionSettings.cookie(p, env(Map.of("server.servlet.session.cookie.secure", "false"))));
        assertTrue(secure.getMessage().contains("satchel.cookie.name"), secure.getMessage());
    }
}
