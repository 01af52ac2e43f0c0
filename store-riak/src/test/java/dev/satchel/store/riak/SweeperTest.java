package dev.satchel.store.riak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Session;
import dev.satchel.spi.SessionIds;
import dev.satchel.spi.SessionRecord;
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

/** The sweeper against the stand-in's {@code expires_int} index: paging, and never deleting a live session. */
class SweeperTest {

    private final MutableClock clock = MutableClock.at(Instant.parse("2030-01-01T00:00:00Z"));
    private RiakStandIn riak;
    private RiakStandIn.Node node;
    private RiakSessionManager manager;

    @BeforeEach
    void start() throws Exception {
        riak = new RiakStandIn();
        node = riak.startNode();
        manager = RiakSessionManager.builder().node(node.url()).bucket("s").clock(clock)
                .withoutBackgroundSweeper().build();
    }

    @AfterEach
    void stop() {
        manager.close();
        riak.close();
    }

    @Test
    @DisplayName("10,000 expired sessions are swept in pages of 500 following the continuation; live ones stay")
    void sweepsTenThousandExpiredSessionsInPages() {
        long now = clock.millis();
        for (int i = 0; i < 10_000; i++) {
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

        assertEquals(10_000, manager.sweep());
        int requests = node.requests.get() - before;

        assertEquals(51, riak.liveKeys("default", "s"));
        for (String sid : live) {
            assertTrue(manager.exists(sid));
        }
        assertTrue(manager.exists(alive.id()));
        List<String> queries = node.log.subList(0, node.log.size()).stream()
                .filter(l -> l.contains("/index/expires_int/0/" + now)).toList();
        assertEquals(21, queries.size(), "20 full pages of 500, then an empty one after the last continuation");
        assertTrue(queries.get(0).contains("max_results=500") && !queries.get(0).contains("continuation="));
        assertTrue(queries.stream().skip(1).allMatch(q -> q.contains("continuation=")));
        assertEquals(21 + 2 * 10_000 + 1, requests, "per expired key one read and one delete, one read for the live one");
        assertEquals(0, manager.sweep(), "nothing left to sweep");
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
        assertEquals(1, manager.sweep());
        assertTrue(manager.get(s.id()).isEmpty());
        assertTrue(riak.object("default", "s", s.id()).allDeleted());
        assertTrue(manager.exists(other.id()));
    }

    private static SessionRecord record(long lastAccess, Duration idle) {
        return SessionRecord.builder(SessionIds.newId(), SessionIds.newId()).created(lastAccess).lastAccess(lastAccess)
                .idleTimeoutMillis(idle.toMillis()).build();
    }

    private void plant(SessionRecord r, String expiresTerm) {
        byte[] doc = SessionDocument.created(r, "planted").encode();
        String term = expiresTerm != null ? expiresTerm : Long.toString(r.expiresAt());
        riak.plant("default", "s", r.id(), doc, Map.of("expires_int", List.of(term)));
    }
}
