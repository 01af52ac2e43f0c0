package dev.satchel.store.file;

import dev.satchel.spi.StoreSessionManager;
import dev.satchel.SessionManager;
import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.satchel.Session;
import dev.satchel.SessionStoreException;
import dev.satchel.SessionStoreUnavailableException;
import dev.satchel.spi.SessionAccess;
import dev.satchel.spi.SessionCodec;
import dev.satchel.spi.SessionIds;
import dev.satchel.spi.SessionRecord;
import dev.satchel.testkit.CapturedLogs;
import dev.satchel.testkit.MutableClock;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Hostile ids, links planted inside the store, and every kind of unreadable file; each through directory
 * handles ({@code secure}) and through the path fallback.
 */
class HostileFilesTest {

    @TempDir
    Path tmp;

    private final MutableClock clock = MutableClock.startingNow();

    // ------------------------------------------------------------------ ids

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void hostileIdsNeverReachTheDisk(boolean secure) throws Exception {
        Path canary = Files.writeString(tmp.resolve("canary"), "keep me");
        Path dir = tmp.resolve("store");
        List<String> hostile = List.of("../canary", "../../canary", canary.toString(), "..%2fcanary", "%2e%2e%2fcanary",
                "..\\canary", "AAAAAAAAAAAAAAAAAAAA\u0000A", "AAAAAAAAAAAAAAAAAAAA/A", "AAAAAAAAAAAAAAAAAAAAAB", ".", "..",
                "", "00/000102030405060708090a0b0c0d0e0f.json", "A".repeat(10_000));
        try (SessionManager manager = open(dir, secure)) {
            for (String id : hostile) {
                assertTrue(manager.get(id).isEmpty());
                assertFalse(manager.exists(id));
                manager.remove(id);
            }
        }
        assertEquals(List.of(), new StoreFiles(dir).entries());
        assertEquals("keep me", Files.readString(canary));
    }

    // ------------------------------------------------------------------ planted links

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aLinkInPlaceOfASessionFileIsNeverFollowed(boolean secure) throws Exception {
        Path dir = tmp.resolve("store");
        try (SessionManager manager = open(dir, secure); CapturedLogs logs = CapturedLogs.of("dev.satchel")) {
            Session s = manager.newSession();
            s.put("a", 1);
            assertTrue(manager.put(s));
            Session stale = manager.get(s.id()).orElseThrow();
            StoreFiles files = new StoreFiles(dir);
            Path file = files.fileOf(s.id());
            // Outside the store: a valid record of this very session, which would be read if the link were followed.
            byte[] decoy = SessionCodec.encode(SessionAccess.record(s).toBuilder().attribute("a", "666").build());
            Path outside = Files.write(tmp.resolve("outside.json"), decoy);

            plantLink(file, outside);
            assertTrue(manager.get(s.id()).isEmpty(), "read through the link");
            assertTrue(Files.isSymbolicLink(Path.of(file + ".corrupt")), "the link itself was moved aside");
            assertEquals(1, LogLines.warnings(logs).size(), LogLines.warnings(logs).toString());

            plantLink(file, outside);
            stale.put("b", 2);
            assertFalse(manager.put(stale), "written through the link");

            plantLink(file, outside);
            manager.remove(s.id());
            assertFalse(Files.exists(file, NOFOLLOW_LINKS));

            plantLink(file, outside);
            Files.setLastModifiedTime(outside, FileTime.fromMillis(0)); // due, if the sweep followed the link
            assertEquals(0, StoreSessionManager.sweepNow(manager));
            assertTrue(Files.isSymbolicLink(file), "the sweep leaves an unreadable entry alone");

            assertArrayEquals(decoy, Files.readAllBytes(outside), "the link target is untouched");
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aLinkInPlaceOfAShardFolderIsNeverFollowed(boolean secure) throws Exception {
        Path dir = tmp.resolve("store");
        Path outside = Files.createDirectory(tmp.resolve("outside"));
        try (SessionManager manager = open(dir, secure); CapturedLogs logs = CapturedLogs.of("dev.satchel")) {
            Session s = manager.newSession();
            s.put("a", 1);
            String base = SessionFileNames.baseName(s.id());
            // Outside: an expired record of this session (a sweeper following the link would delete it) and a canary.
            SessionRecord expired = SessionAccess.record(s).toBuilder().idleTimeoutMillis(1).lastAccess(0).build();
            Path decoy = Files.write(outside.resolve(base + ".json"), SessionCodec.encode(expired));
            Files.setLastModifiedTime(decoy, FileTime.fromMillis(0));
            Files.writeString(outside.resolve("canary"), "keep me");
            Files.createSymbolicLink(dir.resolve(SessionFileNames.shardOf(base)), outside);

            SessionStoreException e = assertThrows(SessionStoreException.class, () -> manager.put(s));
            assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
            assertFalse(e.getMessage().contains(base), "no session id, in any encoding, in a message");
            assertThrows(SessionStoreException.class, () -> manager.get(s.id()));
            assertThrows(SessionStoreException.class, () -> manager.remove(s.id()));
            assertEquals(0, StoreSessionManager.sweepNow(manager));
            assertTrue(LogLines.warnings(logs).stream().anyMatch(w -> w.contains("symbolic link")), LogLines.warnings(logs).toString());

            try (Stream<Path> left = Files.list(outside)) {
                assertEquals(2, left.count(), "nothing written to or deleted from the link target");
            }
            assertArrayEquals(SessionCodec.encode(expired), Files.readAllBytes(decoy));

            Session elsewhere = newSessionOutsideShard(manager, SessionFileNames.shardOf(base));
            assertTrue(manager.put(elsewhere), "other shards keep working");
        }
    }

    @Test
    void aLinkInPlaceOfTheLockFileStopsTheStart() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("store"));
        Path target = tmp.resolve("would-be-created");
        Files.createSymbolicLink(dir.resolve(SessionFileNames.LOCK_FILE), target);
        SessionStoreUnavailableException e = assertThrows(SessionStoreUnavailableException.class,
                () -> FileBackedSessionManager.at(dir));
        assertTrue(e.getMessage().contains("symbolic link"), e.getMessage());
        assertFalse(Files.exists(target, NOFOLLOW_LINKS));
    }

