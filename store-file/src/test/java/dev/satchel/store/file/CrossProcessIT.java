package dev.satchel.store.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Session;
import dev.satchel.SessionManager;
import dev.satchel.SessionStoreTimeoutException;
import dev.satchel.spi.SessionAccess;
import dev.satchel.testkit.MutableClock;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several processes over one directory: child JVMs and the store take the same locks and write one session. */
class CrossProcessIT {

    @TempDir
    Path dir;

    private final MutableClock clock = MutableClock.startingNow();

    @Test
    void twoProcessesIncrementingDifferentAttributesLoseNothing() throws Exception {
        int count = 300;
        String sid;
        long createdVersion;
        try (SessionManager manager = FileBackedSessionManager.at(dir)) {
            Session s = manager.newSession();
            s.put("start", true);
            assertTrue(manager.put(s));
            sid = s.id();
            createdVersion = SessionAccess.record(s).version();
        }
        List<List<String>> commands = new ArrayList<>();
        for (String attribute : List.of("a", "b")) {
            commands.add(ChildProcess.java(IncrementWorker.class, dir.toString(), sid, attribute, Integer.toString(count)));
        }
        ChildProcess.awaitDone(ChildProcess.startTogether(commands), Duration.ofMinutes(2));
        try (SessionManager manager = FileBackedSessionManager.at(dir)) {
            Session loaded = manager.get(sid).orElseThrow();
            assertEquals(count, loaded.get("a"));
            assertEquals(count, loaded.get("b"));
            assertEquals(createdVersion + 2L * count, SessionAccess.record(loaded).version(), "every put made one version");
        }
    }

    @Test
    void aLockHeldByAnotherProcessMakesAWriteTimeOutButNotARead() throws Exception {
        try (SessionManager manager = FileBackedSessionManager.builder(dir).clock(clock)
                .withoutBackgroundSweeper().lockTimeout(Duration.ofMillis(300)).build()) {
            Session s = manager.newSession();
            s.put("a", 1);
            assertTrue(manager.put(s));
            int stripe = SessionFileNames.stripeOf(SessionFileNames.baseName(s.id()));
            Session copy = manager.get(s.id()).orElseThrow();
            copy.put("a", 2);
            Process holder = ChildProcess.start(ChildProcess.java(LockFileChild.class, "hold", dir.toString(),
                    Integer.toString(stripe)));
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
                assertEquals("locked", out.readLine());
                long start = System.nanoTime();
                assertThrows(SessionStoreTimeoutException.class, () -> manager.put(copy));
                long waited = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
                assertTrue(waited >= 300, "gave up after " + waited + " ms, before the lock timeout");
                assertEquals(1, manager.get(s.id()).orElseThrow().get("a"), "reads take no lock");
                holder.getOutputStream().write('\n');
                holder.getOutputStream().flush();
                assertTrue(holder.waitFor(30, TimeUnit.SECONDS));
            } finally {
                holder.destroyForcibly();
            }
            assertTrue(manager.put(copy), "free again");
            assertEquals(2, manager.get(s.id()).orElseThrow().get("a"));
        }
    }

    @SuppressWarnings("try") // a resource held for its block, never referenced in it
    @Test
    void closingOneOfTwoManagersOverOneDirectoryKeepsTheOthersLocks() throws Exception {
        SessionManager first = open();
        try (SessionManager second = open()) {
            StripeLocks table = StripeLocks.open(dir.resolve(SessionFileNames.LOCK_FILE));
            try (StripeLocks.Held held = table.acquire(7, TimeUnit.SECONDS.toNanos(5))) {
                assertEquals("busy", probe(7));
                first.close(); // must not close the lock file the others still hold locks through
                assertEquals("busy", probe(7));
            } finally {
                table.release();
            }
            assertEquals("free", probe(7));
            Session s = second.newSession();
            s.put("a", 1);
            assertTrue(second.put(s), "the second manager still works");
        }
    }

    private SessionManager open() {
        return FileBackedSessionManager.builder(dir).clock(clock).withoutBackgroundSweeper().build();
    }

    private String probe(int stripe) throws Exception {
        return ChildProcess.run(ChildProcess.java(LockFileChild.class, "probe", dir.toString(), Integer.toString(stripe)),
                Duration.ofSeconds(60)).trim();
    }
}
