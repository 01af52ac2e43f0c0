package dev.satchel.store.caching;

import dev.satchel.InMemorySessionManager;
import dev.satchel.Session;
import dev.satchel.SessionManager;
import java.time.Duration;

/**
 * Rough single-thread nanoseconds per {@code get} of a cached session, next to the reference store alone.
 * Not a test and not JMH (the benchmarks module will measure properly); run as the README says.
 */
public final class HitPathLoop {

    private HitPathLoop() {}

    public static void main(String[] args) {
        SessionManager plain = InMemorySessionManager.builder().withoutBackgroundSweeper().build();
        SessionManager cached = CachingSessionManager.over(InMemorySessionManager.builder().withoutBackgroundSweeper().build())
                .maxStaleness(Duration.ofHours(1)).build();
        for (SessionManager m : new SessionManager[] {plain, cached}) {
            String[] ids = new String[1024];
            for (int i = 0; i < ids.length; i++) {
                Session s = m.newSession();
                s.put("user", "u" + i);
                s.put("cart", java.util.List.of(1, 2, 3));
                m.put(s);
                ids[i] = s.id();
            }
            long sink = 0;
            for (int round = 0; round < 5; round++) {
                long t0 = System.nanoTime();
                int n = 5_000_000;
                for (int i = 0; i < n; i++) {
                    sink += m.get(ids[i & 1023]).get().id().length();
                }
                long t1 = System.nanoTime();
                System.out.printf("%s round %d: %.1f ns/get%n", m.getClass().getSimpleName(), round, (t1 - t0) / (double) n);
            }
            if (sink == 42) System.out.println();
        }
    }
}
