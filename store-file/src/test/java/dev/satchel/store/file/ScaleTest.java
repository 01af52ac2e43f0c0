package dev.satchel.store.file;

import dev.satchel.spi.StoreSessionManager;
import dev.satchel.SessionManager;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.PrincipalIndex;
import dev.satchel.Session;
import dev.satchel.testkit.MutableClock;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A million sessions of 100,000 principals (ten each), written, looked up by principal, their principal index
 * rebuilt, and swept, with the rates and sizes the README reports.
 *
 * <p>Tagged {@code slow} and left out of the default build (it takes minutes); the store's README has the
 * command. Where: {@code -Dsatchel.scale.dir=PATH} names the parent folder; by default a RAM file system
 * ({@code /dev/shm}) when there is one with room, else {@code java.io.tmpdir}.
 * {@code -Dsatchel.scale.sessions=N} changes the count. The report names the file system it ran on.
 */
@Tag("slow")
class ScaleTest {

    private static final int SESSIONS = Integer.getInteger("satchel.scale.sessions", 1_000_000);
    /** Distinct principals: ten sessions each at a million (one folder and one entry per session in the index). */
    private static final int PRINCIPALS = Math.max(1, SESSIONS / 10);
    private static final int THREADS = Math.max(2, Runtime.getRuntime().availableProcessors());
    private static final int FSYNC_SAMPLE = 1000;
    /** Room a million small files take on tmpfs (one 4 KB page each), with a margin. */
    private static final long RAM_DISK_ROOM = 6L << 30;

    @Test
    void aMillionSessionsAreWrittenAndSwept() throws Exception {
        Path tmp = Files.createTempDirectory(scaleParent(), "satchel-scale-");
        try {
            writeAndSweep(tmp);
        } finally {
            StoreFiles.deleteTree(tmp);
        }
    }

    private static Path scaleParent() throws IOException {
        String configured = System.getProperty("satchel.scale.dir");
        if (configured != null) {
            return Path.of(configured);
        }
        Path shm = Path.of("/dev/shm");
        if (Files.isDirectory(shm) && Files.isWritable(shm) && Files.getFileStore(shm).getUsableSpace() > RAM_DISK_ROOM) {
            return shm;
        }
        return Path.of(System.getProperty("java.io.tmpdir"));
    }

