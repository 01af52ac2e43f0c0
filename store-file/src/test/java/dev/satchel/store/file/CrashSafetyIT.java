package dev.satchel.store.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Session;
import dev.satchel.SessionManager;
import dev.satchel.spi.SessionAccess;
import dev.satchel.spi.SessionCodec;
import dev.satchel.spi.SessionRecord;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A writer killed with SIGKILL at random moments leaves one of the records it wrote, never a torn one. The
 * test goes on killing until {@value #MID_WRITE_KILLS} kills have hit a write in progress — seen as the
 * temporary file the dead writer left — so it never passes on kills that all fell between writes.
 */
class CrashSafetyIT {

    private static final int MID_WRITE_KILLS = 5;
    private static final int MIN_KILLS = 15;
    private static final int MAX_KILLS = 300;

    @TempDir
    Path dir;

    @Test
    void aWriterKilledAtRandomMomentsAlwaysLeavesOneOfItsRecords() throws Exception {
        String sid;
        try (SessionManager manager = FileBackedSessionManager.at(dir)) {
            Session s = manager.newSession();
            s.put("n", 0);
            s.put("payload", CrashWriter.payload(0));
            assertTrue(manager.put(s));
            sid = s.id();
        }
        StoreFiles files = new StoreFiles(dir);
        long seed = System.nanoTime();
        Random random = new Random(seed);
        int lastSeen = 0;
        int killedMidWrite = 0;
        int kills = 0;
        while (kills < MIN_KILLS || killedMidWrite < MID_WRITE_KILLS) {
            assertTrue(kills < MAX_KILLS, "after " + kills + " kills only " + killedMidWrite
                    + " hit a write in progress (seed " + seed + ")");
            FileBackedSessionManager.Fsync mode = FileBackedSessionManager.Fsync.values()[kills % 3];
            ChildProcess.killWhileRunning(ChildProcess.java(CrashWriter.class, dir.toString(), sid, mode.name()),
                    "writing", random.nextInt(150));
            String context = "kill " + kills + " (" + mode + ", seed " + seed + ")";
            kills++;
            List<String> leftovers = files.entriesEndingWith(".tmp");
            if (!leftovers.isEmpty()) {
                killedMidWrite++;
                for (String leftover : leftovers) {
                    Files.delete(dir.resolve(leftover)); // so the next kill is judged by its own leftovers
                }
            }
            SessionRecord record = SessionCodec.decode(Files.readAllBytes(files.fileOf(sid)));
            Session stored = SessionAccess.wrap(record);
            int n = stored.get("n", Integer.class);
            assertEquals(CrashWriter.payload(n), stored.get("payload"), context + ": record " + n + " is torn or mixed");
            assertEquals(n + 1L, record.version(), context + ": version and content agree");
            assertTrue(n >= lastSeen, context + ": went back from " + lastSeen + " to " + n);
            lastSeen = n;
        }
        try (SessionManager manager = FileBackedSessionManager.at(dir)) {
            assertEquals(lastSeen, manager.get(sid).orElseThrow().get("n"));
        }
        System.out.printf("crash safety: %d kills, %d versions written, %d kills hit a write in progress%n",
                kills, lastSeen, killedMidWrite);
        assertTrue(lastSeen > kills, "the writers wrote");
    }
}
