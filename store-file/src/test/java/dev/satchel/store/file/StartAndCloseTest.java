package dev.satchel.store.file;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Session;
import dev.satchel.SessionStoreUnavailableException;
import dev.satchel.testkit.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start-up checks, leftover temporary files, and closing. */
class StartAndCloseTest {

    private static final String SWEEPER_THREAD = "satchel-file-sweeper";

    @TempDir
    Path tmp;

    private final MutableClock clock = MutableClock.startingNow();

    @Test
    void leftoverTemporaryFilesOfGoneWritersAreRemovedAtStart() throws Exception {
        Path dir = tmp.resolve("store");
        String sid;
        try (FileBackedSessionManager manager = open(dir)) {
            Session s = manager.newSession();
            s.put("a", 1);
            assertTrue(manager.put(s));
            sid = s.id();
        }
        String base = SessionFileNames.baseName(sid);
        Path shard = dir.resolve(SessionFileNames.shardOf(base));
        long ourPid = ProcessHandle.current().pid();
        Process running = new ProcessBuilder("sleep", "60").start();
        try {
            String gone = goneWriter();
            Path ofGoneWriter = temp(shard, base, gone, 1);
            Path ofReusedPid = temp(shard, base, ourPid + "-1", 2);
            Path ofThisJvm = temp(shard, base, FileBackedSessionManager.writerId(ProcessHandle.current()), 3);
            Path ofRunningProcess = temp(shard, base, FileBackedSessionManager.writerId(running.toHandle()), 4);
            Path tooOld = temp(shard, base, FileBackedSessionManager.writerId(running.toHandle()), 5);
            Files.setLastModifiedTime(tooOld, FileTime.fromMillis(System.currentTimeMillis() - Duration.ofHours(2).toMillis()));
            Path withoutWriter = Files.writeString(shard.resolve(base + ".tmp"), "{");
            Path probe = Files.writeString(dir.resolve(SessionFileNames.tempName("probe", gone, 7)), "\n");

            try (FileBackedSessionManager manager = open(dir); CapturedLogs logs = new CapturedLogs()) {
                for (Path leftover : List.of(ofGoneWriter, ofReusedPid, tooOld, withoutWriter, probe)) {
                    assertFalse(Files.exists(leftover, NOFOLLOW_LINKS), leftover.getFileName() + " removed");
                }
                for (Path inProgress : List.of(ofThisJvm, ofRunningProcess)) {
                    assertTrue(Files.exists(inProgress, NOFOLLOW_LINKS), inProgress.getFileName() + " kept");
                }
                assertEquals(1, manager.get(sid).orElseThrow().get("a"));

                Path later = temp(shard, base, gone, 8);
                assertEquals(0, manager.sweep());
                assertFalse(Files.exists(later, NOFOLLOW_LINKS), "the sweeper removes leftovers too");
                assertTrue(logs.infos().stream().anyMatch(m -> m.contains("temporary")), logs.infos().toString());
            }
        } finally {
            running.destroyForcibly().waitFor();
        }
    }

    @Test
    void aDirectoryThatIsAFileIsRefusedWithItsPath() throws Exception {
        Path file = Files.writeString(tmp.resolve("not-a-dir"), "x");
        SessionStoreUnavailableException e = assertThrows(SessionStoreUnavailableException.class,
                () -> FileBackedSessionManager.at(file));
        assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
        SessionStoreUnavailableException below = assertThrows(SessionStoreUnavailableException.class,
                () -> FileBackedSessionManager.at(file.resolve("store")));
        assertTrue(below.getMessage().contains("cannot be created"), below.getMessage());
    }

    @Test
    void atUsesTheDefaultsAndStartsADaemonSweeper() {
        try (FileBackedSessionManager manager = FileBackedSessionManager.at(tmp.resolve("store"))) {
            Set<Thread> sweepers = sweeperThreads();
            assertEquals(1, sweepers.size());
            assertTrue(sweepers.iterator().next().isDaemon());
            Session s = manager.newSession();
            s.put("a", 1);
            assertTrue(manager.put(s));
            assertEquals(tmp.resolve("store"), manager.directory());
        }
        assertEquals(Set.of(), sweeperThreads(), "close() stopped the sweeper");
    }

    @Test
    void closeIsIdempotentAndTheManagerIsUnusableAfterwards() {
        FileBackedSessionManager manager = FileBackedSessionManager.builder(tmp.resolve("store")).clock(clock)
                .sweepInterval(Duration.ofMillis(5)).build();
        Session s = manager.newSession();
        s.put("a", 1);
        assertTrue(manager.put(s));
        manager.close();
        manager.close();
        assertEquals(Set.of(), sweeperThreads());
        assertThrows(IllegalStateException.class, () -> manager.get(s.id()));
        assertThrows(IllegalStateException.class, () -> manager.put(s));
        assertThrows(IllegalStateException.class, () -> manager.remove(s.id()));
        assertThrows(IllegalStateException.class, manager::sweep);
        try (FileBackedSessionManager reopened = open(tmp.resolve("store"))) {
            assertEquals(1, reopened.get(s.id()).orElseThrow().get("a"), "what was stored stays");
        }
    }

    @Test
    void settingsAreCheckedWhenSet() {
        FileBackedSessionManager.Builder b = FileBackedSessionManager.builder(tmp);
        assertThrows(IllegalArgumentException.class, () -> b.sweepInterval(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> b.sweepInterval(Duration.ofSeconds(-1)));
        assertThrows(IllegalArgumentException.class, () -> b.sweepBatchSize(0));
        assertThrows(IllegalArgumentException.class, () -> b.lockTimeout(Duration.ZERO));
        assertThrows(NullPointerException.class, () -> b.fsync(null));
        assertThrows(NullPointerException.class, () -> b.clock(null));
        assertThrows(NullPointerException.class, () -> FileBackedSessionManager.builder(null));
    }

    // ------------------------------------------------------------------ helpers

    private FileBackedSessionManager open(Path dir) {
        return FileBackedSessionManager.builder(dir).clock(clock).withoutBackgroundSweeper().build();
    }

    private static Path temp(Path shard, String base, String writer, long sequence) throws Exception {
        return Files.writeString(shard.resolve(SessionFileNames.tempName(base, writer, sequence)), "{\"v\":1,");
    }

    /** The writer id of a process that has ended. */
    private static String goneWriter() throws Exception {
        Process p = new ProcessBuilder("true").start();
        String writer = FileBackedSessionManager.writerId(p.toHandle());
        p.waitFor();
        return writer;
    }

    private static Set<Thread> sweeperThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals(SWEEPER_THREAD) && t.isAlive())
                .collect(Collectors.toSet());
    }
}
