package dev.satchel.store.riak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Session;
import dev.satchel.SessionManager;
import dev.satchel.SessionManagers;
import dev.satchel.SessionStoreException;
import dev.satchel.testkit.MutableClock;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** {@code riak://} through {@link SessionManagers#open}: the path, the settings, and what is refused. */
class RiakProviderTest {

    private final MutableClock clock = MutableClock.at(Instant.parse("2030-01-01T00:00:00Z"));
    private RiakStandIn riak;
    private RiakStandIn.Node a;
    private RiakStandIn.Node b;

    @BeforeEach
    void start() throws Exception {
        riak = new RiakStandIn().createBucketType("sessions", true);
        a = riak.startNode();
        b = riak.startNode();
    }

    @AfterEach
    void stop() {
        riak.close();
    }

    @Test
    @DisplayName("riak://host:port/types/T/buckets/B?node=…&pr=all opens a manager over both nodes in that bucket, reporting to the metrics given")
    void opensAManager() {
        String uri = "riak://127.0.0.1:" + a.uri().getPort() + "/types/sessions/buckets/web?node=127.0.0.1:"
                + b.uri().getPort() + "&pr=all&requestTimeout=PT3S";
        java.util.concurrent.atomic.AtomicInteger reported = new java.util.concurrent.atomic.AtomicInteger();
        try (SessionManager m = SessionManagers.open(uri, clock, (op, outcome, nanos) -> reported.incrementAndGet())) {
            Session s = m.newSession();
            s.put("n", 1);
            assertTrue(m.put(s));
            assertTrue(m.get(s.id()).isPresent());
            assertTrue(riak.object("sessions", "web", s.id()) != null, "in the bucket the path names");
            assertTrue(b.log.stream().anyMatch(l -> l.contains("pr=all")), "the second node and the setting are used");
        }
        assertTrue(reported.get() >= 2, "create and load were reported");
    }

    @Test
    @DisplayName("the default type is refused as lossy unless siblingPolicy says otherwise")
    void defaultTypeNeedsThePolicy() {
        String base = "riak://127.0.0.1:" + a.uri().getPort();
        assertThrows(SessionStoreException.class, () -> SessionManagers.open(base, clock));
        try (SessionManager m = SessionManagers.open(base + "?siblingPolicy=ACCEPT_LOSSY_LAST_WRITE_WINS", clock)) {
            assertFalse(m.exists("AAAAAAAAAAAAAAAAAAAAAA"));
        }
    }

    @Test
    @DisplayName("unknown settings, other paths and user info are refused; the message never quotes the user info")
    void refusals() {
        String base = "riak://127.0.0.1:" + a.uri().getPort();
        assertEquals("unknown riak: URI setting 'fsync'; known: node, https, r, pr, w, pw, dw, rw, siblingPolicy,"
                + " connectTimeout, requestTimeout", assertThrows(IllegalArgumentException.class,
                        () -> SessionManagers.open(base + "/types/sessions?fsync=always", clock)).getMessage());
        assertEquals("a riak: URI's path is [/types/TYPE][/buckets/BUCKET]", assertThrows(IllegalArgumentException.class,
                () -> SessionManagers.open(base + "/keys/x", clock)).getMessage());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SessionManagers.open("riak://alice:s3cret@127.0.0.1:8098", clock));
        assertFalse(e.getMessage().contains("s3cret") || e.getMessage().contains("alice"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> SessionManagers.open(base + "/types/sessions?node=alice:s3cret@h:1", clock));
        assertThrows(IllegalArgumentException.class, () -> SessionManagers.open(base + "/types/sessions?r=many", clock));
    }
}
