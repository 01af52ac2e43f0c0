package dev.satchel.store.riak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import dev.satchel.Session;
import dev.satchel.SessionManager;
import dev.satchel.SessionStoreException;
import dev.satchel.SessionStoreUnavailableException;
import dev.satchel.spi.StoreMetrics;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.slf4j.LoggerFactory;

/** The builder follows BuilderRules, checks each setting when it is made, and never quotes a URL's user info. */
class BuilderTest {

    private static RiakSessionManager.Builder builder() {
        return RiakSessionManager.builder();
    }

    @Test
    @DisplayName("a second call to a setter is refused with an exact message")
    void secondCallsAreRefused() {
        assertSecond("bucket was already set to s", b -> b.bucket("s").bucket("t"));
        assertSecond("bucket type was already set to sessions", b -> b.bucketType("sessions").bucketType("x"));
        assertSecond("r was already set to quorum", b -> b.r(Quorum.QUORUM).r(Quorum.ONE));
        assertSecond("pr was already set to all", b -> b.pr(Quorum.ALL).pr(Quorum.ALL));
        assertSecond("w was already set to 2", b -> b.w(Quorum.of(2)).w(Quorum.ONE));
        assertSecond("pw was already set to quorum", b -> b.pw(Quorum.QUORUM).pw(Quorum.ALL));
        assertSecond("dw was already set to one", b -> b.dw(Quorum.ONE).dw(Quorum.ONE));
        assertSecond("rw was already set to default", b -> b.rw(Quorum.DEFAULT).rw(Quorum.ONE));
        assertSecond("sibling policy was already set to REQUIRE_SIBLINGS", b -> b
                .siblingPolicy(RiakSessionManager.SiblingPolicy.REQUIRE_SIBLINGS)
                .siblingPolicy(RiakSessionManager.SiblingPolicy.ACCEPT_LOSSY_LAST_WRITE_WINS));
        assertSecond("connect timeout was already set to PT1S",
                b -> b.connectTimeout(Duration.ofSeconds(1)).connectTimeout(Duration.ofSeconds(2)));
        assertSecond("request timeout was already set to PT1S",
                b -> b.requestTimeout(Duration.ofSeconds(1)).requestTimeout(Duration.ofSeconds(2)));
        assertSecond("node retry interval was already set to PT1S",
                b -> b.nodeRetryAfter(Duration.ofSeconds(1)).nodeRetryAfter(Duration.ofSeconds(2)));
        assertSecond("clock was already set to SystemClock[Z]", b -> b.clock(Clock.systemUTC()).clock(Clock.systemUTC()));
        assertSecond("sweep interval was already set to PT0S",
                b -> b.withoutBackgroundSweeper().sweepInterval(Duration.ofMinutes(1)));
        assertSecond("sweep interval was already set to PT1M",
                b -> b.sweepInterval(Duration.ofMinutes(1)).withoutBackgroundSweeper());
        assertSecond("index page size was already set to 2", b -> b.indexPageSize(2).indexPageSize(3));
        assertSecond("metrics was already set to " + StoreMetrics.NONE,
                b -> b.metrics(StoreMetrics.NONE).metrics(StoreMetrics.NONE));
        assertSecond("tombstone retention was already set to PT1H",
                b -> b.tombstoneRetention(Duration.ofHours(1)).tombstoneRetention(Duration.ofHours(2)));
        assertSecond("node http://h:1 was already added", b -> b.node("http://h:1").node("http://h:1/"));
        assertSecond("node http://h:1 was already added", b -> b.nodes(List.of("http://h:1", "http://h:1")));
    }

