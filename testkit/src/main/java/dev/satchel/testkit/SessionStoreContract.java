package dev.satchel.testkit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.satchel.Session;
import dev.satchel.SessionManager;
import dev.satchel.spi.ChangeSet;
import dev.satchel.spi.PrincipalIndexedStore;
import dev.satchel.spi.SessionAccess;
import dev.satchel.spi.SessionIds;
import dev.satchel.spi.SessionRecord;
import dev.satchel.spi.SessionStore;
import dev.satchel.spi.StoreSessionManager;
import dev.satchel.spi.SweepableStore;
import dev.satchel.spi.UnreadableEntryException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The contract every {@link SessionStore} keeps, checked against the SPI directly — below the manager, so a
 * store that relies on the manager's policy to hide a fault (an overwriting {@code create}, a non-atomic
 * {@code apply}, an unreadable entry it touched) fails here. A store's test extends this and supplies
 * {@link #createStore} and a {@link #backdoor()}; {@code SessionManagerContract} then checks the same store
 * behind the manager.
 *
 * <pre>{@code
 * class MyStoreContractTest extends SessionStoreContract {
 *     @Override protected SessionStore createStore(Clock clock) { return new MyStore(dir); }
 *     @Override protected StoreBackdoor backdoor() { return new MyStoreFiles(dir); }
 * }
 * }</pre>
 *
 * <p>Records are made here with the clock at {@link #startTime()}; nothing in a store may read a clock of
 * its own except where it expires entries natively ({@link StoreBackdoor#sweepExpired()} returns -1 then).
 */
public abstract class SessionStoreContract {

    /** The clock the store was created with (the records' times come from it too). */
    protected MutableClock clock;
    /** The store under test, fresh and empty for every test. */
    protected SessionStore store;

    /** Returns an empty store. Called before each test; closed after it. */
    protected abstract SessionStore createStore(Clock clock) throws Exception;

    /** A backdoor into the store's storage; required, since several cases check what is physically stored. */
    protected abstract StoreBackdoor backdoor();

    /** Where the clock starts; the current time by default, which stores with a server-side TTL need. */
    protected java.time.Instant startTime() {
        return java.time.Instant.now();
    }

    /** Threads in the atomicity test. */
    protected int concurrentThreads() {
        return 4;
    }

    /** Rounds each thread runs in the atomicity test. */
    protected int concurrentRounds() {
        return 50;
    }

    @BeforeEach
    final void openStore() throws Exception {
        clock = MutableClock.at(startTime());
        store = createStore(clock);
    }

    @AfterEach
    final void closeStore() {
        if (store != null) {
            store.close();
        }
    }

    // ------------------------------------------------------------------ create and load

    @Test
    @DisplayName("a created record loads back with every field equal")
    void createThenLoad() {
        SessionRecord r = record(b -> b.principal("alice").attribute("cart", "{\"items\":[1,2]}").attribute("n", "7"));
        assertTrue(store.create(r));
        assertRecordEquals(r, store.load(r.id()));
    }

    @Test
    @DisplayName("an id that was never stored loads as null")
    void unknownIdLoadsNull() {
        assertNull(store.load(SessionIds.newId()));
    }

    @Test
    @DisplayName("create never overwrites: a taken id is reported and the stored record is unchanged")
    void createNeverOverwrites() {
        SessionRecord first = record(b -> b.attribute("who", "\"first\""));
        assertTrue(store.create(first));
        SessionRecord second = SessionRecord.builder(first.id(), SessionIds.newId())
                .created(first.created()).lastAccess(first.lastAccess()).idleTimeoutMillis(first.idleTimeoutMillis())
                .deadline(first.deadline()).attribute("who", "\"second\"").build();
        assertFalse(store.create(second), "a taken id is a conflict");
        assertRecordEquals(first, store.load(first.id()));
    }

    @Test
    @DisplayName("create does not overwrite an unreadable entry either")
    void createDoesNotOverwriteACorruptEntry() {
        String sid = SessionIds.newId();
        assumeTrue(backdoor().plantCorrupt(sid), "this store cannot hold a corrupt entry");
        SessionRecord r = record(sid, b -> {});
        assertFalse(store.create(r));
        assertThrows(UnreadableEntryException.class, () -> store.load(sid));
    }

    @Test
    @DisplayName("a record written by another program, as docs/format.md describes, is read")
    void foreignRecordIsRead() {
        SessionRecord r = record(b -> b.principal("bob").attribute("theme", "\"dark\"").version(41));
        assumeTrue(backdoor().persist(r), "this store cannot be written from outside");
        assertRecordEquals(r, store.load(r.id()));
    }

    // ------------------------------------------------------------------ apply

    @Test
    @DisplayName("apply on an absent record writes nothing and says so")
    void applyOnAbsentIsANoOp() {
        SessionRecord never = record(b -> b.attribute("a", "1"));
        assertNull(store.apply(change(never, s -> s.put("b", 2))));
        assertFalse(backdoor().isStored(never.id()), "no resurrection");
        assertNull(store.load(never.id()));
    }

    @Test
    @DisplayName("apply merges into what is stored now, not into the copy the change started from")
    void applyMergesIntoTheStoredRecord() {
        SessionRecord base = created(b -> b.attribute("keep", "\"yes\"").attribute("drop", "1"));
        ChangeSet first = change(base, s -> s.put("a", 1));
        ChangeSet second = change(base, s -> {
            s.put("b", 2);
            s.remove("drop");
        });
        SessionRecord afterFirst = store.apply(first);
        assertNotNull(afterFirst);
        assertEquals(base.version() + 1, afterFirst.version());
        SessionRecord afterSecond = store.apply(second);
        assertNotNull(afterSecond);
        assertEquals(base.version() + 2, afterSecond.version(), "the version counts stored changes");
        SessionRecord loaded = store.load(base.id());
        assertEquals("1", loaded.attribute("a"));
        assertEquals("2", loaded.attribute("b"));
        assertEquals("\"yes\"", loaded.attribute("keep"));
        assertNull(loaded.attribute("drop"));
        assertRecordEquals(afterSecond, loaded);
    }

    @Test
    @DisplayName("apply moves the last access forward and stores changed timeouts and principal")
    void applyStoresMetadata() {
        SessionRecord base = created(b -> {});
        clock.advance(Duration.ofMinutes(5));
        SessionRecord merged = store.apply(change(base, s -> {
            s.setPrincipal("carol");
            s.setIdleTimeout(Duration.ofMinutes(45));
        }));
        assertNotNull(merged);
        SessionRecord loaded = store.load(base.id());
        assertEquals(clock.millis(), loaded.lastAccess());
        assertEquals(Duration.ofMinutes(45).toMillis(), loaded.idleTimeoutMillis());
        assertEquals("carol", loaded.principal());
        assertEquals(base.created(), loaded.created());
        assertEquals(base.randval(), loaded.randval());
    }

    @Test
    @DisplayName("apply is atomic: concurrent changes of different attributes all survive")
    void applyIsAtomicUnderConcurrency() throws Exception {
        SessionRecord base = created(b -> {});
        int threads = concurrentThreads();
        int rounds = concurrentRounds();
        SessionManagerContract.runConcurrently(threads, t -> {
            for (int r = 0; r < rounds; r++) {
                SessionRecord now = store.load(base.id());
                int n = now.attribute("c" + t) == null ? 0 : Integer.parseInt(now.attribute("c" + t));
                int next = n + 1;
                assertNotNull(store.apply(change(now, s -> s.put("c" + t, next))), "the session is live");
            }
        });
        SessionRecord loaded = store.load(base.id());
        for (int t = 0; t < threads; t++) {
            assertEquals(String.valueOf(rounds), loaded.attribute("c" + t), "counter of thread " + t);
        }
        assertEquals(base.version() + (long) threads * rounds, loaded.version());
    }

    @Test
    @DisplayName("apply on a record stored expired writes nothing, returns null and deletes it")
    void applyOnExpiredDeletes() {
        SessionRecord base = created(b -> b.idleTimeoutMillis(60_000));
        clock.advance(Duration.ofMinutes(2));
        assertNull(store.apply(change(base, s -> s.put("late", 1))));
        assertNull(loadLive(base.id()), "not revived");
    }

    @Test
    @DisplayName("a change that ends the session (a deadline already past) deletes it")
    void applyThatEndsTheSessionDeletes() {
        SessionRecord base = created(b -> {});
        clock.advance(Duration.ofMinutes(1));
        assertNull(store.apply(change(base, s -> s.setAbsoluteTimeout(Duration.ofSeconds(1)))));
        assertFalse(backdoor().isStored(base.id()));
    }

    // ------------------------------------------------------------------ delete

    @Test
    @DisplayName("delete removes the entry physically and is idempotent")
    void deleteIsIdempotent() {
        SessionRecord r = created(b -> {});
        store.delete(r.id());
        assertFalse(backdoor().isStored(r.id()));
        assertNull(store.load(r.id()));
        store.delete(r.id());
        store.delete(SessionIds.newId());
    }

    @Test
    @DisplayName("after delete, the id can be created again and apply on the old copy does nothing")
    void deleteThenApplyDoesNotResurrect() {
        SessionRecord r = created(b -> b.attribute("a", "1"));
        store.delete(r.id());
        assertNull(store.apply(change(r, s -> s.put("b", 2))));
        assertFalse(backdoor().isStored(r.id()));
    }

    // ------------------------------------------------------------------ unreadable entries

    @Test
    @DisplayName("a corrupt entry is reported as corrupt by load and apply, and discard clears it")
    void corruptEntryIsReportedAndDiscarded() {
        String sid = SessionIds.newId();
        assumeTrue(backdoor().plantCorrupt(sid), "this store cannot hold a corrupt entry");
        UnreadableEntryException e = assertThrows(UnreadableEntryException.class, () -> store.load(sid));
        assertFalse(e.newerFormat());
        SessionRecord copy = record(sid, b -> {});
        UnreadableEntryException onApply = assertThrows(UnreadableEntryException.class,
                () -> store.apply(change(copy, s -> s.put("x", 1))));
        assertFalse(onApply.newerFormat());
        store.discard(sid);
        assertNull(store.load(sid), "a discarded entry is gone from the store's view");
    }

    @Test
    @DisplayName("a newer-format entry is reported as such and never touched: not by load, apply or sweep")
    void newerFormatEntryIsLeftAlone() {
        SessionRecord r = created(b -> b.principal("dave").attribute("a", "1"));
        assumeTrue(backdoor().plantNewerFormat(r.id()), "this store cannot hold a newer-format entry");
        UnreadableEntryException e = assertThrows(UnreadableEntryException.class, () -> store.load(r.id()));
        assertTrue(e.newerFormat(), "told apart from corruption");
        UnreadableEntryException onApply = assertThrows(UnreadableEntryException.class,
                () -> store.apply(change(r, s -> s.put("b", 2))));
        assertTrue(onApply.newerFormat());
        assertTrue(backdoor().isNewerFormatIntact(r.id()), "apply wrote nothing");
        if (store instanceof SweepableStore) {
            clock.advance(Duration.ofDays(30));
            ((SweepableStore) store).sweep(clock.millis(), 1_000, x -> {});
            assertTrue(backdoor().isNewerFormatIntact(r.id()), "the sweeper left it");
        }
    }

    // ------------------------------------------------------------------ sweeping

    @Test
    @DisplayName("a sweep deletes expired entries, reports each, keeps live ones, and respects its limit")
    void sweepDeletesExpiredOnly() {
        assumeTrue(store instanceof SweepableStore, "this store expires entries natively");
        SweepableStore sweepable = (SweepableStore) store;
        List<String> shortLived = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            shortLived.add(created(b -> b.idleTimeoutMillis(60_000)).id());
        }
        SessionRecord live = created(b -> b.idleTimeoutMillis(3_600_000));
        clock.advance(Duration.ofMinutes(2));
        List<SessionRecord> reported = new ArrayList<>();
        int first = sweepable.sweep(clock.millis(), 3, reported::add);
        assertEquals(3, first, "a batch stops at its limit");
        int rest = sweepable.sweep(clock.millis(), 100, reported::add);
        assertEquals(2, rest);
        assertEquals(5, reported.size());
        for (SessionRecord r : reported) {
            assertTrue(shortLived.contains(r.id()), "only expired entries are reported");
        }
        for (String sid : shortLived) {
            assertFalse(backdoor().isStored(sid));
        }
        assertTrue(backdoor().isStored(live.id()));
        assertEquals(0, sweepable.sweep(clock.millis(), 100, reported::add));
    }

    @Test
    @DisplayName("a record stored already expired by another program is swept")
    void foreignExpiredRecordIsSwept() {
        assumeTrue(store instanceof SweepableStore, "this store expires entries natively");
        long past = clock.millis() - Duration.ofHours(2).toMillis();
        SessionRecord old = SessionRecord.builder(SessionIds.newId(), SessionIds.newId())
                .created(past).lastAccess(past).idleTimeoutMillis(60_000).deadline(SessionRecord.NO_DEADLINE).build();
        assumeTrue(backdoor().persist(old), "this store cannot be written from outside");
        assertEquals(1, ((SweepableStore) store).sweep(clock.millis(), 100, r -> {}));
        assertFalse(backdoor().isStored(old.id()));
    }

    // ------------------------------------------------------------------ principal index

    @Test
    @DisplayName("the principal index never misses a live session of the principal, through every change")
    void principalIndexFollowsChanges() {
        assumeTrue(store instanceof PrincipalIndexedStore, "this store has no principal index");
        PrincipalIndexedStore indexed = (PrincipalIndexedStore) store;
        SessionRecord a = created(b -> b.principal("erin"));
        SessionRecord b2 = created(b -> {});
        assertTrue(indexed.idsOfPrincipal("erin").contains(a.id()));
        assertFalse(indexed.idsOfPrincipal("erin").contains(b2.id()));
        assertNotNull(store.apply(change(b2, s -> s.setPrincipal("erin"))));
        assertTrue(indexed.idsOfPrincipal("erin").containsAll(List.of(a.id(), b2.id())), "a login is indexed");
        assertNotNull(store.apply(change(store.load(a.id()), s -> s.setPrincipal("frank"))));
        assertTrue(indexed.idsOfPrincipal("frank").contains(a.id()), "a principal change moves the session");
        assertNotNull(store.apply(change(store.load(b2.id()), s -> s.setPrincipal(null))));
        for (String id : indexed.idsOfPrincipal("erin")) { // stale ids may remain; the manager filters them
            SessionRecord r = store.load(id);
            assertFalse(r != null && "erin".equals(r.principal()), "erin has no session left");
        }
        assertTrue(indexed.idsOfPrincipal("nobody").isEmpty());
    }

    @Test
    @DisplayName("a principal with many sessions is answered completely")
    void principalWithManySessions() {
        assumeTrue(store instanceof PrincipalIndexedStore, "this store has no principal index");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            ids.add(created(b -> b.principal("grace")).id());
        }
        Collection<String> found = ((PrincipalIndexedStore) store).idsOfPrincipal("grace");
        assertTrue(found.containsAll(ids));
    }

    // ------------------------------------------------------------------ the manager over this store

    @ParameterizedTest
    @MethodSource("dev.satchel.testkit.SessionManagerContract#hostileIds")
    @DisplayName("behind the manager, a hostile id never reaches the store (counted store calls)")
    void hostileIdsNeverReachTheStore(String id) {
        AtomicInteger calls = new AtomicInteger();
        SessionStore counting = new CountingStore(store, calls);
        try (SessionManager manager = StoreSessionManager.over(counting).clock(clock).sweepInterval(Duration.ZERO).build()) {
            assertTrue(manager.get(id).isEmpty());
            assertFalse(manager.exists(id));
            manager.remove(id);
        }
        assertEquals(0, calls.get(), "store calls for a hostile id");
    }

    // ------------------------------------------------------------------ helpers

    /** A record made now with {@code fill}'s settings, not stored. */
    protected final SessionRecord record(Consumer<SessionRecord.Builder> fill) {
        return record(SessionIds.newId(), fill);
    }

    /** A record with id {@code sid} made now with {@code fill}'s settings, not stored. */
    protected final SessionRecord record(String sid, Consumer<SessionRecord.Builder> fill) {
        long now = clock.millis();
        SessionRecord.Builder b = SessionRecord.builder(sid, SessionIds.newId())
                .created(now).lastAccess(now).idleTimeoutMillis(Duration.ofMinutes(30).toMillis())
                .deadline(now + Duration.ofHours(12).toMillis());
        fill.accept(b);
        return b.build();
    }

    /** A record created in the store. */
    protected final SessionRecord created(Consumer<SessionRecord.Builder> fill) {
        SessionRecord r = record(fill);
        assertTrue(store.create(r), "created");
        return r;
    }

    /** The change a request makes with {@code edit} on a copy of {@code base}, at the clock's time. */
    protected final ChangeSet change(SessionRecord base, Consumer<Session> edit) {
        Session s = SessionAccess.wrap(base);
        edit.accept(s);
        return SessionAccess.changes(s, clock.millis());
    }

    private SessionRecord loadLive(String sid) {
        SessionRecord r = store.load(sid);
        return r == null || r.isExpiredAt(clock.millis()) ? null : r;
    }

    /** Every field, attributes included. */
    protected static void assertRecordEquals(SessionRecord expected, SessionRecord actual) {
        assertNotNull(actual, "record present");
        assertEquals(expected.id(), actual.id());
        assertEquals(expected.randval(), actual.randval());
        assertEquals(expected.created(), actual.created());
        assertEquals(expected.lastAccess(), actual.lastAccess());
        assertEquals(expected.idleTimeoutMillis(), actual.idleTimeoutMillis());
        assertEquals(expected.deadline(), actual.deadline());
        assertEquals(expected.principal(), actual.principal());
        assertEquals(expected.version(), actual.version());
        assertEquals(expected.attributes(), actual.attributes());
    }

    /** Counts every call reaching the store it wraps; closing it leaves the store open. */
    private static final class CountingStore implements SessionStore {
        private final SessionStore delegate;
        private final AtomicInteger calls;

        CountingStore(SessionStore delegate, AtomicInteger calls) {
            this.delegate = delegate;
            this.calls = calls;
        }

        @Override
        public SessionRecord load(String id) {
            calls.incrementAndGet();
            return delegate.load(id);
        }

        @Override
        public boolean create(SessionRecord record) {
            calls.incrementAndGet();
            return delegate.create(record);
        }

        @Override
        public SessionRecord apply(ChangeSet changes) {
            calls.incrementAndGet();
            return delegate.apply(changes);
        }

        @Override
        public void delete(String id) {
            calls.incrementAndGet();
            delegate.delete(id);
        }

        @Override
        public void discard(String id) {
            calls.incrementAndGet();
            delegate.discard(id);
        }

        @Override
        public void close() {
            // the contract closes the real store after the test
        }
    }
}
