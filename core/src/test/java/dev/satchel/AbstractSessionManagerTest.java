package dev.satchel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.spi.AbstractSessionManager;
import dev.satchel.spi.ChangeSet;
import dev.satchel.spi.SessionIds;
import dev.satchel.spi.SessionRecord;
import dev.satchel.spi.UnreadableEntryException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The policy the base class applies around a store's I/O. */
class AbstractSessionManagerTest {

    /** A store whose single entry is whatever the test sets, and which records what it was asked. */
    static final class ScriptedStore extends AbstractSessionManager {
        SessionRecord entry;
        boolean corrupt;
        final List<String> loads = new ArrayList<>();
        final List<String> discarded = new ArrayList<>();

        ScriptedStore() {
            super(new TestClock());
        }

        @Override
        protected SessionRecord load(String sid) {
            loads.add(sid);
            if (corrupt) {
                throw new UnreadableEntryException("unreadable");
            }
            return entry;
        }

        @Override
        protected boolean create(SessionRecord record) {
            if (entry != null) {
                return false;
            }
            entry = record;
            return true;
        }

        @Override
        protected SessionRecord apply(ChangeSet changes) {
            if (corrupt) {
                throw new UnreadableEntryException("unreadable");
            }
            entry = changes.applyTo(entry);
            return entry;
        }

        @Override
        protected void delete(String sid) {
            entry = null;
        }

        @Override
        protected void discardCorrupt(String sid) {
            discarded.add(sid);
            corrupt = false;
            entry = null;
        }

        @Override
        public void close() {}
    }

    @Test
    void invalidIdsNeverReachTheStore() {
        ScriptedStore store = new ScriptedStore();
        store.get("../x");
        store.exists("");
        store.remove(null);
        assertTrue(store.loads.isEmpty());
    }

    @Test
    void aCorruptEntryIsAbsentAndDiscardedOnce() {
        ScriptedStore store = new ScriptedStore();
        store.corrupt = true;
        String sid = SessionIds.newId();
        assertTrue(store.get(sid).isEmpty());
        assertTrue(store.get(sid).isEmpty());
        assertEquals(List.of(sid), store.discarded);
    }

    @Test
    void aSaveIntoACorruptEntryReportsTheSessionGone() {
        ScriptedStore store = new ScriptedStore();
        Session s = store.newSession();
        s.put("a", 1);
        assertTrue(store.put(s));
        store.corrupt = true;
        s.put("a", 2);
        assertFalse(store.put(s));
        assertEquals(List.of(s.id()), store.discarded);
        assertFalse(store.exists(s.id()));
    }

    @Test
    void anEntryStoredUnderAnotherIdIsAbsent() {
        ScriptedStore store = new ScriptedStore();
        Session s = store.newSession();
        s.put("a", 1);
        store.put(s);
        String other = SessionIds.newId();
        assertTrue(store.get(other).isEmpty(), "the store answered with a record of another session");
        assertEquals(List.of(other), store.discarded);
    }

    @Test
    void aTakenIdIsAConflict() {
        ScriptedStore store = new ScriptedStore();
        Session first = store.newSession();
        first.put("a", 1);
        store.put(first);
        Session second = store.newSession();
        second.put("b", 1);
        assertThrows(SessionConflictException.class, () -> store.put(second));
    }
}
