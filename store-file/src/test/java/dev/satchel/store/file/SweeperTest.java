package dev.satchel.store.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.ExpiryEvents;
import dev.satchel.Session;
import dev.satchel.SessionManager;
import dev.satchel.spi.SessionCodec;
import dev.satchel.spi.SessionIds;
import dev.satchel.spi.SessionRecord;
import dev.satchel.spi.StoreSessionManager;
import dev.satchel.testkit.Await;
import dev.satchel.testkit.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sweep: what it removes, what it reads, how much one call does. */
class SweeperTest {

    @TempDir
    Path dir;

    private final MutableClock clock = MutableClock.startingNow();

    @Test
    void aSweepRemovesTheExpiredCountsThemAndReportsThem() {
        try (SessionManager manager = open()) {
            List<String> expired = new CopyOnWriteArrayList<>();
            ((ExpiryEvents) manager).onExpired(s -> expired.add(s.id()));
            List<String> shortLived = store(manager, 150, Duration.ofMinutes(1));
            List<String> longLived = store(manager, 150, Duration.ofHours(1));
            assertEquals(0, StoreSessionManager.sweepNow(manager));
            clock.advance(Duration.ofMinutes(2));
            assertEquals(150, StoreSessionManager.sweepNow(manager));
            assertEquals(0, StoreSessionManager.sweepNow(manager));
            StoreFiles files = new StoreFiles(dir);
            shortLived.forEach(sid -> assertFalse(files.isStored(sid)));
            longLived.forEach(sid -> assertTrue(manager.exists(sid)));
            assertEquals(new HashSet<>(shortLived), new HashSet<>(expired), "each swept session reported once");
            assertEquals(150, expired.size());
        }
    }

    @Test
    void theSweepTrustsAFilesTimeAndCorrectsTheTimeOfFilesWrittenByOthers() throws Exception {
        try (SessionManager manager = open()) {
            StoreFiles files = new StoreFiles(dir);
            // Written by another program: live for 30 minutes, but with its write time, as a plain write leaves it.
            String foreign = SessionIds.newId();
            SessionRecord foreignRecord = ForeignRecords.live(clock, foreign);
            Path foreignFile = files.plant(foreign, SessionCodec.encode(foreignRecord));
            Files.setLastModifiedTime(foreignFile, FileTime.fromMillis(clock.millis() - 1000));
            // Expired inside, but its time says it is not due: the sweep does not open it.
            String notDue = SessionIds.newId();
            Path notDueFile = files.plant(notDue, SessionCodec.encode(ForeignRecords.live(clock, notDue).toBuilder()
                    .lastAccess(0).idleTimeoutMillis(1).build()));
            Files.setLastModifiedTime(notDueFile, FileTime.fromMillis(clock.millis() + 60_000));

            assertEquals(0, StoreSessionManager.sweepNow(manager));
            assertEquals(foreignRecord.expiresAt(), Files.getLastModifiedTime(foreignFile).toMillis());
            assertTrue(files.isStored(notDue));
            clock.advance(Duration.ofMinutes(2));
            assertEquals(1, StoreSessionManager.sweepNow(manager), "due now");
            assertFalse(files.isStored(notDue));
            assertTrue(manager.exists(foreign));
        }
    }

    @Test
    void oneSweepCallDeletesAtMostItsLimitAndTheNextResumes() {
        int limit = 20;
        int count = 1000;
        try (FileSessionStore store = FileBackedSessionManager.builder(dir).fsync(FileBackedSessionManager.Fsync.NONE)
                .openStore(clock)) {
            Set<String> written = new HashSet<>();
            for (int i = 0; i < count; i++) {
                SessionRecord r = ForeignRecords.live(clock, SessionIds.newId()).toBuilder()
                        .idleTimeoutMillis(Duration.ofMinutes(1).toMillis()).build();
                assertTrue(store.create(r));
                written.add(r.id());
            }
            long later = clock.millis() + Duration.ofMinutes(2).toMillis();
            Set<String> reported = new HashSet<>();
            int calls = 0;
            int removed;
            do {
                List<SessionRecord> batch = new ArrayList<>();
                removed = store.sweep(later, limit, batch::add);
                assertTrue(removed <= limit, "bounded: " + removed);
                assertEquals(removed, batch.size());
                batch.forEach(r -> assertTrue(reported.add(r.id()), "reported once"));
                calls++;
            } while (removed == limit);
            assertEquals(written, reported, "a call that stops short has seen every file");
            assertEquals(count / limit + 1, calls);
            assertEquals(List.of(), new StoreFiles(dir).entriesEndingWith(".json"));
            assertEquals(0, store.sweep(later, limit, r -> { }));
        }
    }

    @Test
    void theBackgroundSweeperRemovesExpiredSessionsOnItsOwn() throws Exception {
        try (SessionManager manager = FileBackedSessionManager.builder(dir).clock(clock)
                .fsync(FileBackedSessionManager.Fsync.NONE).sweepInterval(Duration.ofMillis(20)).build()) {
            List<String> sessions = store(manager, 50, Duration.ofMinutes(1));
            StoreFiles files = new StoreFiles(dir);
            clock.advance(Duration.ofMinutes(2));
            // The sweeper runs on its own thread and schedule: wait for it, with a generous bound.
            Await.until("the background sweeper removed every expired session",
                    () -> sessions.stream().noneMatch(files::isStored));
            sessions.forEach(sid -> assertFalse(files.isStored(sid)));
        }
    }

    private SessionManager open() {
        return FileBackedSessionManager.builder(dir).clock(clock).fsync(FileBackedSessionManager.Fsync.NONE)
                .withoutBackgroundSweeper().build();
    }

    private static List<String> store(SessionManager manager, int count, Duration idle) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            Session s = manager.newSession();
            s.setIdleTimeout(idle);
            s.put("i", i);
            assertTrue(manager.put(s));
            ids.add(s.id());
        }
        return ids;
    }
}