    // ------------------------------------------------------------------ unreadable files

    /** Ways a session file can be unreadable. */
    enum Damage {
        TRUNCATED, GARBAGE, EMPTY, NUL_BYTES, NOT_A_SESSION, FUTURE_VERSION, ANOTHER_SESSIONS_RECORD, DIRECTORY,
        OVERSIZED, FIFO, FUTURE_VERSION_WITH_UNKNOWN_FIELDS
    }

    static Stream<Arguments> damages() {
        List<Arguments> all = new ArrayList<>();
        for (Damage damage : Damage.values()) {
            all.add(Arguments.of(damage, true));
            all.add(Arguments.of(damage, false));
        }
        return all.stream();
    }

    @ParameterizedTest(name = "{0}, secure={1}")
    @MethodSource("damages")
    void anUnreadableFileReadsAsAbsentIsLoggedOnceAndMovedAsideUnlessOfANewerFormat(Damage damage, boolean secure)
            throws Exception {
        Path dir = tmp.resolve("store");
        try (SessionManager manager = open(dir, secure); CapturedLogs logs = CapturedLogs.of("dev.satchel")) {
            Session good = manager.newSession();
            good.put("a", 1);
            assertTrue(manager.put(good));
            StoreFiles files = new StoreFiles(dir);
            String bad = SessionIds.newId();
            plant(files, bad, damage, good);
            byte[] planted = contentOf(files, bad, damage);

            assertTrue(manager.get(bad).isEmpty());
            assertFalse(manager.exists(bad));
            assertTrue(manager.get(bad).isEmpty());
            assertEquals(1, LogLines.warnings(logs).size(), "logged once: " + LogLines.warnings(logs));
            assertLeftOrMovedAside(files, bad, damage, planted);
            assertEquals(1, manager.get(good.id()).orElseThrow().get("a"), "other sessions are untouched");
            assertEquals(0, StoreSessionManager.sweepNow(manager));
            assertLeftOrMovedAside(files, bad, damage, planted);
            manager.remove(bad);
            assertFalse(Files.exists(files.fileOf(bad), NOFOLLOW_LINKS), "remove deletes whatever is there");
        }
    }

    @ParameterizedTest(name = "{0}, secure={1}")
    @MethodSource("damages")
    void aPutOnAnUnreadableFileWritesNothingAndMovesItAsideUnlessOfANewerFormat(Damage damage, boolean secure)
            throws Exception {
        Path dir = tmp.resolve("store");
        try (SessionManager manager = open(dir, secure); CapturedLogs logs = CapturedLogs.of("dev.satchel")) {
            Session victim = manager.newSession();
            victim.put("a", 1);
            assertTrue(manager.put(victim));
            Session copy = manager.get(victim.id()).orElseThrow();
            StoreFiles files = new StoreFiles(dir);
            Files.delete(files.fileOf(victim.id()));
            plant(files, victim.id(), damage, null);
            byte[] planted = contentOf(files, victim.id(), damage);

            copy.put("b", 2);
            assertFalse(manager.put(copy), "the session is treated as absent");
            assertEquals(1, LogLines.warnings(logs).size(), "logged once: " + LogLines.warnings(logs));
            assertLeftOrMovedAside(files, victim.id(), damage, planted);
            assertTrue(manager.get(victim.id()).isEmpty());
        }
    }

