package dev.satchel.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.spi.UnreadableEntryException;
import dev.satchel.spi.SessionIds;
import dev.satchel.spi.SessionRecord;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class AttributesColumnTest {

    private static SessionRecord.Builder record() {
        return SessionRecord.builder(SessionIds.newId(), SessionIds.newId()).idleTimeoutMillis(1000);
    }

    @Test
    @DisplayName("the column maps each name to its value's JSON text, as a string, and reads back exactly")
    void roundTrip() {
        SessionRecord r = record().attribute("cart", "{\"items\":[1, 2]}").attribute("theme", "\"dark\"")
                .attribute("n", "-0.0").attribute("", "null").build();
        String column = AttributesColumn.of(r);
        assertEquals("{\"\":\"null\",\"cart\":\"{\\\"items\\\":[1, 2]}\",\"n\":\"-0.0\",\"theme\":\"\\\"dark\\\"\"}", column);
        SessionRecord.Builder back = record();
        AttributesColumn.readInto(column, back);
        assertEquals(r.attributes(), back.build().attributes());
    }

    @Test
    @DisplayName("a change is a merge patch: set values as strings, removed names as null when asked")
    void changes() {
        Map<String, String> set = new LinkedHashMap<>();
        set.put("a", "1");
        assertEquals("{\"a\":\"1\",\"gone\":null}", AttributesColumn.changes(set, Set.of("gone"), true));
        assertEquals("{\"a\":\"1\"}", AttributesColumn.changes(set, Set.of("gone"), false));
    }

    @Test
    @DisplayName("an unreadable column names its defect, never its content")
    void unreadable() {
        String[] bad = {"[]", "{\"a\": 1}", "{\"a\": \"secret-not-json\"}", "{\"a\": \"1 2\"}", "{\"a\"", "{} {}", "nul"};
        for (String column : bad) {
            UnreadableEntryException e = assertThrows(UnreadableEntryException.class,
                    () -> AttributesColumn.readInto(column, record()), column);
            assertTrue(!e.getMessage().contains("secret"), e.getMessage());
        }
        assertThrows(UnreadableEntryException.class, () -> AttributesColumn.readInto(null, record()));
    }

    @Test
    @DisplayName("what this store cannot hold is refused before any write")
    void storable() {
        AttributesColumn.requireStorableName("a 😀", true);
        assertThrows(IllegalArgumentException.class, () -> AttributesColumn.requireStorableName("a\u0000", true));
        AttributesColumn.requireStorableName("a\u0000", false);
        assertThrows(IllegalArgumentException.class, () -> AttributesColumn.requireStorablePrincipal("p".repeat(513), false));
        assertThrows(IllegalArgumentException.class, () -> AttributesColumn.requireStorablePrincipal("a\u0000", true));
        assertThrows(IllegalArgumentException.class, () -> AttributesColumn.requireStorablePrincipal("a\uD800", false));
        AttributesColumn.requireStorablePrincipal("a\u0000", false);
        AttributesColumn.requireStorablePrincipal(null, true);
        assertEquals(-1, AttributesColumn.unpairedSurrogateAt("a😀b"));
        assertEquals(1, AttributesColumn.unpairedSurrogateAt("a\uDC00"));
        assertEquals(0, AttributesColumn.unpairedSurrogateAt("\uD800"));
    }
}
