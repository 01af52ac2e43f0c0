package dev.satchel.store.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Session;
import dev.satchel.spi.SessionCodec;
import dev.satchel.spi.SessionIds;
import dev.satchel.spi.SessionRecord;
import dev.satchel.testkit.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sweeper: what it removes, what it reads, how much one pass does. */
class SweeperTest {

    @TempDir
    Path dir;

    private final MutableClock clock = MutableClock.startingNow();

    @Test
    void sweepRemovesTheExpiredAndCountsThem() {
        try (FileBackedSessionManager manager = open()) {
            List<String> shortLived = store(manager, 150, Duration.ofMinutes(1));
            List<String> longLived = store(manager, 150, Duration.ofHours(1));
            assertEquals(0, manager.sweep());
            clock.advance(Duration.ofMinutes(2));
            assertEquals(150, manager.sweep());
            assertEquals(0, manager.sweep());
            StoreFiles files = new StoreFiles(dir);
            shortLived.forEach(sid -> assertFalse(files.isStored(sid)));
            longLived.forEach(sid -> assertTrue(manager.exists(sid)));
        }
    }

    @Test
    void theSweeperTrustsAFilesTimeAndCorrectsTheTimeOfFilesWrittenByOthers() throws Exception {
        try (FileBackedSessionManager manager = open()) {
            StoreFiles files = new StoreFiles(dir);
            
            // Written by another program: live for 30 minutes, but with its write time, as a plain write leaves it.
            String foreign = SessionIds.newId();
            SessionRecord foreignRecord = ForeignRecords.live(clock, foreign);
            Path foreignFile = files.plant(foreign, SessionCodec.encode(foreignRecord));
            Files.setLastModifiedTime(foreignFile, FileTime.fromMillis(clock.millis() - 1000));
            // Expired inside, but its time says it is not due: the sweeper does not open it.
            String notDue = SessionIds.newId();
            Path notDueFile = files.plant(notDue, SessionCodec.encode(ForeignRecords.live(clock, notDue).toBuilder()
                    .lastAccess(0).idleTimeoutMillis(1).build()));
            Files.setLastModifiedTime(notDueFile, FileTime.fromMillis(clock.millis() + 60_000));

            assertEquals(0, manager.sweep());
            assertEquals(foreignRecord.expiresAt(), Files.getLastModifiedTime(foreignFile).toMillis());
            assertTrue(files.isStored(notDue));
            clock.advance(Duration.ofMinutes(2));
            assertEquals(1, manager.sweep(), "due now");
            assertFalse(files.isStored(notDue));
            assertTrue(manager.exists(foreign));
        }
    }

    @Test
    void oneBackgroundPassExaminesAboutTheBatchSizeAndTheNextResumes() {
        int batch = 20;
        try (FileBackedSessionManager manager = FileBackedSessionManager.builder(dir).clock(clock)
                .fsync(FileBackedSessionManager.Fsync.NONE).withoutBackgroundSweeper().sweepBatchSize(batch).build()) {
            List<String> sessions = store(manager, 1000, Duration.ofMinutes(1));
            Map<String, Integer> perShard = new HashMap<>();
            sessions.forEach(sid -> perShard.merge(SessionFileNames.shardOf(SessionFileNames.baseName(sid)), 1, Integer::sum));
            int largestShard = perShard.values().stream().mapToInt(Integer::intValue).max().orElseThrow();
            clock.advance(Duration.ofMinutes(2));

            int removed = 0;
            int passes = 0;
            while (removed < sessions.size()) {
                FileBackedSessionManager.SweepCount count = manager.sweepBatch();
                assertTrue(count.examined < batch + largestShard, "bounded: " + count.examined);
                assertTrue(count.removed > 0, "each pass resumes where the last stopped, so it finds work");
                removed += count.removed;
                passes++;
            }
            assertEquals(sessions.size(), removed);
            assertTrue(passes >= sessions.size() / (batch + largestShard), "took " + passes + " passes");
            assertEquals(List.of(), new StoreFiles(dir).entriesEndingWith(".json"));
        }
    }

    @Test
    void theBackgroundSweeperRemovesExpiredSessionsOnItsOwn() throws Exception {
        try (FileBackedSessionManager manager = FileBackedSessionManager.builder(dir).clock(clock)
                .fsync(FileBackedSessionManager.Fsync.NONE).sweepInterval(Duration.ofMillis(20)).build()) {
            List<String> sessions = store(manager, 50, Duration.ofMinutes(1));
            StoreFiles files = new StoreFiles(dir);
            clock.advance(Duration.ofMinutes(2));
            // The sweeper runs on its own thread and schedule: wait for it, with a generous bound.
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (sessions.stream().anyMatch(files::isStored) && System.nanoTime() < deadline) {
                Thread.sleep(20);
            }
            sessions.forEach(sid -> assertFalse(files.isStored(sid)));
        }
    }

    private FileBackedSessionManager open() {
        return FileBackedSessionManager.builder(dir).clock(clock).fsync(FileBackedSessionManager.Fsync.NONE)
                .withoutBackgroundSweeper().build();
    }

    private static List<String> store(FileBackedSessionManager manager, int count, Duration idle) {
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
