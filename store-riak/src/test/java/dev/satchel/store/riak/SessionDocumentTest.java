package dev.satchel.store.riak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Session;
import dev.satchel.spi.ChangeSet;
import dev.satchel.spi.SessionAccess;
import dev.satchel.spi.SessionCodec;
import dev.satchel.spi.SessionIds;
import dev.satchel.spi.SessionRecord;
import dev.satchel.spi.UnreadableEntryException;
import dev.satchel.testkit.MutableClock;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The per-field merge of siblings, and the stored form, without any server. */
class SessionDocumentTest {

    private static final long HOUR = Duration.ofHours(1).toMillis();
    private final MutableClock clock = MutableClock.at(Instant.parse("2030-01-01T00:00:00Z"));

    @Test
    @DisplayName("encode then decode gives back the record and the stamps; the core codec reads the same bytes")
    void roundTrip() {
        SessionDocument doc = base();
        byte[] bytes = doc.encode();
        SessionDocument back = SessionDocument.decode(bytes);
        assertEquals(doc.record().attributes(), back.record().attributes());
        assertEquals(doc.stampOf("a"), back.stampOf("a"));
        assertEquals("w0", back.writer());
        assertEquals(doc.record().attributes(), SessionCodec.decode(bytes).attributes(), "extra member ignored");
    }

    @Test
    @DisplayName("concurrent changes to different attributes both survive the merge")
    void differentAttributesMerge() {
        SessionDocument base = base();
        SessionDocument x = apply(base, "x", s -> s.put("x", 1));
        SessionDocument y = apply(base, "y", s -> s.put("y", 2));
        SessionRecord merged = SessionDocument.merge(List.of(x, y)).record();
        assertEquals("1", merged.attribute("x"));
        assertEquals("2", merged.attribute("y"));
        assertEquals("0", merged.attribute("a"));
        assertEquals(Math.max(x.record().version(), y.record().version()), merged.version());
    }

    @Test
    @DisplayName("on the same attribute the later access time wins, whichever sibling comes first")
    void laterWriteWins() {
        SessionDocument base = base();
        SessionDocument early = apply(base, "e", s -> s.put("a", "early"));
        clock.advance(Duration.ofSeconds(1));
        SessionDocument late = apply(base, "l", s -> s.put("a", "late"));
        assertEquals("\"late\"", SessionDocument.merge(List.of(early, late)).record().attribute("a"));
        assertEquals("\"late\"", SessionDocument.merge(List.of(late, early)).record().attribute("a"));
    }

    @Test
    @DisplayName("a write that saw another wins over it even in the same millisecond")
    void causallyLaterWinsInTheSameMillisecond() {
        SessionDocument base = base();
        SessionDocument first = apply(base, "zzz", s -> s.put("a", "first"));
        SessionDocument second = apply(first, "aaa", s -> s.put("a", "second"));
        assertEquals("\"second\"", SessionDocument.merge(List.of(first, second)).record().attribute("a"));
        assertEquals("\"second\"", SessionDocument.merge(List.of(second, first)).record().attribute("a"));
    }

    @Test
    @DisplayName("a removal beats an older value, and a newer value beats an older removal")
    void removalsAreTombstones() {
        SessionDocument base = base();
        clock.advance(Duration.ofSeconds(1));
        SessionDocument removed = apply(base, "r", s -> s.remove("a"));
        assertNull(SessionDocument.merge(List.of(base, removed)).record().attribute("a"));
        assertNull(SessionDocument.merge(List.of(removed, base)).record().attribute("a"));
        clock.advance(Duration.ofSeconds(1));
        SessionDocument readded = apply(base, "n", s -> s.put("a", "again"));
        assertEquals("\"again\"", SessionDocument.merge(List.of(removed, readded)).record().attribute("a"));
        SessionDocument decoded = SessionDocument.decode(removed.encode());
        assertNull(SessionDocument.merge(List.of(decoded, base)).record().attribute("a"), "tombstones are stored");
    }

    @Test
    @DisplayName("tombstones older than the retention are dropped on the next write")
    void tombstonesExpire() {
        SessionDocument removed = apply(base(), "r", s -> s.remove("a"));
        assertTrue(removed.stampOf("a") != null);
        clock.advance(Duration.ofMinutes(61));
        SessionDocument later = apply(removed, "l", s -> s.put("b", 1));
        assertNull(later.stampOf("a"));
    }

    @Test
    @DisplayName("principal and timeouts merge by their own stamps; access time and creation are max and min")
    void metadataMerges() {
        SessionDocument base = base();
        clock.advance(Duration.ofSeconds(1));
        SessionDocument login = apply(base, "p", s -> s.setPrincipal("alice"));
        clock.advance(Duration.ofSeconds(1));
        SessionDocument idle = apply(base, "i", s -> s.setIdleTimeout(Duration.ofMinutes(5)));
        SessionRecord merged = SessionDocument.merge(List.of(idle, login)).record();
        assertEquals("alice", merged.principal());
        assertEquals(Duration.ofMinutes(5).toMillis(), merged.idleTimeoutMillis());
        assertEquals(idle.record().lastAccess(), merged.lastAccess());
        assertEquals(base.record().created(), merged.created());
    }

    @Test
    @DisplayName("hostile documents: siblings of different sessions, a malformed member, trailing garbage")
    void hostileDocuments() {
        SessionDocument a = base();
        SessionDocument other = SessionDocument.created(SessionRecord.builder(a.record().id(), SessionIds.newId())
                .lastAccess(1).idleTimeoutMillis(1000).build(), "o");
        assertThrows(UnreadableEntryException.class, () -> SessionDocument.merge(List.of(a, other)));
        String json = new String(a.encode(), StandardCharsets.UTF_8);
        for (String broken : List.of(json.replace("\"s\":{", "\"s\":["), json.replace("\"w\":\"w0\"", "\"w\":7"),
                json.replace("\"p\":[", "\"p\":[\"x\","), json + "x")) {
            assertThrows(UnreadableEntryException.class,
                    () -> SessionDocument.decode(broken.getBytes(StandardCharsets.UTF_8)), broken);
        }
    }

    @Test
    @DisplayName("a document without the member (another program wrote it) decodes with every field unstamped")
    void foreignDocument() {
        byte[] plain = SessionCodec.encode(base().record());
        SessionDocument d = SessionDocument.decode(plain);
        assertEquals("", d.writer());
        SessionDocument changed = apply(d, "w", s -> s.put("a", "ours"));
        assertEquals("\"ours\"", SessionDocument.merge(List.of(d, changed)).record().attribute("a"));
        assertFalse(changed.stampOf("a").compareTo(d.stampOf("a")) <= 0);
    }

    // ------------------------------------------------------------------ helpers

    private SessionDocument base() {
        SessionRecord r = SessionRecord.builder(SessionIds.newId(), SessionIds.newId()).created(clock.millis())
                .lastAccess(clock.millis()).idleTimeoutMillis(3 * HOUR).attribute("a", "0").build();
        return SessionDocument.created(r, "w0");
    }

    private SessionDocument apply(SessionDocument on, String token, java.util.function.Consumer<Session> change) {
        Session s = SessionAccess.wrap(on.record());
        change.accept(s);
        return on.apply(changesOf(s), token, HOUR);
    }

    /** The session's change set at the clock's time, as a manager hands it to a store's {@code apply}. */
    private ChangeSet changesOf(Session s) {
        return SessionAccess.changes(s, clock.millis());
    }
}
