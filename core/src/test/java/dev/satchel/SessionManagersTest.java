package dev.satchel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Clock;
import org.junit.jupiter.api.Test;

class SessionManagersTest {

    @Test
    void memoryOpensAnInMemoryManager() {
        try (SessionManager m = SessionManagers.open("memory:/", Clock.systemUTC())) {
            Session s = m.newSession();
            s.put("a", 1);
            assertTrue(m.put(s));
            assertEquals(1, m.get(s.id()).orElseThrow().get("a"));
            assertTrue(m instanceof PrincipalIndex);
        }
        assertTrue(SessionManagers.schemes().contains("memory"));
    }

    @Test
    void anUnknownSchemeNamesTheKnownOnesAndNeverTheUserInfo() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SessionManagers.open("nosuch://user:s3cret@host/x"));
        assertTrue(e.getMessage().contains("'nosuch'") && e.getMessage().contains("memory"), e.getMessage());
        assertFalse(e.getMessage().contains("s3cret"));
    }

    @Test
    void aMalformedUriIsRefusedWithoutEchoingIt() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SessionManagers.open("redis://user:s3cret@host:port with space/"));
        assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> SessionManagers.open("no-scheme-here"));
        assertThrows(IllegalArgumentException.class, () -> SessionManagers.open("memory:/x?y=1"));
    }
}