    @ParameterizedTest(name = "{0}, secure={1}")
    @MethodSource("damages")
    void theSweepLeavesUnreadableFilesAlone(Damage damage, boolean secure) throws Exception {
        Path dir = tmp.resolve("store");
        try (SessionManager manager = open(dir, secure); CapturedLogs logs = CapturedLogs.of("dev.satchel")) {
            StoreFiles files = new StoreFiles(dir);
            String bad = SessionIds.newId();
            plant(files, bad, damage, null);
            if (damage != Damage.FIFO) { // setting a time opens the file, which blocks on a FIFO
                Files.setLastModifiedTime(files.fileOf(bad), FileTime.fromMillis(0)); // due long ago
            }
            byte[] planted = contentOf(files, bad, damage);
            clock.advance(Duration.ofDays(1));
            assertEquals(0, StoreSessionManager.sweepNow(manager));
            assertEquals(List.of(), LogLines.warnings(logs));
            assertTrue(Files.exists(files.fileOf(bad), NOFOLLOW_LINKS), "left where it is");
            assertFalse(Files.exists(Path.of(files.fileOf(bad) + ".corrupt"), NOFOLLOW_LINKS));
            if (planted != null) {
                assertArrayEquals(planted, Files.readAllBytes(files.fileOf(bad)), "left as it was");
            }
        }
    }

    /** A newer-format file stays as it was; any other unreadable file has been moved aside. */
    private static void assertLeftOrMovedAside(StoreFiles files, String sid, Damage damage, byte[] planted)
            throws Exception {
        Path file = files.fileOf(sid);
        if (damage == Damage.FUTURE_VERSION || damage == Damage.FUTURE_VERSION_WITH_UNKNOWN_FIELDS) {
            assertArrayEquals(planted, Files.readAllBytes(file), "a newer format is left untouched");
            assertFalse(Files.exists(Path.of(file + ".corrupt"), NOFOLLOW_LINKS));
        } else {
            assertFalse(Files.exists(file, NOFOLLOW_LINKS));
            assertTrue(Files.exists(Path.of(file + ".corrupt"), NOFOLLOW_LINKS));
        }
    }

    /** The bytes planted for a regular-file damage, or {@code null} for one that is no regular file. */
    private static byte[] contentOf(StoreFiles files, String sid, Damage damage) throws Exception {
        switch (damage) {
            case DIRECTORY:
            case FIFO:
            case OVERSIZED:
                return null;
            default:
                return Files.readAllBytes(files.fileOf(sid));
        }
    }

    private void plant(StoreFiles files, String sid, Damage damage, Session other) throws Exception {
        Path file = files.fileOf(sid);
        Files.createDirectories(file.getParent());
        SessionRecord valid = ForeignRecords.live(clock, sid);
        String document = new String(SessionCodec.encode(valid), StandardCharsets.UTF_8);
        switch (damage) {
            case TRUNCATED:
                files.plant(sid, document.substring(0, document.length() / 2));
                break;
            case GARBAGE:
                files.plant(sid, new byte[] {(byte) 0xff, (byte) 0xfe, 0x00, 0x7b, 0x22});
                break;
            case EMPTY:
                files.plant(sid, new byte[0]);
                break;
            case NUL_BYTES:
                files.plant(sid, new byte[4096]); // what a file system can leave after a power failure
                break;
            case NOT_A_SESSION:
                files.plant(sid, "{\"hello\":\"world\"}");
                break;
            case FUTURE_VERSION:
                files.plant(sid, document.replace("\"v\":1", "\"v\":2"));
                break;
            case FUTURE_VERSION_WITH_UNKNOWN_FIELDS: // a newer writer may change any field but "v"
                files.plant(sid, "{\"v\":7,\"sid\":{\"hex\":\"" + SessionFileNames.baseName(sid) + "\"},\"attrs\":[1]}");
                break;
            case ANOTHER_SESSIONS_RECORD:
                String otherId = other != null ? other.id() : SessionIds.newId();
                files.plant(sid, SessionCodec.encode(ForeignRecords.live(clock, otherId)));
                break;
            case DIRECTORY:
                Files.createDirectory(file);
                Files.writeString(file.resolve("inside"), "x");
                break;
            case OVERSIZED:
                try (RandomAccessFile sparse = new RandomAccessFile(file.toFile(), "rw")) {
                    sparse.setLength(SessionCodec.MAX_DOCUMENT_LENGTH + 1);
                }
                break;
            case FIFO:
                Process mkfifo = new ProcessBuilder("mkfifo", file.toString()).redirectErrorStream(true).start();
                assumeTrue(mkfifo.waitFor(10, TimeUnit.SECONDS) && mkfifo.exitValue() == 0, "no mkfifo here");
                break;
            default:
                throw new AssertionError(damage);
        }
    }

    // ------------------------------------------------------------------ helpers

    private SessionManager open(Path dir, boolean secure) {
        FileBackedSessionManager.Builder builder = FileBackedSessionManager.builder(dir).clock(clock)
                .withoutBackgroundSweeper();
        builder.secureFolders = secure;
        return builder.build();
    }

    private static void plantLink(Path file, Path target) throws Exception {
        Files.deleteIfExists(file);
        Files.createSymbolicLink(file, target);
    }

    private static Session newSessionOutsideShard(SessionManager manager, String shard) {
        while (true) {
            Session s = manager.newSession();
            if (!SessionFileNames.shardOf(SessionFileNames.baseName(s.id())).equals(shard)) {
                return s;
            }
        }
    }
}
