package dev.satchel.store.riak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Session;
import dev.satchel.SessionManager;
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

/**
 * Several nodes: failover on refused connections, timeouts and 503s, the errors when nothing answers, and what
 * reads do when replicas are down (issue 11 item 4: a live session is never read as absent).
 */
class FailoverTest {

    private final MutableClock clock = MutableClock.at(Instant.parse("2030-01-01T00:00:00Z"));
    private RiakStandIn riak;
    private RiakStandIn.Node n1;
    private RiakStandIn.Node n2;
    private RiakStandIn.Node n3;
    private SessionManager manager;

    @BeforeEach
    void start() throws Exception {
        riak = new RiakStandIn().createBucketType("sessions", true);
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
        int served = n2.requests.get();
        n2.stop();
        work(sid, 12);
        n2.restart();
        work(sid, 12);
        assertEquals(served, n2.requests.get(), "still skipped: the retry interval has not passed");
        clock.advance(Duration.ofSeconds(11));
        work(sid, 12);
        assertTrue(n2.requests.get() > served, "tried again after the interval, and it answered");
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
    @DisplayName("a primary quorum that cannot be met: unavailable after every node was tried, and nothing is written")
    void unsatisfiablePrimaryQuorum() {
        String sid = create();
        riak.replicaDown(0);
        manager.close();
        manager = manager(b -> b.pw(Quorum.ALL));
        Session s = manager.newSession();
        s.put("a", 1);
        SessionStoreUnavailableException e = assertThrows(SessionStoreUnavailableException.class, () -> manager.put(s));
        assertTrue(e.getCause().getMessage().contains("PW-value unsatisfied: 2/3"), e.getCause().getMessage());
        assertEquals(2, e.getCause().getSuppressed().length, "every node was asked");
        assertEquals(null, riak.object("sessions", "s", s.id()));
        assertTrue(manager.get(sid).isPresent(), "pr=quorum (2 of 3) is still met");
        manager.close();
        manager = manager(b -> b.pr(Quorum.ALL));
        assertThrows(SessionStoreUnavailableException.class, () -> manager.get(sid));
    }

    @Test
    @DisplayName("two of three replicas down: a live session is not read as absent, the read fails as unavailable")
    void liveSessionIsNeverReadAsAbsent() throws Exception {
        String sid = create();
        riak.replicaDown(1);
        riak.replicaDown(2);
        // What Riak's defaults would answer here (notfound_ok=true, r=quorum, pr=0): the two empty fallbacks
        // answer first, and their not-founds make the quorum. RiakStandInTest pins that; the store must not.
        SessionStoreUnavailableException e = assertThrows(SessionStoreUnavailableException.class, () -> manager.get(sid));
        assertTrue(e.getCause().getMessage().contains("PR-value unsatisfied: 1/2"), e.getCause().getMessage());
        assertThrows(SessionStoreUnavailableException.class, () -> manager.exists(sid));
        assertThrows(SessionStoreUnavailableException.class, () -> manager.remove(sid), "nor is it half removed");
        riak.replicaUp(1);
        assertEquals(0, load(sid).get("n"), "once a majority of primaries answers, it is there");
        riak.replicaUp(2);
        work(sid, 3);
        assertEquals(3, load(sid).get("n"));
    }

    @Test
    @DisplayName("one replica down: everything works; a session created then is still found once it is back, before handoff")
    void oneReplicaDownIsServed() throws Exception {
        String before = create();
        riak.replicaDown(2);
        String during = create();
        work(before, 2);
        work(during, 2);
        riak.replicaUp(2); // back with what it held before it went down; its fallback's data not handed off yet
        riak.replicaDown(0); // and now another one fails
        assertEquals(2, load(before).get("n"));
        assertEquals(2, load(during).get("n"), "written to a majority of primaries, so a majority read meets it");
        riak.replicaUp(0);
        riak.handoff();
        assertEquals(2, load(during).get("n"));
    }

    @Test
    @DisplayName("a PR-unsatisfied 503 moves the request to the next node without marking the node down")
    void quorumFailureDoesNotMarkNodesDown() {
        String sid = create();
        riak.replicaDown(1);
        riak.replicaDown(2);
        assertThrows(SessionStoreUnavailableException.class, () -> manager.get(sid));
        riak.replicaUp(1);
        riak.replicaUp(2);
        int[] before = {n1.requests.get(), n2.requests.get(), n3.requests.get()};
        work(sid, 6);
        assertTrue(n1.requests.get() > before[0] && n2.requests.get() > before[1] && n3.requests.get() > before[2],
                "every node still takes requests");
    }

    // ------------------------------------------------------------------ helpers

    private SessionManager manager(UnaryOperator<RiakSessionManager.Builder> extra) {
        return extra.apply(RiakSessionManager.builder().node(n1.url()).node(n2.url()).node(n3.url()).bucket("s")
                .clock(clock).withoutBackgroundSweeper().requestTimeout(Duration.ofSeconds(1))
                .connectTimeout(Duration.ofSeconds(1)).nodeRetryAfter(Duration.ofSeconds(10))
                .bucketType("sessions")).build();
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
