package dev.satchel.store.file;

import dev.satchel.SessionManager;
import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Session;
import dev.satchel.spi.SessionAccess;
import dev.satchel.spi.SessionCodec;
import dev.satchel.spi.SessionRecord;
import dev.satchel.testkit.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** What the store leaves on disk: names, content, times and modes of its files. */
class StoreLayoutTest {

    @TempDir
    Path tmp;

    private final MutableClock clock = MutableClock.startingNow();

    @Test
    void aSessionFileHoldsExactlyTheCodecDocumentUnderItsHexName() throws Exception {
        Path dir = tmp.resolve("store");
        try (SessionManager manager = open(dir)) {
            Session s = manager.newSession();
            s.put("cart", List.of(1, 2));
            s.setPrincipal("alice");
            assertTrue(manager.put(s));
            StoreFiles files = new StoreFiles(dir);
            Path file = files.fileOf(s.id());
            String base = SessionFileNames.baseName(s.id());
            assertEquals(base + ".json", file.getFileName().toString());
            assertEquals(base.substring(0, 2), file.getParent().getFileName().toString());
            SessionRecord stored = SessionAccess.record(manager.get(s.id()).orElseThrow());
            assertArrayEquals(SessionCodec.encode(stored), Files.readAllBytes(file));
            assertEquals(List.of(base.substring(0, 2), base.substring(0, 2) + "/" + base + ".json"), files.entries());
        }
    }

    @Test
    void aPrincipalIsIndexedAsAnEmptyFileInTheFolderOfItsNamesHash() throws Exception {
        Path dir = tmp.resolve("store");
        try (SessionManager manager = open(dir)) {
            Session s = manager.newSession();
            s.setPrincipal("alice");
            assertTrue(manager.put(s));
            String base = SessionFileNames.baseName(s.id());
            String alice = "2bd806c97f0e00af1a1fc3328fa763a9269723c8db8fac4f93af71db186d6e90"; // sha256sum of "alice"
            StoreFiles files = new StoreFiles(dir);
            assertEquals(List.of("principals", "principals/2b", "principals/2b/" + alice,
                    "principals/2b/" + alice + "/" + base, "principals/complete"), files.indexEntries());
            Path entry = dir.resolve("principals/2b/" + alice + "/" + base);
            assertEquals(0, Files.size(entry));
            assertEquals("rw-------", mode(entry));
            assertEquals("rwx------", mode(entry.getParent()));
            assertEquals("rwx------", mode(entry.getParent().getParent()));
            assertEquals("rwx------", mode(dir.resolve("principals")));

            Session renamed = manager.get(s.id()).orElseThrow();
            renamed.setPrincipal("bob");
            assertTrue(manager.put(renamed));
            String bob = "81b637d8fcd2c6da6359e6963113a1170de795e4b725b84d1e0b4cfd9ec58ce9";
            assertEquals(List.of("principals", "principals/2b", "principals/81", "principals/81/" + bob,
                    "principals/81/" + bob + "/" + base, "principals/complete"), files.indexEntries(),
                    "the entry moved, and alice's emptied folder went");

            Session loggedOut = manager.get(s.id()).orElseThrow();
            loggedOut.setPrincipal(null);
            assertTrue(manager.put(loggedOut));
            assertEquals(List.of("principals", "principals/2b", "principals/81", "principals/complete"),
                    files.indexEntries());
        }
    }

    @Test
    void aFilesModificationTimeIsItsSessionsExpiry() throws Exception {
        Path dir = tmp.resolve("store");
        try (SessionManager manager = open(dir)) {
            Session s = manager.newSession();
            s.setIdleTimeout(Duration.ofMinutes(10));
            assertTrue(manager.put(s));
            Path file = new StoreFiles(dir).fileOf(s.id());
            assertEquals(clock.millis() + Duration.ofMinutes(10).toMillis(),
                    Files.getLastModifiedTime(file).toMillis());
            clock.advance(Duration.ofMinutes(4));
            assertTrue(manager.put(manager.get(s.id()).orElseThrow()));
            assertEquals(clock.millis() + Duration.ofMinutes(10).toMillis(),
                    Files.getLastModifiedTime(file).toMillis(), "a touch moves the expiry and the time");
        }
    }

    @Test
    void filesAreOwnerOnlyFromTheStart() throws Exception {
        Path dir = tmp.resolve("store").resolve("nested");
        try (SessionManager manager = open(dir)) {
            Session s = manager.newSession();
            s.put("a", 1);
            assertTrue(manager.put(s));
            Path file = new StoreFiles(dir).fileOf(s.id());
            assertEquals("rw-------", mode(file));
            assertEquals("rwx------", mode(file.getParent()));
            assertEquals("rwx------", mode(dir));
            assertEquals("rwx------", mode(dir.getParent()), "every folder the store created");
            assertEquals("rw-------", mode(dir.resolve(SessionFileNames.LOCK_FILE)));
        }
    }

    @Test
    void theLockFileStaysEmptyAndNoTemporaryFileRemains() throws Exception {
        Path dir = tmp.resolve("store");
        try (SessionManager manager = open(dir)) {
            for (int i = 0; i < 200; i++) {
                Session s = manager.newSession();
                s.put("i", i);
                assertTrue(manager.put(s));
                Session again = manager.get(s.id()).orElseThrow();
                again.put("j", i);
                assertTrue(manager.put(again));
                if (i % 2 == 0) {
                    manager.remove(s.id());
                }
            }
            assertEquals(0, Files.size(dir.resolve(SessionFileNames.LOCK_FILE)));
            StoreFiles files = new StoreFiles(dir);
            assertEquals(List.of(), files.entriesEndingWith(".tmp"));
            assertEquals(100, files.entriesEndingWith(".json").size());
        }
    }

    @ParameterizedTest
    @EnumSource(FileBackedSessionManager.Fsync.class)
    void everyFsyncModeStoresChangesAndRemovals(FileBackedSessionManager.Fsync mode) {
        Path dir = tmp.resolve("store");
        try (SessionManager manager = FileBackedSessionManager.builder(dir).clock(clock).fsync(mode)
                .withoutBackgroundSweeper().build()) {
            Session s = manager.newSession();
            s.put("a", 1);
            assertTrue(manager.put(s));
            Session again = manager.get(s.id()).orElseThrow();
            again.put("b", 2);
            assertTrue(manager.put(again));
            assertEquals(2, new StoreFiles(dir).record(s.id()).attributeCount());
            manager.remove(s.id());
            assertFalse(Files.exists(new StoreFiles(dir).fileOf(s.id()), NOFOLLOW_LINKS));
        }
    }

    private SessionManager open(Path dir) {
        return FileBackedSessionManager.builder(dir).clock(clock).withoutBackgroundSweeper().build();
    }

    private static String mode(Path path) throws Exception {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(path, NOFOLLOW_LINKS));
    }
}
