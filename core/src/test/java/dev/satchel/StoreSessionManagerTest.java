package dev.satchel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.spi.ChangeSet;
import dev.satchel.spi.SessionIds;
import dev.satchel.spi.SessionRecord;
import dev.satchel.spi.SessionStore;
import dev.satchel.spi.StoreMetrics;
import dev.satchel.spi.StoreSessionManager;
import dev.satchel.spi.UnreadableEntryException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The policy the core manager applies around a store's I/O, against a store the test scripts. */
class StoreSessionManagerTest {

    /** A store whose single entry is whatever the test sets, and which records what it was asked. */
    static final class ScriptedStore implements SessionStore {
        SessionRecord entry;
        UnreadableEntryException unreadable;
        final List<String> loads = new ArrayList<>();
        final List<String> discarded = new ArrayList<>();
        int closes;

        @Override
        public SessionRecord load(String sid) {
            loads.add(sid);
            if (unreadable != null) {
                throw unreadable;
            }
            return entry;
        }

        @Override
        public boolean create(SessionRecord record) {
            if (entry != null) {
                return false;
            }
            entry = record;
            return true;
        }

        @Override
        public SessionRecord apply(ChangeSet changes) {
            if (unreadable != null) {
                throw unreadable;
            }
            entry = changes.applyTo(entry);
            return entry;
        }

        @Override
        public void delete(String sid) {
            entry = null;
        }

        @Override
        public void discard(String sid) {
            discarded.add(sid);
            unreadable = null;
            entry = null;
        }

        @Override
        public void close() {
            closes++;
        }
    }

    private final ScriptedStore store = new ScriptedStore();
    private final List<String> recorded = new ArrayList<>();
    private final SessionManager manager = StoreSessionManager.over(store).clock(new TestClock())
            .sweepInterval(Duration.ZERO).metrics((op, outcome, nanos) -> recorded.add(op + " " + outcome)).build();

    @Test
    void invalidIdsNeverReachTheStore() {
        manager.get("../x");
        manager.exists("");
        manager.remove(null);
        assertTrue(store.loads.isEmpty());
        assertTrue(recorded.isEmpty());
    }

    @Test
    void aCorruptEntryIsAbsentAndDiscarded() {
        store.unreadable = new UnreadableEntryException("unreadable");
        String sid = SessionIds.newId();
        assertTrue(manager.get(sid).isEmpty());
        assertTrue(manager.get(sid).isEmpty());
        assertEquals(List.of(sid), store.discarded);
    }

    @Test
    void aNewerFormatEntryIsAbsentAndNeverDiscarded() {
        store.unreadable = UnreadableEntryException.newerFormat(2);
        String sid = SessionIds.newId();
        assertTrue(manager.get(sid).isEmpty());
        assertFalse(manager.exists(sid));
        assertTrue(store.discarded.isEmpty(), "left for the newer node");
    }

    @Test
    void aSaveIntoACorruptEntryReportsTheSessionGone() {
        Session s = manager.newSession();
        s.put("a", 1);
        assertTrue(manager.put(s));
        store.unreadable = new UnreadableEntryException("unreadable");
        s.put("a", 2);
        assertFalse(manager.put(s));
        assertEquals(List.of(s.id()), store.discarded);
        assertFalse(manager.exists(s.id()));
    }

    @Test
    void anEntryStoredUnderAnotherIdIsAbsent() {
        Session s = manager.newSession();
        s.put("a", 1);
        manager.put(s);
        String other = SessionIds.newId();
        assertTrue(manager.get(other).isEmpty(), "the store answered with a record of another session");
        assertEquals(List.of(other), store.discarded);
    }

    @Test
    void aTakenIdIsAConflict() {
        Session first = manager.newSession();
        first.put("a", 1);
        manager.put(first);
        Session second = manager.newSession();
        second.put("b", 1);
        assertThrows(SessionConflictException.class, () -> manager.put(second));
    }

    @Test
    void everyStoreOperationIsRecordedWithItsOutcome() {
        Session s = manager.newSession();
        s.put("a", 1);
        manager.put(s);
        manager.get(s.id());
        manager.get(SessionIds.newId());
        manager.remove(s.id());
        assertEquals(List.of("CREATE SUCCESS", "LOAD SUCCESS", "LOAD ABSENT", "DELETE SUCCESS"), recorded);
    }

    @Test
    void aFailingMetricsRecorderBreaksNothing() {
        StoreMetrics broken = (op, outcome, nanos) -> {
            throw new IllegalStateException("broken recorder");
        };
        try (SessionManager m = StoreSessionManager.over(new ScriptedStore()).sweepInterval(Duration.ZERO).metrics(broken).build()) {
            Session s = m.newSession();
            s.put("a", 1);
            assertTrue(m.put(s));
            assertTrue(m.exists(s.id()));
        }
    }

    @Test
    void closeClosesTheStoreOnceAndEndsTheManager() {
        manager.close();
        manager.close();
        assertEquals(1, store.closes);
        assertThrows(IllegalStateException.class, () -> manager.get(SessionIds.newId()));
    }

    @Test
    void theBuilderFollowsTheConvention() {
        StoreSessionManager.Builder b = StoreSessionManager.over(new ScriptedStore()).sweepBatch(10);
        IllegalStateException twice = assertThrows(IllegalStateException.class, () -> b.sweepBatch(20));
        assertEquals("sweep batch was already set to 10", twice.getMessage());
        NullPointerException nul = assertThrows(NullPointerException.class, () -> b.clock(null));
        assertEquals("clock", nul.getMessage());
        IllegalArgumentException range = assertThrows(IllegalArgumentException.class, () -> b.maxSessionBytes(1));
        assertTrue(range.getMessage().contains("max session bytes"), range.getMessage());
    }
}
