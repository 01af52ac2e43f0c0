package dev.satchel.benchmarks;

import dev.satchel.HttpSessions;
import dev.satchel.Session;
import dev.satchel.SigningKeys;
import dev.satchel.spi.SessionAccess;
import dev.satchel.spi.SessionCodec;
import dev.satchel.store.caching.CachingSessionManager;
import dev.satchel.store.file.FileBackedSessionManager;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.ref.Reference;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.session.StandardManager;
import org.apache.catalina.session.StandardSession;
import org.springframework.session.MapSession;
import org.springframework.session.MapSessionRepository;

/**
 * Heap retained per cached session for the {@link TypicalSession}, next to the size of its stored JSON
 * document, and the same heap figure for the peers' in-memory sessions.
 *
 * <p>Method: build the empty container, collect garbage until the used heap stops moving and read it;
 * put {@code n} sessions in; collect and read again; the difference over {@code n} is what one session
 * retains (its share of the container's tables included, its fixed parts not). Run it alone in a JVM with
 * the serial collector, whose full collection after {@code System.gc()} leaves only live objects:
 *
 * <pre>
 * java -XX:+UseSerialGC -Xmx1g -cp benchmarks/target/benchmarks.jar dev.satchel.benchmarks.MemoryFootprint memory.json 20000
 * </pre>
 * It writes its figures as JSON to the file named, for {@link Report}.
 */
public final class MemoryFootprint {

    private MemoryFootprint() {}

    public static void main(String[] args) throws Exception {
        Path out = Paths.get(args[0]);
        int n = args.length > 1 ? Integer.parseInt(args[1]) : 20_000;
        Map<String, Object> result = new LinkedHashMap<>();
        result.put("sessions", n);
        result.put("rows", measureAll(n));
        Files.writeString(out, SessionCodec.jsonMapper().writeValueAsString(result));
    }

    /** Every figure, one row each: implementation, bytes per session, stored JSON bytes (or -1). */
    static List<Map<String, Object>> measureAll(int n) throws IOException {
        List<Map<String, Object>> rows = new ArrayList<>();
        rows.add(satchel(n));
        rows.add(spring(n));
        rows.add(tomcat(n));
        return rows;
    }

    private static Map<String, Object> satchel(int n) throws IOException {
        Path dir = Scratch.newDir("memory");
        try (CachingSessionManager manager = CachingSessionManager.over(
                        FileBackedSessionManager.builder(dir).fsync(FileBackedSessionManager.Fsync.NONE).withoutBackgroundSweeper().build())
                .maximumSize(2L * n).maxStaleness(Duration.ofHours(12)).build()) {
            HttpSessions sessions = HttpSessions.builder().manager(manager).signingKeys(SigningKeys.of(Population.KEY))
                    .idleTimeout(Population.IDLE_TIMEOUT).build();
            String[] ids = new String[n];
            long before = usedHeap();
            for (int i = 0; i < n; i++) {
                Session s = sessions.open(null);
                TypicalSession.fill(s, i);
                sessions.commit(s).orElseThrow(); // the cookie is signed, so the cached record holds its digest
                ids[i] = s.id();
            }
            long after = usedHeap();
            long json = 0;
            for (String id : ids) {
                json += SessionCodec.encode(SessionAccess.record(manager.get(id).orElseThrow())).length;
            }
            Reference.reachabilityFence(sessions);
            return row("Satchel: cached record (CachingSessionManager over FileBackedSessionManager)", (after - before) / n, json / n);
        } finally {
            Scratch.delete(dir);
        }
    }

    private static Map<String, Object> spring(int n) {
        MapSessionRepository repository = new MapSessionRepository(new ConcurrentHashMap<>());
        String[] ids = Population.ids(n);
        long before = usedHeap();
        for (int i = 0; i < n; i++) {
            MapSession s = new MapSession(ids[i]);
            TypicalSession.attributes(i).forEach(s::setAttribute);
            repository.save(s);
        }
        long after = usedHeap();
        Reference.reachabilityFence(repository);
        return row("Spring Session: MapSession in MapSessionRepository", (after - before) / n, -1);
    }

    private static Map<String, Object> tomcat(int n) {
        StandardManager manager = new StandardManager();
        manager.setContext(new StandardContext());
        String[] ids = Population.ids(n);
        long before = usedHeap();
        for (int i = 0; i < n; i++) {
            StandardSession s = (StandardSession) manager.createEmptySession();
            s.setValid(true);
            s.setCreationTime(System.currentTimeMillis());
            s.setMaxInactiveInterval((int) Population.IDLE_TIMEOUT.toSeconds());
            s.setId(ids[i]);
            TypicalSession.attributes(i).forEach(s::setAttribute);
        }
        long after = usedHeap();
        Reference.reachabilityFence(manager);
        return row("Tomcat: StandardSession in StandardManager", (after - before) / n, -1);
    }

    private static Map<String, Object> row(String implementation, long bytesPerSession, long jsonBytes) {
        Map<String, Object> row = new LinkedHashMap<>();
        row.put("implementation", implementation);
        row.put("heapBytesPerSession", bytesPerSession);
        row.put("storedJsonBytes", jsonBytes);
        return row;
    }

    /**
     * Used heap after full collections: the least of several readings, taken until three in a row agree within
     * 1 KB, a few milliseconds apart. Two readings in a row were not enough: about one run in six read the empty
     * container 2.1 MB high (562 B per session instead of 668, from one jar), objects some other thread still held
     * across two collections and dropped a moment later (a heap histogram taken right after showed none of it).
     */
    static long usedHeap() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long least = Long.MAX_VALUE;
        long last = Long.MAX_VALUE;
        int agreeing = 0;
        for (int i = 0; i < 50 && agreeing < 3; i++) {
            // Caffeine hands its maintenance to the common pool; let it finish so every reading sees it done.
            java.util.concurrent.ForkJoinPool.commonPool().awaitQuiescence(10, java.util.concurrent.TimeUnit.SECONDS);
            memory.gc();
            long used = memory.getHeapMemoryUsage().getUsed();
            agreeing = Math.abs(used - last) < 1024 ? agreeing + 1 : 0;
            last = used;
            least = Math.min(least, used);
            java.util.concurrent.locks.LockSupport.parkNanos(20_000_000L); // a moment for other threads to let go
        }
        return least;
    }
}
