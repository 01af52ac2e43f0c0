package dev.satchel.store.file;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.PrincipalIndex;
import dev.satchel.Session;
import dev.satchel.SessionManager;
import dev.satchel.spi.SessionIds;
import dev.satchel.spi.StoreSessionManager;
import dev.satchel.testkit.CapturedLogs;
import dev.satchel.testkit.MutableClock;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The file store's principal index: kept in step with every write, stale entries skipped and cleaned up, a
 * missing or damaged index rebuilt, hostile names hashed, and a principal with many sessions removed at once.
 * {@link PrincipalIndexIT} has the cases with other processes.
 */
class PrincipalIndexTest {

    @TempDir
    Path tmp;

    private final MutableClock clock = MutableClock.startingNow();

    @Test
    void everyWriteThatSetsChangesOrClearsAPrincipalAndEveryDeleteAndSweepKeepsTheIndexInStep() {
        Path dir = tmp.resolve("store");
        IndexFiles index = new IndexFiles(dir);
        try (SessionManager manager = open(dir)) {
            String a = stored(manager, "alice", Duration.ofMinutes(30));
            String b = stored(manager, "alice", Duration.ofMinutes(1));
            String c = stored(manager, null, Duration.ofMinutes(30));
            assertEquals(Set.of(a, b), index.entries("alice"));

            Session login = manager.get(c).orElseThrow();
            login.setPrincipal("bob");
            assertTrue(manager.put(login));
            assertEquals(Set.of(c), index.entries("bob"));

            Session other = manager.get(a).orElseThrow();
            other.setPrincipal("bob");
            assertTrue(manager.put(other));
            assertEquals(Set.of(b), index.entries("alice"));
            assertEquals(Set.of(a, c), index.entries("bob"));

            Session logout = manager.get(c).orElseThrow();
            logout.setPrincipal(null);
            assertTrue(manager.put(logout));
            assertEquals(Set.of(a), index.entries("bob"));

            manager.remove(a);
            assertFalse(Files.exists(index.folderOf("bob"), NOFOLLOW_LINKS), "bob's last entry and folder went");

            clock.advance(Duration.ofMinutes(2));
            assertEquals(1, StoreSessionManager.sweepNow(manager));
            assertFalse(Files.exists(index.folderOf("alice"), NOFOLLOW_LINKS), "the sweep removed b's entry");
            index.assertEverySessionIndexed("after every kind of write");
        }
    }

    @Test
    void anEntryWhoseSessionIsGoneIsSkippedAndCleanedUp() throws Exception {
        Path dir = tmp.resolve("store");
        IndexFiles index = new IndexFiles(dir);
        try (SessionManager manager = open(dir)) {
            String kept = stored(manager, "alice", Duration.ofMinutes(30));
            String gone = stored(manager, "alice", Duration.ofMinutes(30));
            Files.delete(new StoreFiles(dir).fileOf(gone)); // as a crash between deleting a file and its entry leaves it
            assertEquals(Set.of(kept, gone), index.entries("alice"));

            assertEquals(Set.of(kept), ids(((PrincipalIndex) manager).findByPrincipal("alice")));
            assertEquals(Set.of(kept), index.entries("alice"), "the stale entry was deleted");
        }
    }

    @Test
    void anEntryOfAnotherPrincipalIsSkippedAndANewerFormatSessionIsLeftAlone() throws Exception {
        Path dir = tmp.resolve("store");
        IndexFiles index = new IndexFiles(dir);
        try (SessionManager manager = open(dir)) {
            String bobs = stored(manager, "bob", Duration.ofMinutes(30));
            Files.createDirectories(index.folderOf("alice"));
            Files.createFile(index.entryOf("alice", bobs)); // as a crash between a write and the old entry's removal
            String newer = SessionIds.newId();
            Path newerFile = new StoreFiles(dir).plant(newer, "{\"v\":2,\"id\":\"" + newer + "\",\"principal\":\"alice\"}");
            byte[] newerBytes = Files.readAllBytes(newerFile);
            Files.createFile(index.entryOf("alice", newer)); // written by a newer Satchel that keeps the index

            PrincipalIndex principals = (PrincipalIndex) manager;
            assertEquals(Set.of(), ids(principals.findByPrincipal("alice")));
            assertEquals(0, principals.removeByPrincipal("alice"));
            assertArrayEquals(newerBytes, Files.readAllBytes(newerFile), "the newer-format session is untouched");
            assertTrue(Files.exists(index.entryOf("alice", newer)), "and so is its entry: its session is there");
            assertTrue(manager.exists(bobs));
        }
    }

