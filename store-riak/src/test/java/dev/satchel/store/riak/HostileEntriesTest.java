package dev.satchel.store.riak;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Session;
import dev.satchel.SessionManager;
import dev.satchel.spi.SessionAccess;
import dev.satchel.spi.SessionIds;
import dev.satchel.spi.StoreSessionManager;
import dev.satchel.spi.SessionRecord;
import dev.satchel.testkit.MutableClock;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * What other writers may leave in the bucket: garbage, a broken {@code "riak"} member, siblings of two
 * different sessions under one key, a document from another language without the member, a document of a
 * newer format, and a 300 in the plain vtag-list form. Each is read as absent (and moved aside, or for a newer
 * format left untouched) or read correctly; nothing throws at a caller.
 */
class HostileEntriesTest {

    private final MutableClock clock = MutableClock.at(Instant.parse("2030-01-01T00:00:00Z"));
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private RiakStandIn riak;
    private RiakStandIn.Node node;
    private SessionManager manager;

    @BeforeEach
    void start() throws Exception {
        riak = new RiakStandIn().createBucketType("sessions", true);
        node = riak.startNode();
        manager = RiakSessionManager.builder().node(node.url()).bucketType("sessions").bucket("s").clock(clock)
                .withoutBackgroundSweeper().build();
    }

    @AfterEach
    void stop() {
        manager.close();
        riak.close();
    }

    @Test
    @DisplayName("garbage under a key reads as absent and is moved to <bucket>-corrupt, bytes intact")
    void garbageIsMovedAside() {
        String sid = SessionIds.newId();
        byte[] garbage = "{\"v\":1,\"id\":\u0000not json".getBytes(StandardCharsets.UTF_8);
        riak.plant("sessions", "s", sid, garbage, Map.of());
        assertTrue(manager.get(sid).isEmpty());
        assertArrayEquals(garbage, riak.object("sessions", "s-corrupt", sid).siblings().get(0).value);
        assertTrue(riak.object("sessions", "s", sid).allDeleted(), "deleted once copied");
        assertTrue(manager.get(sid).isEmpty());
        assertFalse(manager.exists(sid));
    }

    @Test
    @DisplayName("a malformed \"riak\" member makes the entry corrupt; an update of it reports false")
    void malformedMemberIsCorrupt() {
        Session s = stored();
        byte[] doc = riak.object("sessions", "s", s.id()).siblings().get(0).value;
        String broken = new String(doc, StandardCharsets.UTF_8).replace("\"p\":[", "\"p\":{\"x\":[").replace("],\"i\"", "]},\"i\"");
        riak.plant("sessions", "s", s.id(), broken.getBytes(StandardCharsets.UTF_8), Map.of());
        s.put("more", 1);
        assertFalse(manager.put(s));
        assertTrue(riak.object("sessions", "s-corrupt", s.id()) != null, "moved aside");
        assertTrue(manager.get(s.id()).isEmpty());
    }

    @Test
    @DisplayName("siblings that hold two different sessions under one key are corrupt, not merged")
    void siblingsOfDifferentSessionsAreCorrupt() throws Exception {
        String sid = SessionIds.newId();
        for (int i = 0; i < 2; i++) {
            SessionRecord r = SessionRecord.builder(sid, SessionIds.newId()).created(1).lastAccess(clock.millis())
                    .idleTimeoutMillis(60_000).attribute("who", "\"" + i + "\"").build();
            assertEquals(204, put("/types/sessions/buckets/s/keys/" + sid, SessionDocument.created(r, "w" + i).encode()));
        }
        assertEquals(2, riak.object("sessions", "s", sid).siblings().size());
        assertTrue(manager.get(sid).isEmpty());
        assertTrue(riak.object("sessions", "s-corrupt", sid) != null);
    }

