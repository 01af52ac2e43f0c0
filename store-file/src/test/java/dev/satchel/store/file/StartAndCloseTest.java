package dev.satchel.store.file;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Session;
import dev.satchel.SessionManager;
import dev.satchel.SessionStoreUnavailableException;
import dev.satchel.spi.StoreMetrics;
import dev.satchel.spi.StoreSessionManager;
import dev.satchel.testkit.CapturedLogs;
import dev.satchel.testkit.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Start-up checks, leftover temporary files, the builder, and closing. */
class StartAndCloseTest {

    private static final String SWEEPER_THREAD = "satchel-sweeper-file";
    /** A pid no Linux process can have: above the kernel's largest pid_max (2^22). */
    private static final String GONE_WRITER = ((1 << 22) + 1) + "-1700000000000";

    @TempDir
    Path tmp;

    private final MutableClock clock = MutableClock.startingNow();

    @Test
    void leftoverTemporaryFilesOfGoneWritersAreRemovedAtStartAndBySweeps() throws Exception {
        Path dir = tmp.resolve("store");
        String sid = storeOne(dir);
        String base = SessionFileNames.baseName(sid);
        Path shard = dir.resolve(SessionFileNames.shardOf(base));
        long ourPid = ProcessHandle.current().pid();
        ProcessHandle running = ProcessHandle.current().parent().orElseThrow(); // the build tool: alive throughout
        Path ofGoneWriter = temp(shard, base, GONE_WRITER, 1);
        Path ofReusedPid = temp(shard, base, ourPid + "-1", 2);
        Path ofThisJvm = temp(shard, base, TempFiles.writerId(ProcessHandle.current()), 3);
        Path ofRunningProcess = temp(shard, base, TempFiles.writerId(running), 4);
        Path withoutWriter = Files.writeString(shard.resolve(base + ".tmp"), "{");
        Path probe = Files.writeString(dir.resolve(SessionFileNames.tempName("probe", GONE_WRITER, 7)), "\n");

        try (SessionManager manager = open(dir, clock); CapturedLogs logs = CapturedLogs.of("dev.satchel")) {
            for (Path leftover : List.of(ofGoneWriter, ofReusedPid, withoutWriter, probe)) {
                assertFalse(Files.exists(leftover, NOFOLLOW_LINKS), leftover.getFileName() + " removed");
            }
            for (Path inProgress : List.of(ofThisJvm, ofRunningProcess)) {
                assertTrue(Files.exists(inProgress, NOFOLLOW_LINKS), inProgress.getFileName() + " kept");
            }
            assertEquals(1, manager.get(sid).orElseThrow().get("a"));

            Path later = temp(shard, base, GONE_WRITER, 8);
            assertEquals(0, StoreSessionManager.sweepNow(manager));
            assertFalse(Files.exists(later, NOFOLLOW_LINKS), "the sweep removes leftovers too");
            assertTrue(Files.exists(ofRunningProcess, NOFOLLOW_LINKS));
            assertTrue(LogLines.infos(logs).stream().anyMatch(m -> m.contains("temporary")), LogLines.infos(logs).toString());
        }
    }

