package dev.satchel;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.CookieSpec.SameSite;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class CookieSpecTest {

    @Test
    void defaultsAreSecureHttpOnlyLaxRootPath() {
        assertEquals("SID=v; Path=/; Secure; HttpOnly; SameSite=Lax", CookieSpec.named("SID").header("v"));
    }

    @Test
    void everyAttributeIsRendered() {
        CookieSpec spec = CookieSpec.named("s").path("/app").domain("Example.COM").maxAge(Duration.ofHours(1))
                .sameSite(SameSite.STRICT).secure(false);
        assertEquals("s=v; Path=/app; Domain=example.com; Max-Age=3600; HttpOnly; SameSite=Strict", spec.header("v"));
    }

    @Test
    void theExpiringCookieClearsTheValue() {
        String h = CookieSpec.named("SID").expiredHeader();
        assertTrue(h.startsWith("SID=; Path=/; Max-Age=0; Secure; HttpOnly; SameSite=Lax"), h);
        assertTrue(h.endsWith("; Expires=Thu, 01 Jan 1970 00:00:00 GMT"), h);
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a b", "a;b", "a=b", "a\"b", "a,b", "a\tb", "a\r\nSet-Cookie: x", "ä", "a/b", "(a)"})
    void namesMustBeTokens(String name) {
        assertThrows(IllegalArgumentException.class, () -> CookieSpec.named(name));
    }

    @ParameterizedTest
    @ValueSource(strings = {"/a;b", "/a\r\nX: y", "/a\nb", "/a b", "/\u0000", "/\u007f", "relative", "/é", ""})
    void pathsWithSeparatorsOrControlsAreRefused(String path) {
        assertThrows(IllegalArgumentException.class, () -> CookieSpec.named("SID").path(path));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "a..b", "example.com;", "example.com\r\n", "exa mple.com", "a.b.", "ex_ample.com",
        "éxample.com"})
    void domainsThatAreNotHostNamesAreRefused(String domain) {
        assertThrows(IllegalArgumentException.class, () -> CookieSpec.named("SID").domain(domain));
    }

    @Test
    void leadingDotOfADomainIsDropped() {
        assertEquals("example.com", CookieSpec.named("SID").domain(".example.com").domain());
    }

    @Test
    void hostPrefixRequiresSecureRootPathAndNoDomain() {
        assertDoesNotThrow(() -> CookieSpec.named("__Host-SID").checkConsistent());
        assertThrows(IllegalStateException.class, () -> CookieSpec.named("__Host-SID").secure(false).checkConsistent());
        assertThrows(IllegalStateException.class, () -> CookieSpec.named("__Host-SID").path("/app").checkConsistent());
        assertThrows(IllegalStateException.class, () -> CookieSpec.named("__host-SID").domain("a.com").checkConsistent());
    }

    @Test
    void securePrefixAndSameSiteNoneRequireSecure() {
        assertThrows(IllegalStateException.class, () -> CookieSpec.named("__Secure-SID").secure(false).checkConsistent());
        assertDoesNotThrow(() -> CookieSpec.named("__Secure-SID").path("/app").domain("a.com").checkConsistent());
        assertThrows(IllegalStateException.class,
                () -> CookieSpec.named("SID").sameSite(SameSite.NONE).secure(false).checkConsistent());
    }

    @Test
    void maxAgeMustBeAtLeastASecond() {
        assertThrows(IllegalArgumentException.class, () -> CookieSpec.named("SID").maxAge(Duration.ofMillis(500)));
        assertEquals("SID=v; Path=/; Secure; HttpOnly; SameSite=Lax",
                CookieSpec.named("SID").maxAge(Duration.ofDays(1)).maxAge(null).header("v"));
    }
}