    @Test
    void aRemovedIndexIsRebuiltByAScanAndThatIsLoggedOnce() throws Exception {
        Path dir = tmp.resolve("store");
        IndexFiles index = new IndexFiles(dir);
        try (SessionManager manager = open(dir); CapturedLogs logs = CapturedLogs.of("dev.satchel")) {
            Set<String> alices = new HashSet<>();
            for (int i = 0; i < 30; i++) {
                alices.add(stored(manager, "alice", Duration.ofMinutes(30)));
                stored(manager, "user-" + i, Duration.ofMinutes(30));
                stored(manager, null, Duration.ofMinutes(30));
            }
            StoreFiles.deleteTree(dir.resolve(PrincipalIndexFiles.FOLDER));

            PrincipalIndex principals = (PrincipalIndex) manager;
            assertEquals(alices, ids(principals.findByPrincipal("alice")));
            assertEquals(1, ids(principals.findByPrincipal("user-7")).size());
            assertEquals(1, LogLines.warnings(logs).size(), "logged once: " + LogLines.warnings(logs));
            assertTrue(LogLines.warnings(logs).get(0).contains("missing"), LogLines.warnings(logs).get(0));
            assertTrue(LogLines.warnings(logs).get(0).contains("from 90 session files (60 with a principal)"),
                    LogLines.warnings(logs).get(0));
            index.assertEverySessionIndexed("after the rebuild");
            assertEquals(30, principals.removeByPrincipal("alice"));
            assertEquals(1, LogLines.warnings(logs).size());
        }
    }

    @Test
    void anIndexLeftIncompleteIsRebuiltWhenTheStoreOpensAgain() throws Exception {
        Path dir = tmp.resolve("store");
        String alices;
        try (SessionManager manager = open(dir)) {
            alices = stored(manager, "alice", Duration.ofMinutes(30));
        }
        // As an older Satchel, which kept no index, leaves a store: sessions and no index.
        StoreFiles.deleteTree(dir.resolve(PrincipalIndexFiles.FOLDER));
        try (SessionManager manager = open(dir); CapturedLogs logs = CapturedLogs.of("dev.satchel")) {
            assertEquals(Set.of(alices), ids(((PrincipalIndex) manager).findByPrincipal("alice")));
            assertEquals(1, LogLines.warnings(logs).size(), LogLines.warnings(logs).toString());
        }
    }

    @Test
    void aNewStoreStartsWithACompleteIndexAndNeverRebuilds() {
        Path dir = tmp.resolve("store");
        try (SessionManager manager = open(dir); CapturedLogs logs = CapturedLogs.of("dev.satchel")) {
            assertTrue(Files.exists(dir.resolve("principals/complete")));
            String alices = stored(manager, "alice", Duration.ofMinutes(30));
            assertEquals(Set.of(alices), ids(((PrincipalIndex) manager).findByPrincipal("alice")));
            assertEquals(List.of(), LogLines.warnings(logs));
        }
    }

    @Test
    void aLinkInPlaceOfTheIndexIsNeverFollowedRemovedByTheNextLoginAndTheIndexRebuilt() throws Exception {
        Path dir = tmp.resolve("store");
        Path outside = Files.createDirectory(tmp.resolve("outside"));
        Path canary = Files.writeString(outside.resolve("canary"), "keep me");
        try (SessionManager manager = open(dir); CapturedLogs logs = CapturedLogs.of("dev.satchel")) {
            String alices = stored(manager, "alice", Duration.ofMinutes(30));
            StoreFiles.deleteTree(dir.resolve(PrincipalIndexFiles.FOLDER));
            Files.createSymbolicLink(dir.resolve(PrincipalIndexFiles.FOLDER), outside);

            String bobs = stored(manager, "bob", Duration.ofMinutes(30)); // a login removes the link and goes on
            assertFalse(Files.isSymbolicLink(dir.resolve(PrincipalIndexFiles.FOLDER)));
            assertFalse(Files.exists(dir.resolve("principals/complete")), "marked incomplete");
            assertEquals(Set.of(alices), ids(((PrincipalIndex) manager).findByPrincipal("alice")));
            assertEquals(Set.of(bobs), ids(((PrincipalIndex) manager).findByPrincipal("bob")));
            assertTrue(Files.isDirectory(dir.resolve(PrincipalIndexFiles.FOLDER), NOFOLLOW_LINKS), "a real folder now");
            assertEquals(1, LogLines.warnings(logs).size(), LogLines.warnings(logs).toString());
            try (Stream<Path> left = Files.list(outside)) {
                assertEquals(List.of(canary), left.collect(Collectors.toList()), "nothing written to the link target");
            }
            assertEquals("keep me", Files.readString(canary));
        }
    }