    @Test
    @DisplayName("a document written by another program, without the \"riak\" member, is read and updated")
    void foreignDocumentIsReadAndUpdated() throws Exception {
        String sid = SessionIds.newId();
        String json = "{\"v\":1,\"id\":\"" + sid + "\",\"randval\":\"" + SessionIds.newId() + "\",\"created\":"
                + clock.millis() + ",\"lastAccess\":" + clock.millis() + ",\"idleTimeoutMs\":600000,\"deadline\":null,"
                + "\"principal\":\"py\",\"version\":1,\"attrs\":{\"cart\":[1,2],\"lang\":\"fr\"}}";
        assertEquals(204, put("/types/sessions/buckets/s/keys/" + sid, json.getBytes(StandardCharsets.UTF_8)));
        Session s = manager.get(sid).orElseThrow();
        assertEquals(List.of(1, 2), s.get("cart"));
        assertEquals("py", s.principal().orElseThrow());
        s.put("lang", "de");
        s.remove("cart");
        assertTrue(manager.put(s));
        Session again = manager.get(sid).orElseThrow();
        assertEquals("de", again.get("lang"));
        assertFalse(again.contains("cart"));
    }

    @Test
    @DisplayName("a 300 in the plain vtag-list form (Accept ignored on the way) is read sibling by sibling and merged")
    void plainSiblingListIsFollowed() {
        Session s = stored();
        String sid = s.id();
        riak.multipartSiblings(false);
        SessionManager other = RiakSessionManager.builder().node(node.url()).bucketType("sessions").bucket("s")
                .clock(clock).withoutBackgroundSweeper().build();
        try {
            ConcurrentWritersTest.PairGate gate = new ConcurrentWritersTest.PairGate();
            riak.beforeWrite(gate);
            gate.arm();
            Session x = manager.get(sid).orElseThrow();
            Session y = other.get(sid).orElseThrow();
            x.put("x", 1);
            y.put("y", 2);
            Thread t = new Thread(() -> manager.put(x));
            t.start();
            assertTrue(other.put(y));
            t.join(30_000);
            Session merged = manager.get(sid).orElseThrow();
            assertEquals(1, merged.get("x"));
            assertEquals(2, merged.get("y"));
            assertTrue(node.log.stream().anyMatch(l -> l.contains("vtag=")), "siblings were fetched by vtag");
        } catch (InterruptedException e) {
            throw new AssertionError(e);
        } finally {
            other.close();
        }
    }

    @Test
    @DisplayName("a newer-format entry (\"v\":2) is absent, and never copied away, deleted, rewritten or swept")
    void newerFormatIsLeftUntouched() {
        String sid = SessionIds.newId();
        long past = clock.millis() - 3_600_000;
        byte[] newer = ("{\"v\":2,\"id\":\"" + sid + "\",\"lastAccess\":" + past + ",\"future\":{\"x\":1}}")
                .getBytes(StandardCharsets.UTF_8);
        riak.plant("sessions", "s", sid, newer, Map.of("expires_int", List.of(Long.toString(past))));
        String vtag = riak.object("sessions", "s", sid).siblings().get(0).vtag;
        assertTrue(manager.get(sid).isEmpty());
        assertFalse(manager.exists(sid));
        Session stale = SessionAccess.wrap(SessionRecord.builder(sid, SessionIds.newId()).created(past)
                .lastAccess(clock.millis()).idleTimeoutMillis(60_000).build());
        stale.put("x", 1);
        assertFalse(manager.put(stale), "an update of it reports the session absent and writes nothing");
        assertEquals(0, StoreSessionManager.sweepNow(manager), "its index says expired; the sweep leaves it");
        RiakStandIn.StoredObject o = riak.object("sessions", "s", sid);
        assertEquals(1, o.siblings().size());
        assertEquals(vtag, o.siblings().get(0).vtag, "not rewritten");
        assertArrayEquals(newer, o.siblings().get(0).value);
        assertEquals(null, riak.object("sessions", "s-corrupt", sid), "not copied aside");
    }

    private Session stored() {
        Session s = manager.newSession();
        s.put("a", 1);
        assertTrue(manager.put(s));
        return manager.get(s.id()).orElseThrow();
    }

    private int put(String path, byte[] body) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(node.url() + path)).header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.discarding())
                .statusCode();
    }
}
