package dev.satchel.store.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Session;
import dev.satchel.SessionStoreTimeoutException;
import dev.satchel.spi.SessionAccess;
import dev.satchel.testkit.MutableClock;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Several managers and several processes over one directory. */
class ConcurrencyTest {

    @TempDir
    Path dir;

    private final MutableClock clock = MutableClock.startingNow();

    @Test
    void twoManagersOverOneDirectoryInThreadsLoseNoIncrement() throws Exception {
        int threads = 4;
        int rounds = 150;
        try (FileBackedSessionManager first = open(); FileBackedSessionManager second = open()) {
            Session s = first.newSession();
            s.put("start", true);
            assertTrue(first.put(s));
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                CyclicBarrier together = new CyclicBarrier(threads);
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int me = t;
                    FileBackedSessionManager mine = t % 2 == 0 ? first : second;
                    done.add(pool.submit(() -> {
                        together.await();
                        for (int r = 0; r < rounds; r++) {
                            Session copy = mine.get(s.id()).orElseThrow();
                            Integer n = copy.get("counter-" + me, Integer.class);
                            copy.put("counter-" + me, n == null ? 1 : n + 1);
                            assertTrue(mine.put(copy));
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get(2, TimeUnit.MINUTES);
                }
            } finally {
                pool.shutdownNow();
            }
            Session loaded = second.get(s.id()).orElseThrow();
            for (int t = 0; t < threads; t++) {
                assertEquals(rounds, loaded.get("counter-" + t), "counter of thread " + t);
            }
        }
    }

    @Test
    void twoProcessesIncrementingDifferentAttributesLoseNothing() throws Exception {
        int count = 300;
        String sid;
        long createdVersion;
        try (FileBackedSessionManager manager = FileBackedSessionManager.at(dir)) {
            Session s = manager.newSession();
            s.put("start", true);
            assertTrue(manager.put(s));
            sid = s.id();
            createdVersion = SessionAccess.record(s).version();
        }
        List<Process> workers = new ArrayList<>();
        try {
            for (String attribute : List.of("a", "b")) {
                workers.add(ChildProcess.start(ChildProcess.java(IncrementWorker.class, dir.toString(), sid, attribute,
                        Integer.toString(count))));
            }
            List<BufferedReader> outputs = new ArrayList<>();
            for (Process worker : workers) {
                BufferedReader out = new BufferedReader(new InputStreamReader(worker.getInputStream(), StandardCharsets.UTF_8));
                assertEquals("ready", out.readLine());
                outputs.add(out);
            }
            for (Process worker : workers) {
                OutputStream in = worker.getOutputStream();
                in.write('\n');
                in.flush();
            }
            for (int i = 0; i < workers.size(); i++) {
                StringBuilder all = new StringBuilder();
                for (String line; (line = outputs.get(i).readLine()) != null; ) {
                    all.append(line).append('\n');
                }
                assertTrue(workers.get(i).waitFor(2, TimeUnit.MINUTES));
                assertEquals(0, workers.get(i).exitValue(), all.toString());
                assertTrue(all.toString().contains("done"), all.toString());
            }
        } finally {
            workers.forEach(Process::destroyForcibly);
        }
        try (FileBackedSessionManager manager = FileBackedSessionManager.at(dir)) {
            Session loaded = manager.get(sid).orElseThrow();
            assertEquals(count, loaded.get("a"));
            assertEquals(count, loaded.get("b"));
            assertEquals(createdVersion + 2L * count, SessionAccess.record(loaded).version(), "every put made one version");
        }
    }

    @Test
    void aLockHeldByAnotherProcessMakesAWriteTimeOutButNotARead() throws Exception {
        try (FileBackedSessionManager manager = FileBackedSessionManager.builder(dir).clock(clock)
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
                assertTrue(waited >= 300 && waited < 5000, "waited " + waited + " ms");
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
        FileBackedSessionManager first = open();
        try (FileBackedSessionManager second = open()) {
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

    @Test
    void aRemoveWinsOverRacingPuts() throws Exception {
        try (FileBackedSessionManager manager = open()) {
            ExecutorService pool = Executors.newFixedThreadPool(2);
            try {
                for (int round = 0; round < 100; round++) {
                    Session s = manager.newSession();
                    s.put("n", 0);
                    assertTrue(manager.put(s));
                    Session copy = manager.get(s.id()).orElseThrow();
                    AtomicBoolean removed = new AtomicBoolean();
                    Future<?> writer = pool.submit(() -> {
                        for (int i = 1; ; i++) {
                            copy.put("n", i);
                            boolean stored = manager.put(copy);
                            if (removed.get()) {
                                // every put that starts after the remove returned must be refused
                                assertFalse(manager.put(copy));
                                return null;
                            }
                            if (!stored) {
                                return null;
                            }
                        }
                    });
                    manager.remove(s.id());
                    removed.set(true);
                    writer.get(1, TimeUnit.MINUTES);
                    assertFalse(manager.exists(s.id()), "round " + round + ": resurrected");
                }
            } finally {
                pool.shutdownNow();
            }
        }
    }

    private FileBackedSessionManager open() {
        return FileBackedSessionManager.builder(dir).clock(clock).withoutBackgroundSweeper().build();
    }

    private String probe(int stripe) throws Exception {
        return ChildProcess.run(ChildProcess.java(LockFileChild.class, "probe", dir.toString(), Integer.toString(stripe)),
                Duration.ofSeconds(60)).trim();
    }
}
