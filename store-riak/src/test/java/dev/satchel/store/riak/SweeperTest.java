package dev.satchel.store.riak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Session;
import dev.satchel.SessionManager;
import dev.satchel.spi.SessionIds;
import dev.satchel.spi.SessionRecord;
import dev.satchel.spi.StoreSessionManager;
import dev.satchel.testkit.MutableClock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The sweeper against the stand-in's {@code expires_int} index: paging, batches of the manager's sweep, and
 * never deleting a live session.
 */
class SweeperTest {

    private final MutableClock clock = MutableClock.at(Instant.parse("2030-01-01T00:00:00Z"));
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
    @DisplayName("3,000 expired sessions are swept in batches of 1,000, pages of 500 following the continuation; live ones stay")
    void sweepsThousandsOfExpiredSessionsInPages() throws Exception {
        long now = clock.millis();
        for (int i = 0; i < 3_000; i++) {
            plant(record(now - Duration.ofHours(2).toMillis(), Duration.ofMinutes(30)), null);
        }
        List<String> live = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            Session s = manager.newSession();
            s.put("n", i);
            assertTrue(manager.put(s));
            live.add(s.id());
        }
        // An index entry that says "expired" over a document that is not: the document decides.
        SessionRecord alive = record(now - 1000, Duration.ofMinutes(30));
        plant(alive, Long.toString(now - 500));
        int before = node.requests.get();

        assertEquals(3_000, StoreSessionManager.sweepNow(manager));
        int requests = node.requests.get() - before;

        assertEquals(51, riak.liveKeys("sessions", "s"));
        for (String sid : live) {
            assertTrue(manager.exists(sid));
        }
        assertTrue(manager.exists(alive.id()));
        List<String> queries = node.log.subList(0, node.log.size()).stream()
                .filter(l -> l.contains("/index/expires_int/0/" + now)).toList();
        // The manager sweeps in batches of 1,000 (StoreSessionManager.DEFAULT_SWEEP_BATCH): per batch one page
        // and its continuation; a last batch finds only the live entry and stops the pass.
        assertEquals(7, queries.size(), "3 batches of 2 pages, then one page with the live entry only");
        assertTrue(queries.stream().allMatch(q -> q.contains("max_results=500")));
        assertEquals(3, queries.stream().filter(q -> q.contains("continuation=")).count());
        assertEquals(7 + 2 * 3_000 + 1, requests, "per expired key one read and one delete, one read for the live one");
        assertEquals(0, StoreSessionManager.sweepNow(manager), "nothing left to sweep");
        assertEquals(List.of(alive.id()), expiredInIndex(now), "the index holds no expired session any more");
    }

    /** The keys {@code GET …/index/expires_int/0/<now>} answers, as Riak would to anyone. */
    private List<String> expiredInIndex(long now) throws Exception {
        java.net.http.HttpResponse<String> r = java.net.http.HttpClient.newHttpClient().send(
                java.net.http.HttpRequest.newBuilder(java.net.URI.create(node.url()
                        + "/types/sessions/buckets/s/index/expires_int/0/" + now)).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        return IndexPage.parse(r.body().getBytes(java.nio.charset.StandardCharsets.UTF_8)).keys();
    }

    @Test
    @DisplayName("a session refreshed after the index was queried is not swept; an expired one is, with its vclock")
    void sweepReadsBeforeItDeletes() {
        Session s = manager.newSession();
        s.setIdleTimeout(Duration.ofMinutes(1));
        assertTrue(manager.put(s));
        Session other = manager.newSession();
        other.setIdleTimeout(Duration.ofMinutes(10));
        assertTrue(manager.put(other));
        clock.advance(Duration.ofMinutes(2));
        assertEquals(1, StoreSessionManager.sweepNow(manager));
        assertTrue(manager.get(s.id()).isEmpty());
        assertTrue(riak.object("sessions", "s", s.id()).allDeleted());
        assertTrue(manager.exists(other.id()));
    }

    private static SessionRecord record(long lastAccess, Duration idle) {
        return SessionRecord.builder(SessionIds.newId(), SessionIds.newId()).created(lastAccess).lastAccess(lastAccess)
                .idleTimeoutMillis(idle.toMillis()).build();
    }

    private void plant(SessionRecord r, String expiresTerm) {
        byte[] doc = SessionDocument.created(r, "planted").encode();
        String term = expiresTerm != null ? expiresTerm : Long.toString(r.expiresAt());
        riak.plant("sessions", "s", r.id(), doc, Map.of("expires_int", List.of(term)));
    }
}
