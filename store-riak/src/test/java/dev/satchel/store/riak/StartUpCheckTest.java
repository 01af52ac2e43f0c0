package dev.satchel.store.riak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Session;
import dev.satchel.SessionManager;
import dev.satchel.SessionStoreException;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Issue 11 item 3: at start-up the manager reads the bucket's properties ({@code GET …/props}) and refuses a
 * bucket that drops concurrent writes, unless told to accept the loss; and quorums that Riak would refuse, or
 * that would let a live session read as absent.
 */
class StartUpCheckTest {

    private static final String REFUSAL = " it keeps one of two concurrent writes and drops the other, so"
            + " concurrent updates of a session are lost and a removed session can come back (measured on"
            + " OpenRiak 3.2.2 with two app servers: 23-33 % of acknowledged concurrent updates lost; 8 of"
            + " 40 sessions removed during concurrent updates came back). Create a bucket type that keeps"
            + " siblings and pass its name to bucketType(...):\n"
            + "  riak admin bucket-type create sessions '{\"props\":{\"allow_mult\":true,\"last_write_wins\":false}}'\n"
            + "  riak admin bucket-type activate sessions\n(riak-admin instead of riak admin on Riak 2.x)\n"
            + "or accept the loss with siblingPolicy(SiblingPolicy.ACCEPT_LOSSY_LAST_WRITE_WINS).";

    private RiakStandIn riak;
    private RiakStandIn.Node node;

    @BeforeEach
    void start() throws Exception {
        riak = new RiakStandIn().createBucketType("sessions", true).createBucketType("single", false)
                .createBucketType("lww", true, true);
        node = riak.startNode();
    }

    @AfterEach
    void stop() {
        riak.close();
    }

    @Test
    @DisplayName("Riak's default bucket type (allow_mult=false) is refused, saying how to create a proper type")
    void defaultTypeIsRefused() {
        SessionStoreException e = assertThrows(SessionStoreException.class, () -> build(b -> b));
        assertEquals("Riak's bucket 'sessions' of bucket type 'default' has allow_mult=false:" + REFUSAL, e.getMessage());
        assertTrue(node.log.get(0).startsWith("GET /buckets/sessions/props"), node.log.toString());
        assertEquals(RiakRequests.ACCEPT, node.accepts.get(0));
    }

    @Test
    @DisplayName("a type created with allow_mult=false, and one with last_write_wins=true, are refused too")
    void otherLossyTypesAreRefused() {
        assertEquals("Riak's bucket 'sessions' of bucket type 'single' has allow_mult=false:" + REFUSAL,
                assertThrows(SessionStoreException.class, () -> build(b -> b.bucketType("single"))).getMessage());
        assertEquals("Riak's bucket 'sessions' of bucket type 'lww' has last_write_wins=true:" + REFUSAL,
                assertThrows(SessionStoreException.class, () -> build(b -> b.bucketType("lww"))).getMessage());
    }

    @Test
    @DisplayName("a bucket in the default type whose own properties say allow_mult=true is accepted")
    void bucketLevelAllowMultIsAccepted() throws Exception {
        java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest.newBuilder(
                java.net.URI.create(node.url() + "/buckets/mine/props")).header("Content-Type", "application/json")
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofString("{\"props\":{\"allow_mult\":true}}")).build(),
                java.net.http.HttpResponse.BodyHandlers.discarding());
        try (SessionManager m = build(b -> b.bucket("mine"))) {
            roundTrip(m);
        }
    }

    @Test
    @DisplayName("the lossy mode has to be chosen by name, and then the default type works")
    void lossyModeIsExplicit() {
        try (SessionManager m = build(b -> b.siblingPolicy(RiakSessionManager.SiblingPolicy.ACCEPT_LOSSY_LAST_WRITE_WINS))) {
            roundTrip(m);
        }
    }

    @Test
    @DisplayName("an unknown bucket type is refused at start-up, saying how to create it")
    void unknownTypeIsRefused() {
        SessionStoreException e = assertThrows(SessionStoreException.class, () -> build(b -> b.bucketType("nosuch")));
        assertTrue(e.getMessage().startsWith("Riak has no active bucket type 'nosuch' (HTTP 404 from "), e.getMessage());
        assertTrue(e.getMessage().contains("riak admin bucket-type create nosuch"), e.getMessage());
    }

    @Test
    @DisplayName("a quorum above n_val, or a pr/pw that is not a majority, is refused at start-up")
    void quorumsAreCheckedAgainstNVal() {
        assertEquals("r is 4 but bucket 'sessions' of bucket type 'sessions' has n_val=3: Riak would refuse every request",
                assertThrows(SessionStoreException.class, () -> build(b -> b.bucketType("sessions").r(Quorum.of(4))))
                        .getMessage());
        assertEquals("pr is one but must be a majority of the 3 replicas of bucket 'sessions' of bucket type 'sessions'"
                        + " (QUORUM, ALL or more than 1), so that a live session is never read as absent",
                assertThrows(SessionStoreException.class, () -> build(b -> b.bucketType("sessions").pr(Quorum.ONE)))
                        .getMessage());
        assertEquals("pw is default but must be a majority of the 3 replicas of bucket 'sessions' of bucket type 'sessions'"
                        + " (QUORUM, ALL or more than 1), so that a live session is never read as absent",
                assertThrows(SessionStoreException.class, () -> build(b -> b.bucketType("sessions").pw(Quorum.DEFAULT)))
                        .getMessage());
        try (SessionManager m = build(b -> b.bucketType("sessions").pr(Quorum.of(2)).pw(Quorum.ALL).r(Quorum.ONE))) {
            roundTrip(m);
        }
    }

    private SessionManager build(UnaryOperator<RiakSessionManager.Builder> settings) {
        return settings.apply(RiakSessionManager.builder().node(node.url()).withoutBackgroundSweeper()).build();
    }

    private static void roundTrip(SessionManager m) {
        Session s = m.newSession();
        s.put("a", 1);
        assertTrue(m.put(s));
        assertEquals(1, m.get(s.id()).orElseThrow().get("a"));
    }
}
