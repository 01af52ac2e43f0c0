package dev.satchel.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.satchel.Session;
import dev.satchel.spi.SessionIds;
import dev.satchel.SessionManager;
import dev.satchel.spi.StoreSessionManager;
import dev.satchel.store.jdbc.JdbcSessionManager.Dialect;
import dev.satchel.testkit.MutableClock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * What {@code put} accepts reads back exactly — including the JSON that PostgreSQL's {@code jsonb} would
 * have changed — what it refuses (with a clear error, nothing written), and what the store does with rows
 * it did not write: of a newer format, or unreadable.
 */
@ParameterizedClass
@EnumSource(Dialect.class)
@ExtendWith(Databases.class)
class ValuesIT {

    private static final Map<Dialect, HikariDataSource> POOLS = new java.util.EnumMap<>(Dialect.class);

    /** JSON texts that {@code jsonb} normalises: each must read back as these very characters. */
    static final Map<String, String> NORMALISED_BY_JSONB = new LinkedHashMap<>();

    static {
        NORMALISED_BY_JSONB.put("negative zero", "-0.0");
        NORMALISED_BY_JSONB.put("exponent", "1.0E10");
        NORMALISED_BY_JSONB.put("huge exponent", "1E400");
        NORMALISED_BY_JSONB.put("trailing zeros", "0.10");
        NORMALISED_BY_JSONB.put("beyond long", "123456789012345678901234567890");
        NORMALISED_BY_JSONB.put("key order", "{\"b\":1,\"a\":2,\"ab\":3}");
        NORMALISED_BY_JSONB.put("duplicate keys", "{\"a\":1,\"a\":2}");
        NORMALISED_BY_JSONB.put("inner spaces", "[1, {\"x\" : true}]");
        NORMALISED_BY_JSONB.put("escaped NUL", "\"a\\u0000b\"");
        NORMALISED_BY_JSONB.put("NUL deep inside", "{\"k\":[\"\\u0000\"]}");
        NORMALISED_BY_JSONB.put("escaped letter", "\"\\u00e9\\/\"");
    }

    @Parameter
    Dialect dialect;

    private MutableClock clock;
    private TestTable table;
    private SessionManager manager;

    @BeforeEach
    void open() {
        HikariDataSource pool = POOLS.computeIfAbsent(dialect, d -> Databases.server(d).pool("values-" + d, 4));
        table = TestTable.create(dialect, pool, "vals");
        clock = MutableClock.startingNow();
        manager = table.manager(pool).clock(clock).build();
    }

    @AfterEach
    void close() {
        manager.close();
        table.close();
    }

    @AfterAll
    static void closePools() {
        POOLS.values().forEach(HikariDataSource::close);
        POOLS.clear();
    }

    @Test
    @DisplayName("JSON that jsonb would normalise reads back as the same text, on create and on merge")
    void exactTextReadsBack() {
        Session s = manager.newSession();
        NORMALISED_BY_JSONB.forEach((name, json) -> s.putJson("created " + name, json));
        assertTrue(manager.put(s));
        Session changed = manager.get(s.id()).orElseThrow();
        NORMALISED_BY_JSONB.forEach((name, json) -> changed.putJson("merged " + name, json));
        assertTrue(manager.put(changed));
        Session loaded = manager.get(s.id()).orElseThrow();
        NORMALISED_BY_JSONB.forEach((name, json) -> {
            assertEquals(json, loaded.getJson("created " + name), name);
            assertEquals(json, loaded.getJson("merged " + name), name);
        });
        assertEquals(Double.class, loaded.get("merged exponent").getClass(), "1.0E10 stays a double");
        assertEquals(-0.0, loaded.get("merged negative zero"));
    }