    private void writeAndSweep(Path tmp) throws Exception {
        MutableClock clock = MutableClock.startingNow();
        Path dir = tmp.resolve("store");
        List<String> report = new ArrayList<>();
        java.nio.file.FileStore fs = Files.getFileStore(tmp);
        report.add(String.format("file system: %s (%s) under %s", fs.type(), fs.name(), tmp.getParent()));
        try (SessionManager manager = FileBackedSessionManager.builder(dir).clock(clock)
                .fsync(FileBackedSessionManager.Fsync.NONE).withoutBackgroundSweeper().build()) {
            long start = System.nanoTime();
            List<String> sample = write(manager, SESSIONS);
            double writeSeconds = seconds(start);
            report.add(String.format("write: %,d sessions in %.1f s = %,.0f files/s (%d threads, fsync NONE)",
                    SESSIONS, writeSeconds, SESSIONS / writeSeconds, THREADS));

            long[] sizes = sizes(dir);
            long indexBytes = sizes(dir.resolve(PrincipalIndexFiles.FOLDER))[1];
            report.add(String.format("size: %.0f bytes of JSON per session, %.0f bytes on disk per session (du),"
                    + " of which %.0f for its principal index entry and folder",
                    (double) sizes[0] / SESSIONS, (double) sizes[1] / SESSIONS, (double) indexBytes / SESSIONS));

            PrincipalIndex principals = (PrincipalIndex) manager;
            start = System.nanoTime();
            int perPrincipal = SESSIONS / PRINCIPALS;
            for (int i = 0; i < 1000; i++) {
                assertEquals(perPrincipal, principals.findByPrincipal("user-" + i % PRINCIPALS).size());
            }
            report.add(String.format("findByPrincipal of %d sessions among %,d principals: %.2f ms each (1,000 lookups)",
                    perPrincipal, PRINCIPALS, seconds(start)));

            Path oldIndex = tmp.resolve("old-index");
            Files.move(dir.resolve(PrincipalIndexFiles.FOLDER), oldIndex);
            StoreFiles.deleteTree(oldIndex); // first: tmpfs has inodes for one index only
            start = System.nanoTime();
            assertTrue(principals.findByPrincipal("user-3").stream().anyMatch(found -> found.id().equals(sample.get(3))));
            double rebuild = seconds(start);
            report.add(String.format("index rebuild from a scan: %,d sessions in %.1f s = %,.0f sessions/s",
                    SESSIONS, rebuild, SESSIONS / rebuild));

            start = System.nanoTime();
            assertEquals(0, StoreSessionManager.sweepNow(manager));
            double idleSweep = seconds(start);
            report.add(String.format("sweep, nothing due: %,d files examined in %.1f s = %,.0f files/s",
                    SESSIONS, idleSweep, SESSIONS / idleSweep));

            clock.advance(Duration.ofMinutes(20)); // the first half (10-minute idle timeout) has expired
            start = System.nanoTime();
            int firstHalf = StoreSessionManager.sweepNow(manager);
            double halfSweep = seconds(start);
            assertEquals(SESSIONS / 2, firstHalf);
            report.add(String.format("sweep, half due: %,d of %,d removed in %.1f s = %,.0f removed/s",
                    firstHalf, SESSIONS, halfSweep, firstHalf / halfSweep));
            for (int i = 0; i < sample.size(); i++) {
                assertEquals(i % 2 == 1, manager.exists(sample.get(i)), "sample " + i);
            }
            assertEquals(SESSIONS - firstHalf, countFiles(dir));

            clock.advance(Duration.ofHours(2));
            start = System.nanoTime();
            int secondHalf = StoreSessionManager.sweepNow(manager);
            double restSweep = seconds(start);
            assertEquals(SESSIONS - firstHalf, secondHalf);
            report.add(String.format("sweep, all due: %,d removed in %.1f s = %,.0f removed/s",
                    secondHalf, restSweep, secondHalf / restSweep));
            assertEquals(0, countFiles(dir));
            try (Stream<Path> left = Files.list(dir.resolve(PrincipalIndexFiles.FOLDER))) {
                assertEquals(List.of(PrincipalIndexFiles.COMPLETE), left.map(p -> p.getFileName().toString())
                        .filter(n -> !Files.isDirectory(dir.resolve(PrincipalIndexFiles.FOLDER).resolve(n))
                                || hasEntries(dir.resolve(PrincipalIndexFiles.FOLDER).resolve(n)))
                        .collect(java.util.stream.Collectors.toList()), "every principal's folder went with its session");
            }
        }
        for (FileBackedSessionManager.Fsync mode : FileBackedSessionManager.Fsync.values()) {
            Path sampleDir = tmp.resolve("fsync-" + mode);
            try (SessionManager manager = FileBackedSessionManager.builder(sampleDir).fsync(mode)
                    .withoutBackgroundSweeper().build()) {
                long start = System.nanoTime();
                write(manager, FSYNC_SAMPLE);
                double s = seconds(start);
                report.add(String.format("fsync %s: %,d sessions in %.2f s = %,.0f files/s", mode, FSYNC_SAMPLE, s,
                        FSYNC_SAMPLE / s));
            }
        }
        report.forEach(line -> System.out.println("scale: " + line));
        Path out = Path.of("target", "scale-report.txt");
        Files.createDirectories(out.getParent());
        Files.write(out, report, StandardCharsets.UTF_8);
    }

    /**
     * Writes {@code count} new sessions from {@link #THREADS} threads, every even one with a 10-minute idle
     * timeout and every odd one with an hour; returns the first 1000 ids, in order.
     */
    private static List<String> write(SessionManager manager, int count) throws Exception {
        String[] sample = new String[Math.min(1000, count)];
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int first = t;
                done.add(pool.submit(() -> {
                    for (int i = first; i < count; i += THREADS) {
                        Session s = manager.newSession();
                        s.setIdleTimeout(Duration.ofMinutes(i % 2 == 0 ? 10 : 60));
                        s.setPrincipal("user-" + i % PRINCIPALS);
                        s.put("cart", List.of(Map.of("sku", "SKU-" + (i % 977), "quantity", 1 + i % 3)));
                        s.put("locale", "en-GB");
                        s.put("csrf", "c" + Integer.toHexString(i * 31));
                        assertTrue(manager.put(s));
                        if (i < sample.length) {
                            sample[i] = s.id();
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(30, TimeUnit.MINUTES);
            }
        } finally {
            pool.shutdownNow();
        }
        return List.of(sample);
    }

    /** Total JSON bytes, and bytes allocated on disk as du(1) counts them (directories included). */
    private static long[] sizes(Path dir) throws Exception {
        long json = 0;
        try (Stream<Path> all = Files.walk(dir)) {
            json = all.filter(p -> p.toString().endsWith(".json")).mapToLong(p -> {
                try {
                    return Files.size(p);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }).sum();
        }
        Process du = new ProcessBuilder("du", "-s", "-B1", dir.toString()).redirectErrorStream(true).start();
        String out = new String(du.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        long disk = du.waitFor() == 0 ? Long.parseLong(out.split("\\s+")[0]) : -1;
        return new long[] {json, disk};
    }

    private static boolean hasEntries(Path folder) {
        try (Stream<Path> inside = Files.list(folder)) {
            return inside.findAny().isPresent();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static long countFiles(Path dir) throws IOException {
        try (Stream<Path> all = Files.walk(dir)) {
            return all.filter(p -> p.toString().endsWith(".json")).count();
        }
    }

    private static double seconds(long startNanos) {
        return (System.nanoTime() - startNanos) / 1e9;
    }
}
