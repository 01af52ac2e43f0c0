package dev.satchel.store.riak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The builder checks each setting when it is made, with an exact message. */
class BuilderTest {

    @Test
    @DisplayName("bad settings are refused at once with a message saying what was wrong")
    void refusals() {
        assertEquals("node URL must be http://host:port or https://host:port, was ftp://x:1",
                assertThrows(IllegalArgumentException.class, () -> RiakSessionManager.builder().node("ftp://x:1"))
                        .getMessage());
        assertEquals("node URL must not have a query, fragment or user info, was http://h:1/?a=b",
                assertThrows(IllegalArgumentException.class, () -> RiakSessionManager.builder().node("http://h:1/?a=b"))
                        .getMessage());
        assertEquals("node http://h:1 was already added", assertThrows(IllegalStateException.class,
                () -> RiakSessionManager.builder().node("http://h:1").node("http://h:1/")).getMessage());
        assertEquals("bucket must be 1 to 128 of [A-Za-z0-9_.~-], was a/b", assertThrows(IllegalArgumentException.class,
                () -> RiakSessionManager.builder().bucket("a/b")).getMessage());
        assertEquals("bucket was already set to s", assertThrows(IllegalStateException.class,
                () -> RiakSessionManager.builder().bucket("s").bucket("t")).getMessage());
        assertEquals("r was already set to quorum", assertThrows(IllegalStateException.class,
                () -> RiakSessionManager.builder().r(Quorum.QUORUM).r(Quorum.ONE)).getMessage());
        assertEquals("request timeout must be positive, was PT0S", assertThrows(IllegalArgumentException.class,
                () -> RiakSessionManager.builder().requestTimeout(Duration.ZERO)).getMessage());
        assertEquals("sweep page size must be between 1 and 10000, was 0", assertThrows(IllegalArgumentException.class,
                () -> RiakSessionManager.builder().sweepPageSize(0)).getMessage());
        assertEquals("the background sweeper was already turned off", assertThrows(IllegalStateException.class,
                () -> RiakSessionManager.builder().withoutBackgroundSweeper().sweepInterval(Duration.ofMinutes(1)))
                        .getMessage());
        assertEquals("at least one node is required", assertThrows(IllegalStateException.class,
                () -> RiakSessionManager.builder().build()).getMessage());
        assertEquals("replicas must not be negative, was -1",
                assertThrows(IllegalArgumentException.class, () -> Quorum.of(-1)).getMessage());
    }

    @Test
    @DisplayName("quorum values print as Riak spells them")
    void quorumSpelling() {
        assertEquals("one", Quorum.ONE.toString());
        assertEquals("3", Quorum.of(3).toString());
        assertEquals("default", Quorum.DEFAULT.toString());
        assertEquals(Quorum.of(2), Quorum.of(2));
    }

    @Test
    @DisplayName("a built manager makes no request until used, and knows its nodes")
    void buildsWithoutTalking() {
        try (RiakSessionManager m = RiakSessionManager.builder().node("http://127.0.0.1:1").node("http://127.0.0.1:2")
                .withoutBackgroundSweeper().build()) {
            assertEquals(2, m.nodes().size());
        }
    }
}
