package dev.satchel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.spi.SessionCodec;
import dev.satchel.spi.UnreadableEntryException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Issue 10's defaults: the __Host- cookie, cookies browsers would drop, documents of a newer format. */
class SecureDefaultsTest {

    private static HttpSessions.Builder builder() {
        return HttpSessions.builder().manager(InMemorySessionManager.builder().withoutBackgroundSweeper().build())
                .signingKeys(SigningKeys.of(SigningKeysTest.KEY_A));
    }

    @Test
    void theDefaultCookieIsHostPrefixedAndSecure() {
        HttpSessions sessions = builder().build();
        assertEquals("__Host-SID", sessions.cookie().name());
        Session s = sessions.open(null);
        s.put("a", 1);
        String header = sessions.commit(s).orElseThrow();
        assertTrue(header.matches("__Host-SID=[A-Za-z0-9_-]{22}![A-Za-z0-9_-]{43}; Path=/; Secure; HttpOnly; SameSite=Lax"), header);
    }

    @Test
    void turningSecureOffRequiresANameOfYourOwn() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> builder().cookie(CookieSpec.defaults().secure(false)).build());
        assertTrue(e.getMessage().contains("CookieSpec.named(\"SID\").secure(false)"), e.getMessage());
        assertEquals("SID", builder().cookie(CookieSpec.named("SID").secure(false)).build().cookie().name());
    }

    @Test
    void aCookieBrowsersWouldDropIsRefusedAtBuildTime() {
        CookieSpec longPath = CookieSpec.named("SID").path("/" + "p".repeat(4000));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> builder().cookie(longPath).build());
        assertTrue(e.getMessage().contains("4096"), e.getMessage());
        CookieSpec fits = CookieSpec.named("SID").path("/" + "p".repeat(3800));
        assertTrue(builder().cookie(fits).build().cookie().path().length() > 3800);
    }

    @Test
    void aNewerFormatIsToldApartFromCorruptionEvenWhenOtherFieldsChanged() {
        UnreadableEntryException plain = assertThrows(UnreadableEntryException.class,
                () -> SessionCodec.decode("{\"v\":2,\"id\":\"" + "A".repeat(22) + "\"}"));
        assertTrue(plain.newerFormat());
        UnreadableEntryException changedFields = assertThrows(UnreadableEntryException.class,
                () -> SessionCodec.decode("{\"id\":{\"new\":\"shape\"},\"created\":\"2026-12-01\",\"v\":7}"));
        assertTrue(changedFields.newerFormat(), "judged by v alone");
        UnreadableEntryException corrupt = assertThrows(UnreadableEntryException.class,
                () -> SessionCodec.decode("{\"v\":1,\"id\":".getBytes(StandardCharsets.UTF_8)));
        assertFalse(corrupt.newerFormat());
        UnreadableEntryException older = assertThrows(UnreadableEntryException.class,
                () -> SessionCodec.decode("{\"v\":0}"));
        assertFalse(older.newerFormat(), "an unknown older version is corrupt to this one");
    }

    @Test
    void anObjectWithNothingToWriteIsRefusedNamingTheAttribute() {
        Session s = InMemorySessionManager.builder().withoutBackgroundSweeper().build().newSession();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.put("widget", new Object()));
        assertTrue(e.getMessage().contains("widget"), e.getMessage());
    }
}