    @Test
    void aFileOrLinkInPlaceOfAPrincipalsFolderIsRemovedAndTheIndexRebuilt() throws Exception {
        Path dir = tmp.resolve("store");
        IndexFiles index = new IndexFiles(dir);
        Path outside = Files.createDirectory(tmp.resolve("outside"));
        try (SessionManager manager = open(dir); CapturedLogs logs = CapturedLogs.of("dev.satchel")) {
            String alices = stored(manager, "alice", Duration.ofMinutes(30));
            String bobs = stored(manager, "bob", Duration.ofMinutes(30));
            StoreFiles.deleteTree(index.folderOf("alice"));
            Files.writeString(index.folderOf("alice"), "not a folder");
            StoreFiles.deleteTree(index.folderOf("bob"));
            Files.createSymbolicLink(index.folderOf("bob"), outside);

            PrincipalIndex principals = (PrincipalIndex) manager;
            assertEquals(Set.of(alices), ids(principals.findByPrincipal("alice")));
            assertEquals(Set.of(bobs), ids(principals.findByPrincipal("bob")));
            assertEquals(1, LogLines.warnings(logs).size(), LogLines.warnings(logs).toString());
            assertTrue(LogLines.warnings(logs).get(0).contains("damaged (2 entries"), LogLines.warnings(logs).get(0));
            try (Stream<Path> left = Files.list(outside)) {
                assertEquals(0, left.count(), "nothing written to the link target");
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"../../../canary", "/etc/passwd", "a/b\\c", ".", "..", "nul\u0000byte", "", " ",
        "Zoë 😀", "unpaired \ud800 surrogate"})
    void aPrincipalsNameNeverBecomesAPath(String name) throws Exception {
        Path dir = tmp.resolve("store");
        Path canary = Files.writeString(tmp.resolve("canary"), "keep me");
        try (SessionManager manager = open(dir)) {
            String sid = stored(manager, name, Duration.ofMinutes(30));
            PrincipalIndex principals = (PrincipalIndex) manager;
            assertEquals(Set.of(sid), ids(principals.findByPrincipal(name)));
            String hash = PrincipalIndexFiles.hashOf(name);
            assertTrue(hash.matches("[0-9a-f]{64}"), hash);
            assertEquals(Stream.of("principals", "principals/" + hash.substring(0, 2),
                    "principals/" + hash.substring(0, 2) + "/" + hash,
                    "principals/" + hash.substring(0, 2) + "/" + hash + "/" + SessionFileNames.baseName(sid),
                    "principals/complete").sorted().collect(Collectors.toList()), new StoreFiles(dir).indexEntries());
            assertEquals(1, principals.removeByPrincipal(name));
        }
        assertEquals("keep me", Files.readString(canary));
        try (Stream<Path> all = Files.list(tmp)) {
            assertEquals(Set.of("store", "canary"), all.map(p -> p.getFileName().toString()).collect(Collectors.toSet()));
        }
    }

    @Test
    void theHashIsTheSha256OfTheNamesUtf8() {
        assertEquals("2bd806c97f0e00af1a1fc3328fa763a9269723c8db8fac4f93af71db186d6e90", PrincipalIndexFiles.hashOf("alice"));
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", PrincipalIndexFiles.hashOf(""));
        // "Zoë" as UTF-8 is 5a 6f c3 ab; an unpaired surrogate is hashed as '?', as Python's "replace" encodes it.
        assertEquals(PrincipalIndexFiles.hashOf("a?b"), PrincipalIndexFiles.hashOf("a\ud800b"));
        assertEquals(sha256("Zo\u00eb".getBytes(StandardCharsets.UTF_8)), PrincipalIndexFiles.hashOf("Zoë"));
    }

    @Test
    void aRebuildWhileOtherThreadsChangePrincipalsMissesNoSession() throws Exception {
        Path dir = tmp.resolve("store");
        IndexFiles index = new IndexFiles(dir);
        try (SessionManager writer = open(dir); SessionManager reader = open(dir); CapturedLogs logs = CapturedLogs.of("dev.satchel")) {
            List<String> sessions = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                sessions.add(stored(writer, i % 2 == 0 ? "alice" : "bob", Duration.ofHours(1)));
            }
            AtomicBoolean stop = new AtomicBoolean();
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                List<Future<?>> writers = new ArrayList<>();
                for (int t = 0; t < 2; t++) {
                    int me = t;
                    writers.add(pool.submit(() -> {
                        for (int round = 0; !stop.get(); round++) {
                            String sid = sessions.get((round * 2 + me) % sessions.size());
                            Session s = writer.get(sid).orElseThrow();
                            s.setPrincipal(round % 3 == 0 ? null : round % 3 == 1 ? "alice" : "bob");
                            assertTrue(writer.put(s));
                        }
                        return null;
                    }));
                }
                for (int rebuild = 0; rebuild < 5; rebuild++) {
                    // Out of the store in one step, as writers keep adding entries, then deleted.
                    Path gone = tmp.resolve("removed-index-" + rebuild);
                    Files.move(dir.resolve(PrincipalIndexFiles.FOLDER), gone, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                    StoreFiles.deleteTree(gone);
                    ((PrincipalIndex) reader).findByPrincipal("alice");
                }
                stop.set(true);
                for (Future<?> f : writers) {
                    f.get(1, TimeUnit.MINUTES);
                }
            } finally {
                stop.set(true);
                pool.shutdownNow();
            }
            index.assertEverySessionIndexed("after rebuilds racing writers");
            assertEquals(index.principalsOnDisk().entrySet().stream().filter(e -> e.getValue().equals("alice"))
                    .map(e -> e.getKey()).collect(Collectors.toSet()), ids(((PrincipalIndex) reader).findByPrincipal("alice")));
            assertTrue(LogLines.warnings(logs).size() >= 5, "each rebuild logged once: " + LogLines.warnings(logs));
        }
    }

