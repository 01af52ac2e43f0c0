package dev.satchel.store.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Session;
import dev.satchel.SessionManager;
import dev.satchel.testkit.MutableClock;
import java.nio.file.Path;
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

/** Several managers over one directory in one JVM; {@link CrossProcessIT} has several processes. */
class ConcurrencyTest {

    @TempDir
    Path dir;

    private final MutableClock clock = MutableClock.startingNow();

    @Test
    void twoManagersOverOneDirectoryInThreadsLoseNoIncrement() throws Exception {
        int threads = 4;
        int rounds = 150;
        try (SessionManager first = open(); SessionManager second = open()) {
            Session s = first.newSession();
            s.put("start", true);
            assertTrue(first.put(s));
            ExecutorService pool = Executors.newFixedThreadPool(threads);
            try {
                CyclicBarrier together = new CyclicBarrier(threads);
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    int me = t;
                    SessionManager mine = t % 2 == 0 ? first : second;
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
    void aRemoveWinsOverRacingPuts() throws Exception {
        try (SessionManager manager = open()) {
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

    private SessionManager open() {
        return FileBackedSessionManager.builder(dir).clock(clock).withoutBackgroundSweeper().build();
    }

}
