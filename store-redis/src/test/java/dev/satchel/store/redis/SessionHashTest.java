package dev.satchel.store.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.spi.SessionIds;
import dev.satchel.spi.SessionRecord;
import dev.satchel.spi.UnreadableEntryException;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** How a session hash is judged: a newer format by {@code v} alone, anything else unreadable as corrupt. */
class SessionHashTest {

    private static Map<String, String> valid() {
        Map<String, String> h = new HashMap<>();
        h.put("v", "1");
        h.put("id", SessionIds.newId());
        h.put("randval", SessionIds.newId());
        h.put("created", "1000");
        h.put("lastAccess", "2000");
        h.put("idleTimeoutMs", "60000");
        h.put("version", "3");
        h.put("a:cart", "[1,2]");
        return h;
    }

    @Test
    @DisplayName("a valid hash decodes; an empty one is no session")
    void valid_() {
        SessionRecord r = SessionHash.decode(valid());
        assertEquals(3, r.version());
        assertEquals("[1,2]", r.attributes().get("cart"));
        assertEquals(null, SessionHash.decode(Map.of()));
    }

    @Test
    @DisplayName("v greater than 1 is a newer format, whatever else the hash holds")
    void newerFormat() {
        Map<String, String> h = valid();
        h.put("v", "2");
        h.put("created", "not a number");
        h.put("a:cart", "{broken");
        UnreadableEntryException e = assertThrows(UnreadableEntryException.class, () -> SessionHash.decode(h));
        assertTrue(e.newerFormat(), e.getMessage());
        assertTrue(e.getMessage().contains("format version 2"), e.getMessage());
        assertTrue(SessionHash.otherFormat("0002").newerFormat());
    }

    @Test
    @DisplayName("v missing, 0, not a number or past a long is corrupt, and the message never echoes text")
    void otherVersionsAreCorrupt() {
        for (String v : new String[] {null, "0", "one", "99999999999999999999", "-2", " 2"}) {
            Map<String, String> h = valid();
            if (v == null) {
                h.remove("v");
            } else {
                h.put("v", v);
            }
            UnreadableEntryException e = assertThrows(UnreadableEntryException.class, () -> SessionHash.decode(h));
            assertFalse(e.newerFormat(), () -> v + ": " + e.getMessage());
            assertFalse(v != null && v.length() > 1 && e.getMessage().contains(v), e.getMessage());
        }
    }
}
