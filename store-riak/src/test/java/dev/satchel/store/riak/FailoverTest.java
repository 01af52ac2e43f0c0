package dev.satchel.store.riak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Session;
import dev.satchel.SessionStoreException;
import dev.satchel.SessionStoreTimeoutException;
import dev.satchel.SessionStoreUnavailableException;
import dev.satchel.testkit.MutableClock;
import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.time.Instant;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Several nodes: failover on refused connections, timeouts and 503s, and the errors when nothing answers. */
class FailoverTest {

    private final MutableClock clock = MutableClock.at(Instant.parse("2030-01-01T00:00:00Z"));
    private RiakStandIn riak;
    private RiakStandIn.Node n1;
    private RiakStandIn.Node n2;
    private RiakStandIn.Node n3;
    private RiakSessionManager manager;

    @BeforeEach
    void start() throws Exception {
        riak = new RiakStandIn();
        n1 = riak.startNode();
        n2 = riak.startNode();
        n3 = riak.startNode();
        manager = manager(b -> b);
    }

    @AfterEach
    void stop() {
        manager.close();
        riak.close();
    }

    @Test
    @DisplayName("a node that refuses connections is skipped, retried after the interval, and used once it is back")
    void refusedNodeIsSkippedAndRetriedLater() throws Exception {
        String sid = create();
        n2.stop();
        work(sid, 12);
        n2.restart();
        work(sid, 12);
        assertEquals(0, n2.requests.get(), "still skipped: the retry interval has not passed");
        clock.advance(Duration.ofSeconds(11));
        work(sid, 12);
        assertTrue(n2.requests.get() > 0, "tried again after the interval, and it answered");
        assertEquals(24 + 12, load(sid).get("n"));
    }

    @Test
    @DisplayName("a node that does not answer in time is tried once, then skipped; operations go on elsewhere")
    void stalledNodeIsSkipped() {
        String sid = create();
        n1.stall();
        work(sid, 6);
        int tried = n1.requests.get();
        assertTrue(tried >= 1, "the stalled node was tried");
        work(sid, 6);
        assertEquals(tried, n1.requests.get(), "once it timed out, the node was left alone: " + n1.log);
        n1.unstall();
        assertEquals(12, load(sid).get("n"));
    }

    @Test
    @DisplayName("a node answering 503 is skipped like a failed one")
    void nodeAnswering503IsSkipped() {
        String sid = create();
        n3.failWith(503);
        work(sid, 10);
        assertEquals(1, n3.requests.get());
        assertEquals(10, load(sid).get("n"));
    }

    @Test
    @DisplayName("no node reachable: SessionStoreUnavailableException with the connection failure, no id in messages")
    void allNodesDown() {
        String sid = create();
        n1.stop();
        n2.stop();
        n3.stop();
        SessionStoreUnavailableException e = assertThrows(SessionStoreUnavailableException.class, () -> manager.get(sid));
        assertInstanceOf(IOException.class, e.getCause());
        assertEquals(2, e.getCause().getSuppressed().length, "every node's failure is kept");
        assertNoId(e, sid);
        assertThrows(SessionStoreUnavailableException.class, () -> manager.remove(sid));
    }

    @Test
    @DisplayName("no node answers in time: SessionStoreTimeoutException with the timeout as cause")
    void allNodesStalled() {
        String sid = create();
        n1.stall();
        n2.stall();
        n3.stall();
        SessionStoreTimeoutException e = assertThrows(SessionStoreTimeoutException.class, () -> manager.exists(sid));
        assertInstanceOf(HttpTimeoutException.class, e.getCause());
        assertNoId(e, sid);
        n1.unstall();
        n2.unstall();
        n3.unstall();
    }

    @Test
    @DisplayName("a quorum larger than n_val: Riak's 400 surfaces as a SessionStoreException, without failover")
    void quorumAboveNValIsRefused() {
        String sid = create();
        manager.close();
        manager = manager(b -> b.r(Quorum.of(4)));
        int before = n1.requests.get() + n2.requests.get() + n3.requests.get();
        SessionStoreException e = assertThrows(SessionStoreException.class, () -> manager.get(sid));
        assertFalse(e instanceof SessionStoreUnavailableException);
        assertTrue(e.getMessage().contains("HTTP 400"), e.getMessage());
        assertEquals(before + 1, n1.requests.get() + n2.requests.get() + n3.requests.get());
        assertNoId(e, sid);
    }

    @Test
    @DisplayName("a primary quorum that cannot be met: unavailable, and nothing is written")
    void unsatisfiablePrimaryQuorum() {
        String sid = create();
        riak.primariesUp(2);
        manager.close();
        manager = manager(b -> b.pw(Quorum.ALL).pr(Quorum.QUORUM));
        Session s = manager.newSession();
        s.put("a", 1);
        SessionStoreUnavailableException e = assertThrows(SessionStoreUnavailableException.class, () -> manager.put(s));
        assertTrue(e.getCause().getMessage().contains("PW-value unsatisfied: 2/3"), e.getCause().getMessage());
        assertEquals(null, riak.object("default", "s", s.id()));
        assertTrue(manager.get(sid).isPresent(), "pr=quorum (2 of 3) is still met");
        manager.close();
        manager = manager(b -> b.pr(Quorum.ALL));
        assertThrows(SessionStoreUnavailableException.class, () -> manager.get(sid));
    }

    @Test
    @DisplayName("an unknown bucket type is a clear error on write")
    void unknownBucketType() {
        manager.close();
        manager = manager(b -> b.bucketType("nosuchtype"));
        Session s = manager.newSession();
        s.put("a", 1);
        SessionStoreException e = assertThrows(SessionStoreException.class, () -> manager.put(s));
        assertTrue(e.getMessage().contains("Unknown bucket type"), e.getMessage());
    }

    // ------------------------------------------------------------------ helpers

    private RiakSessionManager manager(UnaryOperator<RiakSessionManager.Builder> extra) {
        return extra.apply(RiakSessionManager.builder().node(n1.url()).node(n2.url()).node(n3.url()).bucket("s")
                .clock(clock).withoutBackgroundSweeper().requestTimeout(Duration.ofSeconds(1))
                .connectTimeout(Duration.ofSeconds(1)).nodeRetryAfter(Duration.ofSeconds(10))).build();
    }

    private String create() {
        Session s = manager.newSession();
        s.put("n", 0);
        assertTrue(manager.put(s));
        return s.id();
    }

    /** Reads and updates the session {@code times} times; every operation must succeed. */
    private void work(String sid, int times) {
        for (int i = 0; i < times; i++) {
            Session s = load(sid);
            s.put("n", (Integer) s.get("n") + 1);
            assertTrue(manager.put(s));
        }
    }

    private Session load(String sid) {
        return manager.get(sid).orElseThrow();
    }

    private static void assertNoId(Throwable e, String sid) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            assertFalse(String.valueOf(t.getMessage()).contains(sid), "message names the session: " + t);
            for (Throwable s : t.getSuppressed()) {
                assertFalse(String.valueOf(s.getMessage()).contains(sid), "message names the session: " + s);
            }
        }
    }
}
