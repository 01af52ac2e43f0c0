package dev.satchel.store.riak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.satchel.Session;
import dev.satchel.SessionConflictException;
import dev.satchel.SessionManager;
import dev.satchel.testkit.MutableClock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Two app servers (two managers, each on its own Riak node) writing one session at the same moment, with the
 * interleavings forced through the stand-in's hooks instead of left to chance: siblings on purpose, stale
 * writes, and removal racing an update — under {@code allow_mult=true} (type {@code sessions}) and
 * {@code allow_mult=false} (type {@code default}).
 */
class ConcurrentWritersTest {

    private static final int ROUNDS = 20;

    private final MutableClock clock = MutableClock.at(Instant.parse("2030-01-01T00:00:00Z"));
    private RiakStandIn riak;
    private SessionManager a;
    private SessionManager b;
    private ExecutorService pool;

    @BeforeEach
    void start() throws Exception {
        riak = new RiakStandIn().createBucketType("sessions", true);
        riak.startNode();
        riak.startNode();
        pool = Executors.newFixedThreadPool(2);
    }

    @AfterEach
    void stop() {
        pool.shutdownNow();
        riak.close();
        if (a != null) {
            a.close();
            b.close();
        }
    }

    @Test
    @DisplayName("allow_mult=true: two updates written at once become siblings, both are reported stored, and nothing is lost")
    void siblingsAreMergedWithoutLoss() throws Exception {
        String sid = simultaneousIncrements("sessions"); // every put asserted true: a 300 is a stored change
        assertTrue(riak.siblingWrites.get() >= ROUNDS, "every round made siblings: " + riak.siblingWrites.get());
        Session s = a.get(sid).orElseThrow();
        assertEquals(ROUNDS, s.get("a"));
        assertEquals(ROUNDS, s.get("b"));
        assertEquals("kept", s.get("base"));
        assertEquals(1, riak.object("sessions", "s", sid).siblings().size(), "the siblings were resolved");
    }