    /**
     * 10,000 sessions of one principal, removed in one call. Prints the time (the README's figure); asserts
     * only what was removed.
     */
    @Test
    void tenThousandSessionsOfOnePrincipalAreRemovedInOneCall() {
        int count = 10_000;
        Path dir = tmp.resolve("store");
        try (SessionManager manager = FileBackedSessionManager.builder(dir).clock(clock)
                .fsync(FileBackedSessionManager.Fsync.NONE).withoutBackgroundSweeper().build()) {
            for (int i = 0; i < count; i++) {
                stored(manager, "alice", Duration.ofHours(1));
            }
            String bobs = stored(manager, "bob", Duration.ofHours(1));
            PrincipalIndex principals = (PrincipalIndex) manager;
            long start = System.nanoTime();
            assertEquals(count, principals.findByPrincipal("alice").size());
            long found = System.nanoTime();
            assertEquals(count, principals.removeByPrincipal("alice"));
            long removed = System.nanoTime();
            System.out.printf("principal index: %,d sessions of one principal found in %d ms, removed in %d ms (%s)%n",
                    count, TimeUnit.NANOSECONDS.toMillis(found - start), TimeUnit.NANOSECONDS.toMillis(removed - found),
                    fileSystemOf(dir));
            assertFalse(Files.exists(new IndexFiles(dir).folderOf("alice"), NOFOLLOW_LINKS));
            assertEquals(List.of(SessionFileNames.shardOf(SessionFileNames.baseName(bobs)) + "/"
                    + SessionFileNames.baseName(bobs) + ".json"), new StoreFiles(dir).entriesEndingWith(".json"));
        }
    }

    // ------------------------------------------------------------------ helpers

    private SessionManager open(Path dir) {
        return FileBackedSessionManager.builder(dir).clock(clock).withoutBackgroundSweeper().build();
    }

    private static String stored(SessionManager manager, String principal, Duration idle) {
        Session s = manager.newSession();
        s.setIdleTimeout(idle);
        s.put("a", 1);
        s.setPrincipal(principal);
        assertTrue(manager.put(s));
        return s.id();
    }

    private static Set<String> ids(List<Session> sessions) {
        return sessions.stream().map(Session::id).collect(Collectors.toSet());
    }

    private static String fileSystemOf(Path dir) {
        try {
            return Files.getFileStore(dir).type() + " under " + dir.getParent().getParent();
        } catch (IOException e) {
            return "unknown file system";
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
