package dev.satchel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.spi.ChangeSet;
import dev.satchel.spi.SessionAccess;
import dev.satchel.spi.SessionIds;
import dev.satchel.spi.SessionRecord;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SessionTest {

    private final SessionRecord stored = SessionRecord.builder(SessionIds.newId(), SessionIds.newId())
            .created(1000).lastAccess(2000).idleTimeoutMillis(60_000).deadline(100_000).version(3)
            .attribute("a", "1").attribute("b", "\"two\"").build();

    @Test
    void aViewSharesTheRecordUntilItChanges() {
        Session s = SessionAccess.wrap(stored);
        assertEquals(Set.of("a", "b"), s.attributeNames());
        s.put("a", 10);
        s.remove("b");
        s.put("c", List.of(1));
        assertEquals(10, s.get("a"));
        assertNull(s.get("b"));
        assertEquals(Set.of("a", "c"), s.attributeNames());
        assertEquals("1", stored.attribute("a"), "the record is immutable");
        assertEquals(Set.of("a", "b"), SessionAccess.wrap(stored).attributeNames());
    }

    @Test
    void putTakesASnapshot() {
        Session s = SessionAccess.wrap(stored);
        List<String> list = new ArrayList<>(List.of("x"));
        s.put("list", list);
        list.add("y");
        assertEquals(List.of("x"), s.get("list"));
        @SuppressWarnings("unchecked")
        List<String> read = (List<String>) s.get("list");
        read.add("z");
        assertEquals(List.of("x"), s.get("list"), "a value read is the caller's own");
    }

    @Test
    void changeSetCarriesExactlyThisRequestsChanges() {
        Session s = SessionAccess.wrap(stored);
        s.put("x", true);
        s.remove("a");
        s.setPrincipal("bob");
        s.setIdleTimeout(Duration.ofMinutes(5));
        ChangeSet c = s.changes(5000);
        assertEquals(Map.of("x", "true"), c.setAttributes());
        assertEquals(Set.of("a"), c.removedAttributes());
        assertTrue(c.principalChanged());
        assertEquals("bob", c.principal());
        assertEquals(300_000, c.idleTimeoutMillis());
        assertEquals(3, c.baseVersion());
        assertFalse(c.isTouchOnly());
        assertTrue(SessionAccess.wrap(stored).changes(5000).isTouchOnly());
    }

    @Test
    void aChangeSetHandedOutNeverMovesWhenTheSessionChangesAfter() {
        Session s = SessionAccess.wrap(stored);
        s.put("x", 1);
        s.remove("a");
        ChangeSet c = s.changes(5000);
        s.put("y", 2);
        s.put("x", 3);
        s.remove("b");
        s.put("a", "back");
        assertEquals(Map.of("x", "1"), c.setAttributes());
        assertEquals(Set.of("a"), c.removedAttributes());
        ChangeSet later = s.changes(6000);
        assertEquals(Map.of("x", "3", "y", "2", "a", "\"back\""), later.setAttributes());
        assertEquals(Set.of("b"), later.removedAttributes());
        assertEquals(Map.of("x", "1"), c.setAttributes(), "still the first one's");
    }

    @Test
    void applyToMergesIntoTheCurrentStoredState() {
        Session s = SessionAccess.wrap(stored);
        s.put("x", 1);
        s.remove("a");
        SessionRecord concurrent = stored.toBuilder().attribute("y", "2").version(4).lastAccess(9000).build();
        SessionRecord merged = s.changes(5000).applyTo(concurrent);
        assertEquals(Map.of("b", "\"two\"", "x", "1", "y", "2"), merged.attributes());
        assertEquals(5, merged.version());
        assertEquals(9000, merged.lastAccess(), "last access never moves back");
    }

    @Test
    void applyToNeverResurrects() {
        ChangeSet c = SessionAccess.wrap(stored).changes(5000);
        assertNull(c.applyTo(null));
        assertNull(c.applyTo(stored.toBuilder().deadline(4000).build()), "expired by its deadline");
        assertNull(c.applyTo(stored.toBuilder().lastAccess(0).idleTimeoutMillis(5000).build()), "expired idle");
    }

    @Test
    void typedReadOfAnIncompatibleValueIsAClearError() {
        Session s = SessionAccess.wrap(stored);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.get("b", Integer.class));
        assertTrue(e.getMessage().contains("'b'"), e.getMessage());
    }

    @Test
    void putJsonChecksItsInput() {
        Session s = SessionAccess.wrap(stored);
        s.putJson("raw", " {\"k\": [1, 2.50]} ");
        assertEquals("{\"k\": [1, 2.50]}", s.getJson("raw"));
        assertThrows(IllegalArgumentException.class, () -> s.putJson("bad", "{\"k\":"));
        assertThrows(IllegalArgumentException.class, () -> s.putJson("bad", "1, 2"));
        assertThrows(NullPointerException.class, () -> s.put(null, 1));
    }

    @Test
    void namesThatCannotBeStoredAsUtf8AreRefused() {
        Session s = SessionAccess.wrap(stored);
        assertThrows(IllegalArgumentException.class, () -> s.put("a\uD800", 1));
        assertThrows(IllegalArgumentException.class, () -> s.put("\uDC00a", 1));
        assertThrows(IllegalArgumentException.class, () -> s.putJson("\uD800", "1"));
        s.put("\uD83D\uDE00", 1);
        assertEquals(1, s.get("\uD83D\uDE00"));
    }

    @Test
    void timeoutsAreValidated() {
        Session s = SessionAccess.wrap(stored);
        assertThrows(IllegalArgumentException.class, () -> s.setIdleTimeout(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> s.setAbsoluteTimeout(Duration.ofSeconds(-1)));
        s.setAbsoluteTimeout(null);
        assertTrue(s.deadline().isEmpty());
        s.setAbsoluteTimeout(Duration.ofSeconds(10));
        assertEquals(11_000, s.deadline().orElseThrow().toEpochMilli());
    }

    @Test
    void toStringRevealsNoSecrets() {
        Session s = SessionAccess.wrap(stored);
        assertFalse(s.toString().contains(stored.id()));
        assertFalse(s.toString().contains(stored.randval()));
        assertFalse(stored.toString().contains(stored.id()));
        assertFalse(s.changes(1).toString().contains(stored.id()));
    }
}