    @Test
    @DisplayName("PostgreSQL's jsonb does change those texts (why attributes are stored as JSON text in strings)")
    void jsonbWouldChangeThem() {
        if (dialect != Dialect.POSTGRESQL) {
            return; // MariaDB's JSON is text; what it does to values is covered above
        }
        assertEquals("0.0", table.text("SELECT '-0.0'::jsonb::text"));
        assertEquals("10000000000", table.text("SELECT '1.0E10'::jsonb::text"));
        assertEquals("{\"a\": 2, \"b\": 1, \"ab\": 3}", table.text("SELECT '{\"b\":1,\"a\":2,\"ab\":3}'::jsonb::text"));
        assertEquals("{\"a\": 2}", table.text("SELECT '{\"a\":1,\"a\":2}'::jsonb::text"));
        AssertionError nul = assertThrows(AssertionError.class, () -> table.text("SELECT '\"a\\u0000b\"'::jsonb::text"));
        assertTrue(nul.getMessage().contains("\\u0000"), nul.getMessage());
    }

    @Test
    @DisplayName("an attribute name holding U+0000: refused at put on PostgreSQL (nothing written), kept on MariaDB")
    void nulInName() {
        Session s = manager.newSession();
        s.put("a\u0000b", 1);
        if (dialect == Dialect.POSTGRESQL) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> manager.put(s));
            assertTrue(e.getMessage().contains("U+0000"), e.getMessage());
            assertFalse(table.exists(s.id()));
            Session stored = stored(x -> x.put("ok", 1));
            Session change = manager.get(stored.id()).orElseThrow();
            change.put("ok", 2);
            change.put("bad\u0000", 3);
            assertThrows(IllegalArgumentException.class, () -> manager.put(change));
            assertEquals(1, manager.get(stored.id()).orElseThrow().get("ok"), "the whole change refused");
            Session removal = manager.get(stored.id()).orElseThrow();
            removal.remove("bad\u0000");
            assertTrue(manager.put(removal), "removing such a name is a no-op, not an error");
        } else {
            assertTrue(manager.put(s));
            assertEquals(1, manager.get(s.id()).orElseThrow().get("a\u0000b"));
        }
    }

    @Test
    @DisplayName("an unpaired surrogate in the principal: refused at put, nothing written")
    void unpairedSurrogateInPrincipal() {
        Session p = manager.newSession();
        p.setPrincipal("al\uDC00ice");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> manager.put(p));
        assertTrue(e.getMessage().contains("surrogate"), e.getMessage());
        assertFalse(table.exists(p.id()));
        Session ok = stored(x -> x.setPrincipal("😀 paired"));
        assertEquals("😀 paired", manager.get(ok.id()).orElseThrow().principal().orElseThrow());
    }

    @Test
    @DisplayName("a principal of 512 characters is kept; a longer one is refused at put, nothing written")
    void principalLength() {
        String longest = "p".repeat(JdbcSessionManager.MAX_PRINCIPAL_LENGTH);
        Session s = stored(x -> x.setPrincipal(longest));
        assertEquals(longest, manager.get(s.id()).orElseThrow().principal().orElseThrow());
        Session change = manager.get(s.id()).orElseThrow();
        change.setPrincipal(longest + "p");
        change.put("x", 1);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> manager.put(change));
        assertTrue(e.getMessage().contains("512"), e.getMessage());
        assertFalse(manager.get(s.id()).orElseThrow().contains("x"));
        Session unicode = stored(x -> x.setPrincipal("ключ 😀".repeat(70)));
        assertEquals("ключ 😀".repeat(70), manager.get(unicode.id()).orElseThrow().principal().orElseThrow());
    }

    @Test
    @DisplayName("a row of a newer format is absent to this code and never touched: not by get, put, or sweep")
    void newerFormatIsLeftAlone() {
        String id = SessionIds.newId();
        table.insertRaw(id, SessionIds.newId(), 2, "{\"future\": \"\\\"x\\\"\"}", 0);
        assertTrue(manager.get(id).isEmpty());
        assertFalse(manager.exists(id));
        assertEquals(0, StoreSessionManager.sweepNow(manager), "expired long ago, but not ours to delete");
        assertTrue(table.exists(id));
        Session s = stored(x -> x.put("n", 1));
        Session stale = manager.get(s.id()).orElseThrow();
        stale.put("n", 2);
        table.execute("UPDATE {t} SET format_version = 2 WHERE id = '" + s.id() + "'"); // a newer node rewrote it
        assertFalse(manager.put(stale), "not ours to merge into");
        Map<String, Object> row = table.row(s.id());
        assertEquals(2, ((Number) row.get("format_version")).intValue());
        assertEquals(1L, ((Number) row.get("version")).longValue(), "unchanged");
        manager.remove(id);
        assertFalse(table.exists(id), "remove (a logout) still deletes it");
    }

    @Test
    @DisplayName("unreadable rows read as absent, are deleted, and leave other sessions alone")
    void unreadableRows() {
        Session good = stored(x -> x.put("a", 1));
        Map<String, String[]> rows = new LinkedHashMap<>();
        rows.put("value not a string", new String[] {SessionIds.newId(), "{\"a\": 1}"});
        rows.put("string not JSON", new String[] {SessionIds.newId(), "{\"a\": \"{not json\"}"});
        rows.put("two values", new String[] {SessionIds.newId(), "{\"a\": \"1 2\"}"});
        rows.put("nested too deep", new String[] {SessionIds.newId(),
            "{\"a\": \"" + "[".repeat(201) + "]".repeat(201) + "\"}"});
        rows.put("bad randval", new String[] {SessionIds.newId(), "{}"});
        rows.forEach((what, r) -> table.insertRaw(r[0], what.equals("bad randval") ? "!".repeat(22)
                : SessionIds.newId(), 1, r[1], Long.MAX_VALUE / 2));
        rows.forEach((what, r) -> {
            assertTrue(manager.get(r[0]).isEmpty(), what);
            assertFalse(table.exists(r[0]), what + ": deleted");
        });
        assertEquals(1, manager.get(good.id()).orElseThrow().get("a"));
        String id = SessionIds.newId();
        table.insertRaw(id, SessionIds.newId(), 1, "{\"a\": \"\\\"readable\\\"\"}", Long.MAX_VALUE / 2);
        assertEquals("readable", manager.get(id).orElseThrow().get("a"), "a well-formed foreign row reads");
        Session foreign = manager.get(id).orElseThrow();
        foreign.put("b", 2);
        // Made unreadable behind this request's back: whatever the put answers (the MariaDB merge cannot tell
        // without reading the row), the row never reads as a session again and is gone after the next read.
        table.execute("UPDATE {t} SET attributes = " + (dialect == Dialect.POSTGRESQL ? "'{\"a\": 1}'::jsonb"
                : "'{\"a\": 1}'") + " WHERE id = '" + id + "'");
        manager.put(foreign);
        assertTrue(manager.get(id).isEmpty());
        assertFalse(table.exists(id));
    }

    @Test
    @DisplayName("an idle timeout that never ends and no deadline: the row never expires and merges still work")
    void endlessSession() {
        Session s = stored(x -> {
            x.setIdleTimeout(Duration.ofMillis(Long.MAX_VALUE));
            x.setAbsoluteTimeout(null);
            x.put("a", 1);
        });
        assertEquals(Long.MAX_VALUE, ((Number) table.row(s.id()).get("expires_at_ms")).longValue());
        clock.advance(Duration.ofDays(365 * 100));
        Session later = manager.get(s.id()).orElseThrow();
        later.put("a", 2);
        assertTrue(manager.put(later));
        Map<String, Object> row = table.row(s.id());
        assertEquals(Long.MAX_VALUE, ((Number) row.get("expires_at_ms")).longValue());
        assertEquals(null, row.get("deadline_ms"));
        assertEquals(2, manager.get(s.id()).orElseThrow().get("a"));
    }

    @Test
    @DisplayName("a change that ends the session (a deadline already past) deletes the row")
    void changeThatEndsTheSession() {
        Session s = stored(x -> x.setAbsoluteTimeout(Duration.ofHours(1)));
        clock.advance(Duration.ofMinutes(20));
        Session late = manager.get(s.id()).orElseThrow();
        late.setAbsoluteTimeout(Duration.ofMinutes(10)); // ended 20 minutes ago
        assertFalse(manager.put(late));
        assertFalse(table.exists(s.id()));
    }

    private Session stored(java.util.function.Consumer<Session> fill) {
        Session s = manager.newSession();
        fill.accept(s);
        assertTrue(manager.put(s));
        return s;
    }
}