    @Test
    void aTemporaryFileOlderThanAnHourByTheInjectedClockIsALeftoverWhoeverWroteIt() throws Exception {
        Path dir = tmp.resolve("store");
        String sid = storeOne(dir);
        String base = SessionFileNames.baseName(sid);
        Path shard = dir.resolve(SessionFileNames.shardOf(base));
        Path ofThisJvm = temp(shard, base, TempFiles.writerId(ProcessHandle.current()), 1);
        Path ofRunningProcess = temp(shard, base, TempFiles.writerId(ProcessHandle.current().parent().orElseThrow()), 2);
        MutableClock later = MutableClock.at(clock.instant().plus(Duration.ofMinutes(59)));
        try (SessionManager manager = open(dir, later)) {
            assertTrue(Files.exists(ofThisJvm, NOFOLLOW_LINKS), "59 minutes old by the store's clock: kept");
            later.advance(Duration.ofMinutes(2));
            StoreSessionManager.sweepNow(manager);
            assertFalse(Files.exists(ofThisJvm, NOFOLLOW_LINKS), "61 minutes old by the store's clock");
            assertFalse(Files.exists(ofRunningProcess, NOFOLLOW_LINKS));
            assertEquals(1, manager.get(sid).orElseThrow().get("a"));
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
        try (SessionManager manager = FileBackedSessionManager.at(tmp.resolve("store"))) {
            Set<Thread> sweepers = sweeperThreads();
            assertEquals(1, sweepers.size());
            assertTrue(sweepers.iterator().next().isDaemon());
            Session s = manager.newSession();
            s.put("a", 1);
            assertTrue(manager.put(s));
            assertTrue(new StoreFiles(tmp.resolve("store")).isStored(s.id()));
        }
        assertEquals(Set.of(), sweeperThreads(), "close() stopped the sweeper");
    }

    @Test
    void closeIsIdempotentAndTheManagerIsUnusableAfterwards() {
        SessionManager manager = FileBackedSessionManager.builder(tmp.resolve("store")).clock(clock)
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
        assertThrows(IllegalStateException.class, () -> StoreSessionManager.sweepNow(manager));
        try (SessionManager reopened = open(tmp.resolve("store"), clock)) {
            assertEquals(1, reopened.get(s.id()).orElseThrow().get("a"), "what was stored stays");
        }
    }

    @Test
    void aClosedStoreRefusesEveryOperation() {
        FileSessionStore store = FileBackedSessionManager.builder(tmp.resolve("store")).openStore(clock);
        store.close();
        store.close();
        String sid = dev.satchel.spi.SessionIds.newId();
        assertEquals("this file session store is closed",
                assertThrows(IllegalStateException.class, () -> store.load(sid)).getMessage());
        assertThrows(IllegalStateException.class, () -> store.delete(sid));
        assertThrows(IllegalStateException.class, () -> store.idsOfPrincipal("alice"));
        assertThrows(IllegalStateException.class, () -> store.create(ForeignRecords.live(clock, sid)));
    }

    @Test
    void settingsAreCheckedWhenSetAndSetOnce() {
        FileBackedSessionManager.Builder b = FileBackedSessionManager.builder(tmp);
        assertEquals("sweep interval must be positive, was PT0S",
                assertThrows(IllegalArgumentException.class, () -> b.sweepInterval(Duration.ZERO)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> b.sweepInterval(Duration.ofSeconds(-1)));
        assertEquals("lock timeout must be positive, was PT0S",
                assertThrows(IllegalArgumentException.class, () -> b.lockTimeout(Duration.ZERO)).getMessage());
        assertEquals("mode", assertThrows(NullPointerException.class, () -> b.fsync(null)).getMessage());
        assertEquals("clock", assertThrows(NullPointerException.class, () -> b.clock(null)).getMessage());
        assertEquals("interval", assertThrows(NullPointerException.class, () -> b.sweepInterval(null)).getMessage());
        assertEquals("timeout", assertThrows(NullPointerException.class, () -> b.lockTimeout(null)).getMessage());
        assertEquals("metrics", assertThrows(NullPointerException.class, () -> b.metrics(null)).getMessage());
        assertEquals("dir", assertThrows(NullPointerException.class, () -> FileBackedSessionManager.builder(null))
                .getMessage());

        b.clock(Clock.systemUTC()).fsync(FileBackedSessionManager.Fsync.NONE).lockTimeout(Duration.ofSeconds(1))
                .withoutBackgroundSweeper().metrics(StoreMetrics.NONE);
        assertTrue(assertThrows(IllegalStateException.class, () -> b.metrics(StoreMetrics.NONE)).getMessage()
                .startsWith("metrics was already set to "));
        assertEquals("clock was already set to SystemClock[Z]",
                assertThrows(IllegalStateException.class, () -> b.clock(clock)).getMessage());
        assertEquals("fsync was already set to NONE",
                assertThrows(IllegalStateException.class, () -> b.fsync(FileBackedSessionManager.Fsync.DATA)).getMessage());
        assertEquals("lock timeout was already set to PT1S",
                assertThrows(IllegalStateException.class, () -> b.lockTimeout(Duration.ofSeconds(2))).getMessage());
        assertEquals("sweep interval was already set to PT0S",
                assertThrows(IllegalStateException.class, () -> b.sweepInterval(Duration.ofMinutes(1))).getMessage());
        assertEquals("sweep interval was already set to PT0S",
                assertThrows(IllegalStateException.class, b::withoutBackgroundSweeper).getMessage());
    }

    @Test
    void buildLeavesTheBuilderAsItWasSoItBuildsAgain() {
        FileBackedSessionManager.Builder b = FileBackedSessionManager.builder(tmp.resolve("store")).clock(clock)
                .withoutBackgroundSweeper();
        try (SessionManager first = b.build(); SessionManager second = b.build()) {
            assertNotSame(first, second);
            Session s = first.newSession();
            s.put("a", 1);
            assertTrue(first.put(s));
            assertEquals(1, second.get(s.id()).orElseThrow().get("a"), "two managers over one directory");
            assertEquals(Set.of(), sweeperThreads(), "the second build kept 'without background sweeper'");
        }
    }

    // ------------------------------------------------------------------ helpers

    private String storeOne(Path dir) {
        try (SessionManager manager = open(dir, clock)) {
            Session s = manager.newSession();
            s.put("a", 1);
            s.setIdleTimeout(Duration.ofHours(3));
            assertTrue(manager.put(s));
            return s.id();
        }
    }

    private static SessionManager open(Path dir, Clock clock) {
        return FileBackedSessionManager.builder(dir).clock(clock).withoutBackgroundSweeper().build();
    }

    private static Path temp(Path shard, String base, String writer, long sequence) throws Exception {
        return Files.writeString(shard.resolve(SessionFileNames.tempName(base, writer, sequence)), "{\"v\":1,");
    }

    private static Set<Thread> sweeperThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals(SWEEPER_THREAD) && t.isAlive())
                .collect(Collectors.toSet());
    }
}