    @Test
    @DisplayName("allow_mult=true, issue 11 item 2: 8 threads on two app servers, each changing its own attribute:"
            + " every put reports success and every acknowledged update is there")
    void concurrentUpdatesFromTwoServersAreAllStored() throws Exception {
        managers("sessions");
        String sid = create();
        int threads = 8;
        int rounds = 25;
        ExecutorService workers = Executors.newFixedThreadPool(threads);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                SessionManager m = t % 2 == 0 ? a : b;
                String name = "t" + t;
                done.add(workers.submit(() -> {
                    for (int i = 0; i < rounds; i++) {
                        increment(m, sid, name); // asserts put returned true; a SessionConflictException fails
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(60, TimeUnit.SECONDS);
            }
        } finally {
            workers.shutdownNow();
        }
        Session s = a.get(sid).orElseThrow();
        for (int t = 0; t < threads; t++) {
            assertEquals(rounds, s.get("t" + t), "every acknowledged increment of t" + t + " is stored");
        }
        assertEquals("kept", s.get("base"));
    }

    @Test
    @DisplayName("allow_mult=true: when every If-Match keeps failing, the write asks only that the session exists and lands")
    void preconditionStormStillStoresTheChange() {
        managers("sessions");
        String sid = create();
        int before = riak.preconditionFailures.get();
        riak.beforeRequest(rewriteBeforeEveryPut("sessions", sid));
        Session s = a.get(sid).orElseThrow();
        s.put("mine", 1);
        assertTrue(a.put(s));
        riak.beforeRequest((m, k) -> {});
        assertEquals(RiakSessionStore.ETAG_ROUNDS, riak.preconditionFailures.get() - before,
                "the entity tag was tried " + RiakSessionStore.ETAG_ROUNDS + " times, then If-Match: *");
        assertEquals(1, b.get(sid).orElseThrow().get("mine"));
    }

    @Test
    @DisplayName("allow_mult=false: when every If-Match keeps failing the update gives up, says so, and wrote nothing")
    void preconditionStormWithoutSiblingsIsAConflict() {
        managers("default");
        String sid = create();
        riak.beforeRequest(rewriteBeforeEveryPut("default", sid));
        Session s = a.get(sid).orElseThrow();
        s.put("mine", 1);
        SessionConflictException e = assertThrows(SessionConflictException.class, () -> a.put(s));
        assertTrue(e.getMessage().contains("this change is not stored"), e.getMessage());
        riak.beforeRequest((m, k) -> {});
        assertFalse(b.get(sid).orElseThrow().contains("mine"));
    }

    @ParameterizedTest(name = "bucket type {0}")
    @ValueSource(strings = {"sessions", "default"})
    @DisplayName("a write based on a stale read is refused by If-Match and merged again: nothing is lost")
    void staleWritesAreMergedAgain(String type) throws Exception {
        managers(type);
        String sid = create();
        HoldFirst gate = new HoldFirst("PUT");
        riak.beforeRequest(gate);
        for (int round = 0; round < ROUNDS; round++) {
            gate.arm();
            Future<?> fa = pool.submit(() -> increment(a, sid, "a"));
            Future<?> fb = pool.submit(() -> increment(b, sid, "b"));
            // One PUT waits, having read before the other's write; the other completes; then the first goes on.
            awaitTrue(() -> gate.holding() && (fa.isDone() || fb.isDone()));
            gate.release();
            fa.get(30, TimeUnit.SECONDS);
            fb.get(30, TimeUnit.SECONDS);
        }
        assertEquals(ROUNDS, riak.preconditionFailures.get(), "each round's stale write was refused once");
        Session s = b.get(sid).orElseThrow();
        assertEquals(ROUNDS, s.get("a"));
        assertEquals(ROUNDS, s.get("b"));
        assertEquals("kept", s.get("base"));
    }

    @Test
    @DisplayName("allow_mult=false, residual risk: of two updates that pass If-Match at the same moment Riak keeps one")
    void lastWriteWinsLosesOneOfTwoSimultaneousWrites() throws Exception {
        String sid = simultaneousIncrements("default");
        Session s = a.get(sid).orElseThrow();
        int kept = count(s, "a") + count(s, "b");
        // Documented in the README: Riak acknowledged both writes and kept only the later one, every round.
        assertEquals(ROUNDS, kept, "exactly one update of each simultaneous pair survives");
        assertEquals(0, riak.siblingWrites.get());
        assertEquals("kept", s.get("base"), "attributes neither writer touched are never lost");
    }

    @ParameterizedTest(name = "bucket type {0}")
    @ValueSource(strings = {"sessions", "default"})
    @DisplayName("a removal between an update's read and its write wins: the update reports false, nothing comes back")
    void removalBeforeTheWriteWins(String type) throws Exception {
        managers(type);
        String sid = create();
        HoldFirst gate = new HoldFirst("PUT");
        riak.beforeRequest(gate);
        gate.arm();
        Session stale = a.get(sid).orElseThrow();
        stale.put("late", true);
        Future<Boolean> put = pool.submit(() -> a.put(stale));
        awaitTrue(gate::holding);
        b.remove(sid);
        gate.release();
        assertFalse(put.get(30, TimeUnit.SECONDS), "the update learns the session is gone");
        assertTrue(a.get(sid).isEmpty());
        assertTrue(b.get(sid).isEmpty());
        assertTrue(riak.object(type, "s", sid).allDeleted());
    }

    @Test
    @DisplayName("allow_mult=true: a removal and an update written at once leave a tombstone sibling, and removal wins")
    void removalRacingAnUpdateWinsWithSiblings() throws Exception {
        managers("sessions");
        String sid = create();
        PairGate gate = new PairGate();
        riak.beforeWrite(gate);
        gate.arm();
        Session stale = a.get(sid).orElseThrow();
        stale.put("late", true);
        CompletableFuture<Boolean> put = CompletableFuture.supplyAsync(() -> a.put(stale), pool);
        CompletableFuture<Void> remove = CompletableFuture.runAsync(() -> b.remove(sid), pool);
        remove.get(30, TimeUnit.SECONDS);
        put.get(30, TimeUnit.SECONDS); // true or false, depending on which write landed first
        assertTrue(b.get(sid).isEmpty(), "removed");
        assertTrue(a.get(sid).isEmpty(), "and stays removed for every reader");
        Session again = stale;
        again.put("later", true);
        assertFalse(a.put(again), "no later update brings it back");
        assertTrue(riak.object("sessions", "s", sid).allDeleted(), "only tombstones remain");
    }

    @Test
    @DisplayName("allow_mult=false, residual risk: an update that passed If-Match before a removal and writes after it resurrects")
    void lastWriteWinsCanResurrectInsideTheWindow() throws Exception {
        managers("default");
        String sid = create();
        CountDownLatch putPassedItsCheck = new CountDownLatch(1);
        riak.beforeWrite((method, key) -> {
            if (method.equals("PUT") && putPassedItsCheck.getCount() > 0) {
                putPassedItsCheck.countDown();
                awaitTrue(() -> riak.object("default", "s", key).allDeleted()); // the removal is written first
            }
        });
        Session stale = a.get(sid).orElseThrow();
        stale.put("late", true);
        Future<Boolean> put = pool.submit(() -> a.put(stale));
        assertTrue(putPassedItsCheck.await(30, TimeUnit.SECONDS));
        b.remove(sid);
        assertTrue(put.get(30, TimeUnit.SECONDS));
        // Documented in the README: Riak keeps the later write, even over a tombstone.
        assertTrue(a.get(sid).isPresent(), "resurrected: the one case If-Match cannot close");
    }

    // ------------------------------------------------------------------ helpers

    /**
     * Creates a session, then {@link #ROUNDS} times increments "a" through one manager and "b" through the
     * other, both writes held until both have passed their checks.
     */
    private String simultaneousIncrements(String type) throws Exception {
        managers(type);
        String sid = create();
        PairGate gate = new PairGate();
        riak.beforeWrite(gate);
        for (int round = 0; round < ROUNDS; round++) {
            gate.arm();
            together(() -> increment(a, sid, "a"), () -> increment(b, sid, "b"));
        }
        return sid;
    }

    private void managers(String type) {
        a = manager(0, type);
        b = manager(1, type);
    }

    private SessionManager manager(int node, String type) {
        RiakSessionManager.Builder builder = RiakSessionManager.builder().node(riakNode(node)).bucket("s")
                .clock(clock).withoutBackgroundSweeper();
        if (type.equals("default")) {
            builder.siblingPolicy(RiakSessionManager.SiblingPolicy.ACCEPT_LOSSY_LAST_WRITE_WINS);
        } else {
            builder.bucketType(type);
        }
        return builder.build();
    }

    /** Before every PUT of {@code sid}, another writer rewrites it (same value, new tag): every If-Match fails. */
    private BiConsumer<String, String> rewriteBeforeEveryPut(String type, String sid) {
        return (method, key) -> {
            if (method.equals("PUT") && key.equals(sid)) {
                RiakStandIn.Sibling current = riak.object(type, "s", sid).siblings().get(0);
                riak.plant(type, "s", sid, current.value, Map.copyOf(current.indexes));
            }
        };
    }

    private String riakNode(int i) {
        return riak.nodes().get(i).url();
    }

    private String create() {
        Session s = a.newSession();
        s.put("base", "kept");
        assertTrue(a.put(s));
        return s.id();
    }

    private static void increment(SessionManager m, String sid, String name) {
        Session s = m.get(sid).orElseThrow();
        s.put(name, count(s, name) + 1);
        assertTrue(m.put(s));
    }

    private static int count(Session s, String name) {
        Integer n = s.get(name, Integer.class);
        return n == null ? 0 : n;
    }

    private void together(Runnable x, Runnable y) throws Exception {
        Future<?> fx = pool.submit(x);
        Future<?> fy = pool.submit(y);
        fx.get(30, TimeUnit.SECONDS);
        fy.get(30, TimeUnit.SECONDS);
    }

    /** Polls until {@code condition} holds, failing after a generous deadline. */
    static void awaitTrue(BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("condition not reached within 30 s");
            }
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    /** Holds the first two writes after their checks until both are there, then lets both go. */
    static final class PairGate implements BiConsumer<String, String> {
        private volatile CountDownLatch armed;

        void arm() {
            armed = new CountDownLatch(2);
        }

        @Override
        public void accept(String method, String key) {
            CountDownLatch l = armed;
            if (l == null) {
                return;
            }
            l.countDown();
            if (l.getCount() == 0) {
                armed = null;
            }
            try {
                l.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Holds the first request of one method until released. */
    static final class HoldFirst implements BiConsumer<String, String> {
        private final String method;
        private volatile CountDownLatch release;
        private final AtomicBoolean taken = new AtomicBoolean(true);
        private volatile boolean holding;

        HoldFirst(String method) {
            this.method = method;
        }

        void arm() {
            release = new CountDownLatch(1);
            holding = false;
            taken.set(false);
        }

        boolean holding() {
            return holding;
        }

        void release() {
            release.countDown();
        }

        @Override
        public void accept(String m, String key) {
            if (m.equals(method) && taken.compareAndSet(false, true)) {
                holding = true;
                try {
                    release.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        }
    }
}
