package dev.satchel.store.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Session;
import dev.satchel.spi.SessionAccess;
import dev.satchel.spi.SessionCodec;
import dev.satchel.spi.SessionRecord;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A writer killed with SIGKILL at random moments leaves one of the records it wrote, never a torn one. */
class CrashSafetyTest {

    private static final int KILLS = 30;

    @TempDir
    Path dir;

    @Test
    void aWriterKilledAtRandomMomentsAlwaysLeavesOneOfItsRecords() throws Exception {
        String sid;
        try (FileBackedSessionManager manager = FileBackedSessionManager.at(dir)) {
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
        for (int kill = 0; kill < KILLS; kill++) {
            FileBackedSessionManager.Fsync mode = FileBackedSessionManager.Fsync.values()[kill % 3];
            Process writer = ChildProcess.start(ChildProcess.java(CrashWriter.class, dir.toString(), sid, mode.name()));
            try {
                String first = new BufferedReader(new InputStreamReader(writer.getInputStream(), StandardCharsets.UTF_8))
                        .readLine();
                assertEquals("writing", first, "the writer started");
                Thread.sleep(random.nextInt(150)); // the random moment of the kill
            } finally {
                writer.destroyForcibly(); // SIGKILL: no shutdown hook, no finally block runs in the writer
                assertTrue(writer.waitFor(30, TimeUnit.SECONDS));
            }
            String context = "kill " + kill + " (" + mode + ", seed " + seed + ")";
            if (!files.entriesEndingWith(".tmp").isEmpty()) {
                killedMidWrite++;
            }
            SessionRecord record = SessionCodec.decode(Files.readAllBytes(files.fileOf(sid)));
            Session stored = SessionAccess.wrap(record);
            int n = stored.get("n", Integer.class);
            assertEquals(CrashWriter.payload(n), stored.get("payload"), context + ": record " + n + " is torn or mixed");
            assertEquals(n + 1L, record.version(), context + ": version and content agree");
            assertTrue(n >= lastSeen, context + ": went back from " + lastSeen + " to " + n);
            lastSeen = n;
        }
        try (FileBackedSessionManager manager = FileBackedSessionManager.at(dir)) {
            assertEquals(List.of(), files.entriesEndingWith(".tmp"), "leftovers are removed at start");
            assertEquals(lastSeen, manager.get(sid).orElseThrow().get("n"));
        }
        System.out.printf("crash safety: %d kills, %d versions written, %d kills left a write half done%n",
                KILLS, lastSeen, killedMidWrite);
        assertTrue(lastSeen > KILLS, "the writers wrote");
        assertTrue(killedMidWrite > 0, "some kill hit a write in progress (seed " + seed + ")");
    }
}