    @Test
    @DisplayName("null is a NullPointerException naming the parameter")
    void nullsNameTheParameter() {
        assertNull("baseUrl", b -> b.node(null));
        assertNull("baseUrls", b -> b.nodes(null));
        assertNull("baseUrl", b -> b.nodes(Arrays.asList("http://h:1", null)));
        assertNull("bucket", b -> b.bucket(null));
        assertNull("bucketType", b -> b.bucketType(null));
        assertNull("r", b -> b.r(null));
        assertNull("pr", b -> b.pr(null));
        assertNull("w", b -> b.w(null));
        assertNull("pw", b -> b.pw(null));
        assertNull("dw", b -> b.dw(null));
        assertNull("rw", b -> b.rw(null));
        assertNull("policy", b -> b.siblingPolicy(null));
        assertNull("timeout", b -> b.connectTimeout(null));
        assertNull("timeout", b -> b.requestTimeout(null));
        assertNull("interval", b -> b.nodeRetryAfter(null));
        assertNull("clock", b -> b.clock(null));
        assertNull("interval", b -> b.sweepInterval(null));
        assertNull("retention", b -> b.tombstoneRetention(null));
        assertNull("metrics", b -> b.metrics(null));
    }

    @Test
    @DisplayName("bad values are refused at once with a message saying what was wrong")
    void badValuesAreRefused() {
        assertBad("node URL must be http://host:port or https://host:port, was ftp://x:1", b -> b.node("ftp://x:1"));
        assertBad("node URL must not have a query or fragment, was http://h:1/?a=b", b -> b.node("http://h:1/?a=b"));
        assertBad("bucket must be 1 to 128 of [A-Za-z0-9_.~-], was a/b", b -> b.bucket("a/b"));
        assertBad("bucket type must be 1 to 128 of [A-Za-z0-9_.~-], was ", b -> b.bucketType(""));
        assertBad("request timeout must be positive, was PT0S", b -> b.requestTimeout(Duration.ZERO));
        assertBad("sweep interval must be positive, was PT-1S", b -> b.sweepInterval(Duration.ofSeconds(-1)));
        assertBad("index page size must be between 1 and 10000, was 0", b -> b.indexPageSize(0));
        assertEquals("replicas must not be negative, was -1",
                assertThrows(IllegalArgumentException.class, () -> Quorum.of(-1)).getMessage());
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"http://alice:s3cret@h:1", "ftp://alice:s3cret@h:1", "http://alice:s3cret@h:1/?q=1",
        "http://alice:s3cret@h:1/#f", "http://alice:s3cret@h :1", "alice:s3cret@h:1", "http://alice:s3/cret@h:1",
        "http://alice:s3cret@@h:1", "http://ali ce:s3cret@h:1"})
    @DisplayName("a refused node URL's user info is never quoted, in the message, a cause or a log")
    void userInfoIsNeverQuoted(String url) {
        List<ILoggingEvent> logged = captureLogs(() -> {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> builder().node(url));
            for (Throwable t = e; t != null; t = t.getCause()) {
                assertFalse(String.valueOf(t.getMessage()).contains("alice"), t.getMessage());
                assertFalse(String.valueOf(t.getMessage()).contains("s3"), t.getMessage());
                assertFalse(String.valueOf(t.getMessage()).contains("cret"), t.getMessage());
            }
            assertTrue(e.getMessage().contains("…@h"), "the rest is shown: " + e.getMessage());
            assertThrows(IllegalArgumentException.class, () -> builder().nodes(List.of("http://ok:1", url)));
        });
        for (ILoggingEvent event : logged) {
            String text = event.getFormattedMessage()
                    + (event.getThrowableProxy() == null ? "" : ThrowableProxyUtil.asString(event.getThrowableProxy()));
            assertFalse(text.contains("s3cret") || text.contains("alice"), text);
        }
    }

    @Test
    @DisplayName("a refused list of nodes adds none of them; build() without a node is refused")
    void nodesAreAllOrNothing() {
        RiakSessionManager.Builder b = builder();
        assertThrows(IllegalArgumentException.class, () -> b.nodes(List.of("http://a:1", "ftp://b:2")));
        assertEquals("at least one node is required", assertThrows(IllegalStateException.class, b::build).getMessage());
        b.node("http://a:1"); // not refused as already added: the list added nothing
    }

    @Test
    @DisplayName("build() never changes the builder: it builds twice, and after a refusal the builder can be completed")
    void buildDoesNotChangeTheBuilder() throws Exception {
        try (RiakStandIn riak = new RiakStandIn()) {
            RiakSessionManager.Builder b = builder().node(riak.startNode().url()).withoutBackgroundSweeper();
            // Refused: the default bucket type has allow_mult=false and no sibling policy was set...
            assertThrows(SessionStoreException.class, b::build);
            // ...and build() did not fill in the default policy: it can still be set.
            b.siblingPolicy(RiakSessionManager.SiblingPolicy.ACCEPT_LOSSY_LAST_WRITE_WINS);
            try (SessionManager one = b.build(); SessionManager two = b.build()) {
                Session s = one.newSession();
                s.put("a", 1);
                assertTrue(one.put(s));
                assertEquals(1, two.get(s.id()).orElseThrow().get("a"), "same bucket, same settings");
            }
            b.bucket("other"); // build() did not fill in the default bucket either
        }
    }

    @Test
    @DisplayName("no node answering at build(): built all the same; the first operations make the check, and fail as it does")
    void bucketIsCheckedOnFirstUseWhenRiakWasAway() throws Exception {
        try (RiakStandIn riak = new RiakStandIn().createBucketType("sessions", true)) {
            RiakStandIn.Node node = riak.startNode();
            node.stop();
            try (SessionManager lossy = builder().node(node.url()).withoutBackgroundSweeper().build();
                    SessionManager typed = builder().node(node.url()).bucketType("sessions").withoutBackgroundSweeper()
                            .nodeRetryAfter(Duration.ofMillis(1)).build()) {
                String sid = "AAAAAAAAAAAAAAAAAAAAAA";
                SessionStoreUnavailableException away = assertThrows(SessionStoreUnavailableException.class,
                        () -> lossy.exists(sid));
                assertTrue(away.getMessage().startsWith("no Riak node served GET"), away.getMessage());
                node.restart();
                SessionStoreException refused = assertThrows(SessionStoreException.class, () -> lossy.exists(sid));
                assertTrue(refused.getMessage().contains("has allow_mult=false"), refused.getMessage());
                assertThrows(SessionStoreException.class, () -> lossy.get(sid), "and again: it never passed");
                Session s = typed.newSession();
                s.put("a", 1);
                assertTrue(typed.put(s), "the type that keeps siblings passes the check made now");
                assertTrue(node.log.stream().filter(l -> l.startsWith("GET /types/sessions/buckets/sessions/props"))
                        .count() == 1, "checked once: " + node.log);
            }
        }
    }

    @Test
    @DisplayName("quorum values print as Riak spells them")
    void quorumSpelling() {
        assertEquals("one", Quorum.ONE.toString());
        assertEquals("3", Quorum.of(3).toString());
        assertEquals("default", Quorum.DEFAULT.toString());
        assertEquals(Quorum.of(2), Quorum.of(2));
        assertEquals(2, Quorum.QUORUM.replicas(3));
        assertEquals(3, Quorum.ALL.replicas(3));
        assertEquals(0, Quorum.DEFAULT.replicas(3));
    }

    private static void assertSecond(String message, Consumer<RiakSessionManager.Builder> calls) {
        assertEquals(message, assertThrows(IllegalStateException.class, () -> calls.accept(builder())).getMessage());
    }

    private static void assertNull(String parameter, Consumer<RiakSessionManager.Builder> call) {
        assertEquals(parameter, assertThrows(NullPointerException.class, () -> call.accept(builder())).getMessage());
    }

    private static void assertBad(String message, Consumer<RiakSessionManager.Builder> call) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, () -> call.accept(builder())).getMessage());
    }

    private static List<ILoggingEvent> captureLogs(Runnable body) {
        Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> captured = new ListAppender<>();
        Level previous = root.getLevel();
        root.setLevel(Level.TRACE);
        captured.start();
        root.addAppender(captured);
        try {
            body.run();
        } finally {
            root.detachAppender(captured);
            root.setLevel(previous);
        }
        return captured.list;
    }
}
