package dev.satchel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.spi.SessionAccess;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The size check of a save adds the change to the loaded record's bound instead of building the merged
 * record: a value replaced or removed no longer counts, a new one does, and a change that ends the session
 * is not refused for its size (it writes nothing).
 */
class WritePathSizeCheckTest {

    private final TestClock clock = new TestClock();
    private final SessionManager manager = InMemorySessionManager.builder().clock(clock).withoutBackgroundSweeper().build();

    private Session stored(String name, String value) {
        Session s = manager.newSession();
        s.put(name, value);
        assertTrue(manager.put(s));
        return manager.get(s.id()).orElseThrow();
    }

    @Test
    void replacingOrRemovingALargeValueFreesItsSpace() {
        String big = "é".repeat(2 * 1024 * 1024); // 4 MiB in UTF-8
        Session s = stored("a", big);
        s.put("a", big + "x"); // replaces: still about 4 MiB
        s.put("b", "small");
        assertTrue(manager.put(s));
        Session t = manager.get(s.id()).orElseThrow();
        t.remove("a");
        t.put("c", big); // a removed, c added: about 4 MiB again
        assertTrue(manager.put(t));
        Session u = manager.get(s.id()).orElseThrow();
        assertEquals(big, u.get("c"));
        assertFalse(u.contains("a"));
        u.put("d", big); // now 8 MiB: over the default maximum
        assertThrows(SessionTooLargeException.class, () -> manager.put(u));
    }

    @Test
    void aChangeToASessionPastItsDeadlineWritesNothingWhateverItsSize() {
        Session s = stored("a", "1");
        s.setAbsoluteTimeout(Duration.ofMinutes(1));
        assertTrue(manager.put(s));
        Session late = manager.get(s.id()).orElseThrow();
        clock.advance(Duration.ofMinutes(2));
        late.put("huge", "y".repeat(5 * 1024 * 1024));
        late.put("more", "y".repeat(5 * 1024 * 1024));
        assertFalse(manager.put(late), "the session ended: nothing is written, nothing refused");
        assertFalse(manager.exists(s.id()));
    }

    @Test
    void theChangeSetOfAFailedSaveIsNotDisturbedByTheNextChange() {
        Session s = stored("a", "1");
        s.put("a", 2);
        assertEquals("2", SessionAccess.changes(s, clock.millis()).setAttributes().get("a"));
        s.put("a", 3);
        assertTrue(manager.put(s));
        assertEquals(3, manager.get(s.id()).orElseThrow().get("a"));
    }
}
