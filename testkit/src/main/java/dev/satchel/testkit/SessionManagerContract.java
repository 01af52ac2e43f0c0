package dev.satchel.testkit;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.satchel.CookieSpec;
import dev.satchel.HttpSessions;
import dev.satchel.PrincipalIndex;
import dev.satchel.Session;
import dev.satchel.SessionManager;
import dev.satchel.SessionTooLargeException;
import dev.satchel.SigningKeys;
import dev.satchel.spi.SessionAccess;
import dev.satchel.spi.SessionCodec;
import dev.satchel.spi.SessionIds;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.core.type.TypeReference;

/**
 * The behaviour every {@link SessionManager} must have: the numbered rules of its Javadoc, checked one by
 * one. A store's test class extends this, supplies {@link #createManager}, and adds only what is special
 * to that store; a third-party store can do the same by depending on {@code satchel-testkit}.
 *
 * <pre>{@code
 * class MyStoreTest extends SessionManagerContract {
 *     @Override protected SessionManager createManager(Clock clock) {
 *         return MyStore.builder().clock(clock).build();
 *     }
 *     @Override protected StoreBackdoor backdoor() {
 *         return new MyStoreBackdoor(...);   // optional: enables the tests that look at the store itself
 *     }
 * }
 * }</pre>
 *
 * <p>Each test gets a fresh manager over an empty store, and a {@link MutableClock} that starts at
 * {@link #startTime()} and only moves when the test moves it; the manager is closed afterwards. Tests that
 * need a {@link StoreBackdoor} or a {@link PrincipalIndex} are skipped, with a reason, for managers
 * without one.
 */
public abstract class SessionManagerContract {

    /** The clock the manager under test was created with. */
    protected MutableClock clock;
    /** The manager under test, fresh for every test. */
    protected SessionManager manager;

    /**
     * Returns a manager over an empty store that reads time only from {@code clock}. Called before each test.
     */
    protected abstract SessionManager createManager(Clock clock) throws Exception;

    /** A backdoor into the store under {@link #manager}, or {@code null} when there is none (the default). */
    protected StoreBackdoor backdoor() {
        return null;
    }

    /** Where the clock starts; the current time by default, which stores with a server-side TTL need. */
    protected Instant startTime() {
        return Instant.now();
    }

    /** Threads used by the concurrency tests. */
    protected int concurrentThreads() {
        return 4;
    }

    /** Rounds each thread runs in the concurrency tests. */
    protected int concurrentRounds() {
        return 50;
    }

    /**
     * A second manager over the same store as {@link #manager} — another node, or another process's view —
     * reading time from the same {@code clock}; {@code null} (the default) when the store cannot be shared,
     * which skips the two-node cases. Closed after each test.
     */
    protected SessionManager createSecondManager(Clock clock) throws Exception {
        return null;
    }

    @BeforeEach
    final void openManager() throws Exception {
        clock = MutableClock.at(startTime());
        manager = createManager(clock);
    }

    @AfterEach
    final void closeManager() {
        if (second != null) {
            second.close();
            second = null;
        }
        if (manager != null) {
            manager.close();
        }
    }

    private SessionManager second;

    // ------------------------------------------------------------------ new sessions and round trips

    @Test
    @DisplayName("a new session has a valid id, is new, empty and not stored until put")
    void newSessionIsNotStoredUntilPut() {
        Session s = manager.newSession();
        assertTrue(SessionIds.isValid(s.id()));
        assertTrue(s.isNew());
        assertTrue(s.attributeNames().isEmpty());
        assertFalse(manager.exists(s.id()));
        assertTrue(manager.get(s.id()).isEmpty());
    }

    @Test
    @DisplayName("new sessions get distinct ids")
    void newSessionIdsAreDistinct() {
        Set<String> ids = new HashSet<>();
        for (int i = 0; i < 1000; i++) {
            assertTrue(ids.add(manager.newSession().id()));
        }
    }

    @Test
    @DisplayName("put stores a new session; get returns it, no longer new")
    void putCreatesAndGetReturns() {
        Session s = manager.newSession();
        s.put("user", "alice");
        assertTrue(manager.put(s));
        assertFalse(s.isNew());
        assertFalse(s.isModified());
        assertTrue(manager.exists(s.id()));
        Session loaded = load(s.id());
        assertFalse(loaded.isNew());
        assertEquals(s.id(), loaded.id());
        assertEquals("alice", loaded.get("user"));
    }

    @Test
    @DisplayName("every get returns an independent working copy")
    void getReturnsIndependentCopies() {
        String sid = stored(s -> s.put("n", 1)).id();
        Session a = load(sid);
        Session b = load(sid);
        assertNotSame(a, b);
        a.put("n", 2);
        a.put("only-a", true);
        assertEquals(1, b.get("n"));
        assertFalse(b.contains("only-a"));
        assertEquals(1, load(sid).get("n"), "changes are invisible to others until put");
    }

    @Test
    @DisplayName("creation and access times come from the injected clock")
    void timesComeFromTheClock() {
        Instant created = clock.instant();
        Session s = stored(x -> x.put("a", 1));
        clock.advance(Duration.ofMinutes(3));
        Session loaded = load(s.id());
        assertEquals(created, loaded.createdAt());
        assertEquals(created, loaded.lastAccessedAt());
        assertTrue(manager.put(loaded));
        assertEquals(created.plus(Duration.ofMinutes(3)), load(s.id()).lastAccessedAt());
        assertEquals(created, load(s.id()).createdAt());
    }

    @Test
    @DisplayName("strings round-trip exactly, all of Unicode included")
    void stringsRoundTrip() {
        StringBuilder everyCodePoint = new StringBuilder();
        for (int cp = 0; cp <= Character.MAX_CODE_POINT; cp++) {
            if (cp < Character.MIN_SURROGATE || cp > Character.MAX_SURROGATE) {
                everyCodePoint.appendCodePoint(cp);
            }
        }
        Map<String, String> values = new LinkedHashMap<>();
        values.put("empty", "");
        values.put("ascii", "hello, world");
        values.put("quotes", "\"quoted\" \\ back\\slash / slash");
        values.put("controls", "\u0000\u0001\t\n\r\u001f\u007f");
        values.put("separators", "\u2028\u2029");
        values.put("astral", "😀 𝄞 𠜎");
        values.put("every", everyCodePoint.toString());
        String sid = stored(s -> values.forEach(s::put)).id();
        Session loaded = load(sid);
        values.forEach((k, v) -> assertEquals(v, loaded.get(k), k));
        values.forEach((k, v) -> assertEquals(v, loaded.get(k, String.class), k));
    }

    @Test
    @DisplayName("integers round-trip exactly at their edges")
    void integersRoundTrip() {
        long[] longs = {0, 1, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, 1L << 53, (1L << 53) + 1,
            Long.MAX_VALUE, Long.MIN_VALUE};
        String sid = stored(s -> {
            for (int i = 0; i < longs.length; i++) {
                s.put("l" + i, longs[i]);
            }
        }).id();
        Session loaded = load(sid);
        for (int i = 0; i < longs.length; i++) {
            assertEquals(longs[i], loaded.get("l" + i, Long.class));
            assertEquals(longs[i], ((Number) loaded.get("l" + i)).longValue());
        }
        assertEquals(Integer.class, loaded.get("l1").getClass(), "small numbers read back as Integer");
        assertEquals(Long.class, loaded.get("l7").getClass(), "large numbers read back as Long");
    }

    @Test
    @DisplayName("doubles round-trip exactly at their edges, non-finite ones included")
    void doublesRoundTrip() {
        double[] doubles = {0.0, -0.0, 0.1, -1.5, Math.PI, Double.MIN_VALUE, Double.MIN_NORMAL, Double.MAX_VALUE,
            -Double.MAX_VALUE, 1e-300, 123456789.123456789, Double.NaN, Double.POSITIVE_INFINITY,
            Double.NEGATIVE_INFINITY};
        String sid = stored(s -> {
            for (int i = 0; i < doubles.length; i++) {
                s.put("d" + i, doubles[i]);
            }
        }).id();
        Session loaded = load(sid);
        for (int i = 0; i < doubles.length; i++) {
            assertEquals(Double.doubleToRawLongBits(doubles[i]),
                    Double.doubleToRawLongBits(loaded.get("d" + i, Double.class)), "d" + i + " = " + doubles[i]);
        }
        assertEquals(-0.0, loaded.get("d1"));
    }

    @Test
    @DisplayName("booleans and null round-trip; null is present, not absent")
    void booleansAndNullRoundTrip() {
        String sid = stored(s -> {
            s.put("t", true);
            s.put("f", false);
            s.put("nothing", null);
        }).id();
        Session loaded = load(sid);
        assertEquals(Boolean.TRUE, loaded.get("t"));
        assertEquals(Boolean.FALSE, loaded.get("f", Boolean.class));
        assertTrue(loaded.contains("nothing"));
        assertNull(loaded.get("nothing"));
        assertEquals("null", loaded.getJson("nothing"));
        assertFalse(loaded.contains("missing"));
    }

    @Test
    @DisplayName("nested lists and maps round-trip")
    void nestedStructuresRoundTrip() {
        Map<String, Object> nested = new LinkedHashMap<>();
        nested.put("list", List.of(1, "two", 3.5, false, List.of(), Map.of()));
        nested.put("map", Map.of("inner", Map.of("deeper", List.of(List.of(List.of("x"))))));
        nested.put("nullInList", new ArrayList<>(java.util.Arrays.asList(null, 1)));
        String sid = stored(s -> s.put("tree", nested)).id();
        assertEquals(nested, load(sid).get("tree"));
        assertEquals(nested, load(sid).get("tree", new TypeReference<Map<String, Object>>() {}));
    }

    /** A plain value type, read back by class. */
    public static final class Item {
        public String sku;
        public int quantity;
        public List<String> tags;

        public Item() {}

        Item(String sku, int quantity, List<String> tags) {
            this.sku = sku;
            this.quantity = quantity;
            this.tags = tags;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Item && ((Item) o).sku.equals(sku) && ((Item) o).quantity == quantity
                    && ((Item) o).tags.equals(tags);
        }

        @Override
        public int hashCode() {
            return sku.hashCode();
        }
    }

    @Test
    @DisplayName("POJOs read back by class and by TypeReference")
    void pojosRoundTrip() {
        Item one = new Item("A-1", 2, List.of("red"));
        List<Item> cart = List.of(one, new Item("B-2", 1, List.of()));
        String sid = stored(s -> {
            s.put("item", one);
            s.put("cart", cart);
        }).id();
        Session loaded = load(sid);
        assertEquals(one, loaded.get("item", Item.class));
        assertEquals(cart, loaded.get("cart", new TypeReference<List<Item>>() {}));
        assertEquals(Map.of("sku", "A-1", "quantity", 2, "tags", List.of("red")), loaded.get("item"));
    }

    @Test
    @DisplayName("a 1 MB value round-trips")
    void largeValueRoundTrips() {
        StringBuilder big = new StringBuilder(1 << 20);
        for (int i = 0; big.length() < (1 << 20); i++) {
            big.append(Integer.toString(i, 36)).append(i % 7 == 0 ? 'é' : ' ');
        }
        List<Integer> numbers = new ArrayList<>();
        for (int i = 0; i < 100_000; i++) {
            numbers.add(i * 31);
        }
        String sid = stored(s -> {
            s.put("big", big.toString());
            s.put("numbers", numbers);
        }).id();
        Session loaded = load(sid);
        assertEquals(big.toString(), loaded.get("big"));
        assertEquals(numbers, loaded.get("numbers"));
    }

    @Test
    @DisplayName("attribute names are data: dots, slashes, spaces, Unicode and empty names round-trip")
    void unusualAttributeNamesRoundTrip() {
        List<String> names = List.of("", "a.b", "../../etc/passwd", "with space", "ключ", "😀", "\"quote", "a:b", "0");
        String sid = stored(s -> names.forEach(n -> s.put(n, n.length()))).id();
        Session loaded = load(sid);
        assertEquals(new HashSet<>(names), loaded.attributeNames());
        names.forEach(n -> assertEquals(n.length(), loaded.get(n), n));
    }

    // ------------------------------------------------------------------ changes

    @Test
    @DisplayName("a removed attribute is gone after put")
    void removedAttributeIsGone() {
        String sid = stored(s -> {
            s.put("keep", 1);
            s.put("drop", 2);
        }).id();
        Session s = load(sid);
        s.remove("drop");
        assertTrue(manager.put(s));
        Session loaded = load(sid);
        assertEquals(Set.of("keep"), loaded.attributeNames());
        assertNull(loaded.get("drop"));
    }

    @Test
    @DisplayName("clear removes every attribute")
    void clearRemovesEverything() {
        String sid = stored(s -> {
            s.put("a", 1);
            s.put("b", 2);
        }).id();
        Session s = load(sid);
        s.clear();
        assertTrue(manager.put(s));
        assertTrue(load(sid).attributeNames().isEmpty());
        assertTrue(manager.exists(sid), "clearing data does not remove the session");
    }

    @Test
    @DisplayName("a session reports the names it set and removed, and starts clean after put")
    void changeBookkeeping() {
        String sid = stored(s -> s.put("old", 0)).id();
        Session s = load(sid);
        assertFalse(s.isModified());
        s.put("new", 1);
        s.remove("old");
        s.put("temp", 2);
        s.remove("temp");
        assertTrue(s.isModified());
        assertEquals(Set.of("new"), s.changedAttributeNames());
        assertEquals(Set.of("old", "temp"), s.removedAttributeNames());
        assertTrue(manager.put(s));
        assertFalse(s.isModified());
        assertTrue(s.changedAttributeNames().isEmpty());
        assertTrue(s.removedAttributeNames().isEmpty());
        assertEquals(Set.of("new"), s.attributeNames());
    }

    @Test
    @DisplayName("the version grows with every stored change")
    void versionGrows() {
        Session s = stored(x -> x.put("a", 1));
        long first = SessionAccess.record(s).version();
        Session loaded = load(s.id());
        loaded.put("a", 2);
        assertTrue(manager.put(loaded));
        assertTrue(SessionAccess.record(loaded).version() > first);
        assertEquals(SessionAccess.record(loaded).version(), SessionAccess.record(load(s.id())).version());
    }

    @Test
    @DisplayName("the principal round-trips and can be cleared")
    void principalRoundTrips() {
        String sid = stored(s -> s.setPrincipal("alice")).id();
        assertEquals("alice", load(sid).principal().orElseThrow());
        Session s = load(sid);
        s.setPrincipal(null);
        assertTrue(manager.put(s));
        assertTrue(load(sid).principal().isEmpty());
    }

    @Test
    @DisplayName("a put that changes nothing still records the access")
    void emptyPutIsATouch() {
        String sid = stored(s -> s.put("a", 1)).id();
        clock.advance(Duration.ofMinutes(20));
        Session s = load(sid);
        assertTrue(manager.put(s));
        assertEquals(clock.instant(), load(sid).lastAccessedAt());
        assertEquals(1, load(sid).get("a"));
    }

    // ------------------------------------------------------------------ merge (rule 2)

    @Test
    @DisplayName("two copies changing different attributes both keep their change")
    void differentAttributesMerge() {
        String sid = stored(s -> s.put("base", 0)).id();
        Session a = load(sid);
        Session b = load(sid);
        a.put("a", "from a");
        b.put("b", "from b");
        assertTrue(manager.put(a));
        assertTrue(manager.put(b));
        Session loaded = load(sid);
        assertEquals("from a", loaded.get("a"));
        assertEquals("from b", loaded.get("b"));
        assertEquals(0, loaded.get("base"));
    }

    @Test
    @DisplayName("the later put wins on the same attribute")
    void sameAttributeLaterPutWins() {
        String sid = stored(s -> s.put("x", "original")).id();
        Session a = load(sid);
        Session b = load(sid);
        a.put("x", "first");
        b.put("x", "second");
        assertTrue(manager.put(a));
        assertTrue(manager.put(b));
        assertEquals("second", load(sid).get("x"));
    }

    @Test
    @DisplayName("a removal in one copy and a set in another both apply")
    void removalAndSetMerge() {
        String sid = stored(s -> {
            s.put("x", 1);
            s.put("y", 1);
        }).id();
        Session a = load(sid);
        Session b = load(sid);
        a.remove("x");
        b.put("y", 2);
        b.put("z", 3);
        assertTrue(manager.put(a));
        assertTrue(manager.put(b));
        Session loaded = load(sid);
        assertFalse(loaded.contains("x"));
        assertEquals(2, loaded.get("y"));
        assertEquals(3, loaded.get("z"));
    }

    @Test
    @DisplayName("a stale copy does not undo attributes it never touched")
    void staleCopyDoesNotOverwrite() {
        String sid = stored(s -> s.put("count", 1)).id();
        Session stale = load(sid);
        Session fresh = load(sid);
        fresh.put("count", 2);
        fresh.remove("gone-later");
        assertTrue(manager.put(fresh));
        stale.put("other", true);
        assertTrue(manager.put(stale));
        assertEquals(2, load(sid).get("count"));
    }

    @Test
    @DisplayName("concurrent requests on one session, each changing its own attribute, lose nothing")
    void concurrentPutsOnOneSessionLoseNothing() throws Exception {
        String sid = stored(s -> s.put("shared", 0)).id();
        int threads = concurrentThreads();
        int rounds = concurrentRounds();
        runConcurrently(threads, t -> {
            for (int r = 0; r < rounds; r++) {
                Session s = load(sid);
                Integer n = s.get("counter-" + t, Integer.class);
                s.put("counter-" + t, n == null ? 1 : n + 1);
                s.put("shared", t);
                assertTrue(manager.put(s));
            }
        });
        Session loaded = load(sid);
        for (int t = 0; t < threads; t++) {
            assertEquals(rounds, loaded.get("counter-" + t), "counter of thread " + t);
        }
        Integer shared = loaded.get("shared", Integer.class);
        assertTrue(shared != null && shared >= 0 && shared < threads, "one thread's value, whole: " + shared);
        assertEquals(threads * (long) rounds + 1, SessionAccess.record(loaded).version(), "one version per put");
        loaded.put("shared", -1);
        assertTrue(manager.put(loaded));
        assertEquals(-1, load(sid).get("shared"), "the latest put wins");
    }

    @Test
    @DisplayName("many threads on many sessions lose nothing")
    void concurrentWorkOnManySessionsLosesNothing() throws Exception {
        int threads = concurrentThreads();
        int rounds = concurrentRounds();
        List<List<String>> idsByThread = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            idsByThread.add(new ArrayList<>());
        }
        runConcurrently(threads, t -> {
            List<String> mine = idsByThread.get(t);
            for (int r = 0; r < rounds; r++) {
                Session s = manager.newSession();
                s.put("owner", t);
                s.put("round", r);
                assertTrue(manager.put(s));
                mine.add(s.id());
                Session again = load(mine.get(r / 2));
                again.put("seen-" + r, true);
                assertTrue(manager.put(again));
            }
        });
        Set<String> all = new HashSet<>();
        for (int t = 0; t < threads; t++) {
            List<String> mine = idsByThread.get(t);
            assertEquals(rounds, mine.size());
            for (int r = 0; r < rounds; r++) {
                Session s = load(mine.get(r));
                assertEquals(t, s.get("owner"));
                assertEquals(r, s.get("round"));
                long seen = s.attributeNames().stream().filter(n -> n.startsWith("seen-")).count();
                long expected = (2 * r < rounds ? 1 : 0) + (2 * r + 1 < rounds ? 1 : 0);
                assertEquals(expected, seen, "marks on session " + r);
            }
            all.addAll(mine);
        }
        assertEquals(threads * rounds, all.size());
    }

    // ------------------------------------------------------------------ removal and resurrection (rule 3)

    @Test
    @DisplayName("remove deletes the session; remove is idempotent")
    void removeIsIdempotent() {
        String sid = stored(s -> s.put("a", 1)).id();
        manager.remove(sid);
        assertFalse(manager.exists(sid));
        assertTrue(manager.get(sid).isEmpty());
        assertDoesNotThrow(() -> manager.remove(sid));
        assertDoesNotThrow(() -> manager.remove(SessionIds.newId()));
    }

    @Test
    @DisplayName("a put after remove does not resurrect the session, and says so")
    void noResurrectionAfterRemove() {
        String sid = stored(s -> s.put("a", 1)).id();
        Session stale = load(sid);
        manager.remove(sid);
        stale.put("b", 2);
        assertFalse(manager.put(stale));
        assertFalse(manager.exists(sid));
        assertTrue(manager.get(sid).isEmpty());
        Session untouched = stored(s -> s.put("x", 1));
        Session staleTouch = load(untouched.id());
        manager.remove(untouched.id());
        assertFalse(manager.put(staleTouch), "an empty put (touch) does not resurrect either");
        assertFalse(manager.exists(untouched.id()));
    }

    @Test
    @DisplayName("a put after expiry does not resurrect the session")
    void noResurrectionAfterExpiry() {
        Session created = stored(s -> {
            s.setIdleTimeout(Duration.ofMinutes(10));
            s.put("a", 1);
        });
        Session stale = load(created.id());
        clock.advance(Duration.ofMinutes(11));
        stale.put("b", 2);
        assertFalse(manager.put(stale));
        assertFalse(manager.exists(created.id()));
        assertTrue(manager.get(created.id()).isEmpty());
    }

    // ------------------------------------------------------------------ expiry (rule 4)

    @Test
    @DisplayName("a session expires after its idle timeout, not before")
    void idleExpiry() {
        String sid = stored(s -> {
            s.setIdleTimeout(Duration.ofMinutes(30));
            s.put("a", 1);
        }).id();
        clock.advance(Duration.ofMinutes(30).minusMillis(1));
        assertTrue(manager.exists(sid));
        assertTrue(manager.get(sid).isPresent());
        clock.advance(Duration.ofMillis(1));
        assertFalse(manager.exists(sid));
        assertTrue(manager.get(sid).isEmpty());
    }

    @Test
    @DisplayName("storing an access pushes the idle expiry forward")
    void accessExtendsIdleExpiry() {
        String sid = stored(s -> {
            s.setIdleTimeout(Duration.ofMinutes(30));
            s.setAbsoluteTimeout(Duration.ofHours(12));
        }).id();
        for (int i = 0; i < 5; i++) {
            clock.advance(Duration.ofMinutes(20));
            assertTrue(manager.put(load(sid)));
        }
        clock.advance(Duration.ofMinutes(29));
        assertTrue(manager.exists(sid), "100 minutes after creation, alive thanks to the touches");
        clock.advance(Duration.ofMinutes(1));
        assertFalse(manager.exists(sid));
    }

    @Test
    @DisplayName("the absolute deadline ends a session however active it is")
    void absoluteDeadline() {
        String sid = stored(s -> {
            s.setIdleTimeout(Duration.ofMinutes(30));
            s.setAbsoluteTimeout(Duration.ofHours(1));
            s.put("a", 1);
        }).id();
        for (int i = 0; i < 5; i++) {
            clock.advance(Duration.ofMinutes(11));
            assertTrue(manager.put(load(sid)));
        }
        clock.advance(Duration.ofMinutes(5).minusMillis(1));
        assertTrue(manager.exists(sid));
        clock.advance(Duration.ofMillis(1));
        assertFalse(manager.exists(sid), "past the deadline although last touched 5 minutes ago");
        assertTrue(manager.get(sid).isEmpty());
    }

    @Test
    @DisplayName("a changed idle timeout is stored and governs expiry")
    void idleTimeoutChangePersists() {
        String sid = stored(s -> s.setIdleTimeout(Duration.ofMinutes(30))).id();
        Session s = load(sid);
        s.setIdleTimeout(Duration.ofMinutes(5));
        assertTrue(manager.put(s));
        assertEquals(Duration.ofMinutes(5), load(sid).idleTimeout());
        clock.advance(Duration.ofMinutes(5));
        assertFalse(manager.exists(sid));
    }

    @Test
    @DisplayName("a new session that outlived its absolute deadline before its first put is not stored")
    void newSessionPastDeadlineIsNotStored() {
        Session s = manager.newSession();
        s.setAbsoluteTimeout(Duration.ofSeconds(1));
        s.put("a", 1);
        clock.advance(Duration.ofSeconds(2));
        assertFalse(manager.put(s));
        assertFalse(manager.exists(s.id()));
    }

    // ------------------------------------------------------------------ hostile ids (rule 1)

    /** Ids that must never reach a store. */
    static Stream<String> hostileIds() {
        String valid = "AAAAAAAAAAAAAAAAAAAAAA";
        return Stream.of("", " ", ".", "..", "/", "../../etc/passwd", "/etc/passwd", "..\\..\\windows\\win.ini",
                "C:\\Windows\\win.ini", "%2e%2e%2f%2e%2e%2fetc%2fpasswd", "....//....//etc/passwd",
                valid.substring(1), valid + "A", valid.substring(1) + "B", "AAAAAAAAAAAAAAAAAAAA/A",
                "AAAAAAAAAAAAAAAAAAAA.A", "AAAAAAAAAAAAAAAAAAAA%A", "AAAAAAAAAAAAAAAAAAAA\\A",
                "AAAAAAAAAAAAAAAAAAAA\u0000A", "AAAAAAAAAAAAAAAAAAAA\nA", "ÄAAAAAAAAAAAAAAAAAAAAA",
                "AAAAAAAAAAAAAAAAAAAA\uD83D\uDE00", "AAAAAAAAAAAAAAAAAAAAA\u200B", "*", "?", "AAAAAAAAAAAAAAAAAAAAA ",
                "A".repeat(10 * 1024), valid + "/../x", "\u0000");
    }

    @ParameterizedTest
    @MethodSource("hostileIds")
    @DisplayName("malformed and hostile ids are absent, never an error")
    void hostileIdsAreRejected(String id) {
        assertTrue(manager.get(id).isEmpty());
        assertFalse(manager.exists(id));
        assertDoesNotThrow(() -> manager.remove(id));
    }

    @Test
    @DisplayName("lookup finds a session by an id inside a larger text, and answers like get")
    void lookupByIdInsideText() {
        Session stored = stored(s -> s.put("a", 1));
        String sid = stored.id();
        String header = "theme=dark; SID=" + sid + "!" + "A".repeat(43) + "; x=y";
        Session found = manager.lookup(header, header.indexOf(sid));
        assertNotNull(found);
        assertEquals(sid, found.id());
        assertEquals(1, found.get("a"));
        assertNotSame(found, manager.lookup(header, header.indexOf(sid)), "a new copy each time");
        assertNull(manager.lookup("SID=" + SessionIds.newId(), 4), "unknown");
        assertNull(manager.lookup("SID=AAAAAAAAAAAAAAAAAAAA/A", 4), "invalid");
        assertNull(manager.lookup(header, header.indexOf(sid) + 1), "shifted by one");
        manager.remove(sid);
        assertNull(manager.lookup(header, header.indexOf(sid)), "removed");
        String idle = stored(s -> s.setIdleTimeout(Duration.ofMinutes(1))).id();
        clock.advance(Duration.ofMinutes(1));
        assertNull(manager.lookup(" " + idle, 1), "expired");
    }

    @Test
    @DisplayName("a null id is absent, never an error")
    void nullIdIsRejected() {
        assertTrue(manager.get(null).isEmpty());
        assertFalse(manager.exists(null));
        assertDoesNotThrow(() -> manager.remove(null));
    }

    @Test
    @DisplayName("a well-formed id that was never stored is absent")
    void unknownIdIsAbsent() {
        String unknown = SessionIds.newId();
        assertTrue(manager.get(unknown).isEmpty());
        assertFalse(manager.exists(unknown));
    }

    @Test
    @DisplayName("ids differing only in letter case are different sessions")
    void idsAreCaseSensitive() {
        Session s = manager.newSession();
        s.put("a", 1);
        assertTrue(manager.put(s));
        // Swap the case of every letter but the last (whose case decides whether the id is canonical).
        StringBuilder swapped = new StringBuilder(s.id().length());
        for (int i = 0; i < s.id().length(); i++) {
            char c = s.id().charAt(i);
            boolean last = i == s.id().length() - 1;
            swapped.append(last ? c : Character.isUpperCase(c) ? Character.toLowerCase(c) : Character.toUpperCase(c));
        }
        String other = swapped.toString();
        assertTrue(SessionIds.isValid(other));
        assumeTrue(!other.equals(s.id()), "the id has no letters to swap");
        assertFalse(manager.exists(other));
        assertTrue(manager.get(other).isEmpty());
        manager.remove(other);
        assertTrue(manager.exists(s.id()));
    }

    // ------------------------------------------------------------------ limits: what put accepts reads back

    @Test
    @DisplayName("a value nested to the limit reads back; one level more is refused at put, naming it")
    void nestingLimit() {
        String atLimit = "[".repeat(SessionCodec.MAX_VALUE_NESTING_DEPTH) + "]".repeat(SessionCodec.MAX_VALUE_NESTING_DEPTH);
        String sid = stored(s -> s.putJson("deep", atLimit)).id();
        assertEquals(atLimit, load(sid).getJson("deep"));
        Session s = load(sid);
        String over = "[" + atLimit + "]";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.putJson("deeper", over));
        assertTrue(e.getMessage().contains("deeper") && e.getMessage().contains(String.valueOf(SessionCodec.MAX_VALUE_NESTING_DEPTH)),
                e.getMessage());
        List<Object> nested = new ArrayList<>();
        List<Object> inner = nested;
        for (int i = 1; i < SessionCodec.MAX_VALUE_NESTING_DEPTH + 1; i++) {
            List<Object> next = new ArrayList<>();
            inner.add(next);
            inner = next;
        }
        assertThrows(IllegalArgumentException.class, () -> s.put("deeper", nested));
    }

    @Test
    @DisplayName("an attribute name of the longest length reads back; a longer one is refused at put")
    void nameLengthLimit() {
        String longest = "n".repeat(SessionCodec.MAX_NAME_LENGTH);
        String sid = stored(s -> s.put(longest, 1)).id();
        assertEquals(1, load(sid).get(longest));
        Session s = load(sid);
        assertThrows(IllegalArgumentException.class, () -> s.put(longest + "n", 1));
        assertThrows(IllegalArgumentException.class, () -> s.put("m", Map.of(longest + "n", 1)),
                "names inside values too");
    }

    @Test
    @DisplayName("a string longer than the codec reads is refused at put")
    void stringLengthLimit() {
        Session s = manager.newSession();
        assertThrows(IllegalArgumentException.class, () -> s.put("big", "x".repeat(SessionCodec.MAX_STRING_LENGTH + 1)));
    }

    @Test
    @DisplayName("a session over the maximum size is refused before anything is written; one under it reads back")
    void sessionSizeLimit() {
        String half = "y".repeat(3 * 1024 * 1024);
        String sid = stored(s -> s.put("a", half)).id();
        Session s = load(sid);
        s.put("b", half);
        assertTrue(manager.put(s), "6 MiB is under the default maximum");
        assertEquals(half, load(sid).get("b"));
        Session more = load(sid);
        more.put("c", half);
        assertThrows(SessionTooLargeException.class, () -> manager.put(more));
        assertFalse(load(sid).contains("c"), "nothing was written");
        Session fresh = manager.newSession();
        fresh.put("huge", half + half + half);
        assertThrows(SessionTooLargeException.class, () -> manager.put(fresh));
        assertFalse(manager.exists(fresh.id()));
    }

    @Test
    @DisplayName("a string with an unpaired surrogate, and an object with nothing to write, are refused at put")
    void unwritableValuesAreRefused() {
        Session s = manager.newSession();
        assertThrows(IllegalArgumentException.class, () -> s.put("lone", "x\uD800y"));
        assertThrows(IllegalArgumentException.class, () -> s.put("lone", "x\uDC00"));
        assertThrows(IllegalArgumentException.class, () -> s.putJson("lone", "\"x\\ud800y\""));
        IllegalArgumentException empty = assertThrows(IllegalArgumentException.class, () -> s.put("thing", new Object()));
        assertTrue(empty.getMessage().contains("thing"), empty.getMessage());
        assertFalse(s.isModified(), "a refused value changes nothing");
    }

    /** A record type, as applications keep in sessions. */
    public record Line(String sku, int quantity, BigDecimal price) {}

    /** An enum, read back by name. */
    public enum Tier { FREE, GOLD }

    @Test
    @DisplayName("the documented types read back as themselves through typed reads")
    void typedValuesRoundTrip() {
        Instant instant = Instant.parse("2026-12-01T12:34:56.789Z");
        LocalDate date = LocalDate.of(2026, 12, 1);
        LocalDateTime dateTime = LocalDateTime.of(2026, 12, 1, 12, 0, 30);
        OffsetDateTime offset = OffsetDateTime.of(dateTime, ZoneOffset.ofHours(2));
        Duration duration = Duration.ofMinutes(90);
        BigDecimal money = new BigDecimal("12345678901234567890.123456789");
        BigInteger huge = new BigInteger("123456789012345678901234567890");
        Line line = new Line("sku-1", 3, new BigDecimal("9.99"));
        List<Line> lines = List.of(line, new Line("sku-2", 1, BigDecimal.ONE));
        Set<String> tags = new HashSet<>(List.of("a", "b"));
        Map<String, Integer> counts = Map.of("x", 1, "y", 2);
        String sid = stored(s -> {
            s.put("instant", instant);
            s.put("date", date);
            s.put("dateTime", dateTime);
            s.put("offset", offset);
            s.put("duration", duration);
            s.put("money", money);
            s.put("huge", huge);
            s.put("tier", Tier.GOLD);
            s.put("line", line);
            s.put("lines", lines);
            s.put("tags", tags);
            s.put("counts", counts);
            s.put("long", Long.MAX_VALUE);
        }).id();
        Session l = load(sid);
        assertEquals(instant, l.get("instant", Instant.class));
        assertEquals(date, l.get("date", LocalDate.class));
        assertEquals(dateTime, l.get("dateTime", LocalDateTime.class));
        assertEquals(offset, l.get("offset", OffsetDateTime.class));
        assertEquals(duration, l.get("duration", Duration.class));
        assertEquals(money, l.get("money", BigDecimal.class));
        assertEquals(huge, l.get("huge", BigInteger.class));
        assertEquals(Tier.GOLD, l.get("tier", Tier.class));
        assertEquals(line, l.get("line", Line.class));
        assertEquals(lines, l.get("lines", new TypeReference<List<Line>>() {}));
        assertEquals(tags, l.get("tags", new TypeReference<Set<String>>() {}));
        assertEquals(counts, l.get("counts", new TypeReference<Map<String, Integer>>() {}));
        assertEquals(Long.MAX_VALUE, l.get("long", Long.class));
        assertEquals("GOLD", l.get("tier"), "untyped reads are JSON-shaped");
        assertTrue(l.get("line") instanceof Map, "untyped reads are JSON-shaped");
    }

    // ------------------------------------------------------------------ rotation (HttpSessions over this manager)

    @Test
    @DisplayName("rotateId after a logout elsewhere fails, stores nothing, and the next commit expires the cookie")
    void rotateAfterLogoutDoesNotRevive() {
        HttpSessions sessions = httpSessions(manager);
        String cookie = loggedIn(sessions);
        Session request = sessions.open(cookie);
        assertFalse(request.isNew());
        manager.remove(request.id()); // another request logs out
        String oldId = request.id();
        assertFalse(sessions.rotateId(request));
        assertFalse(manager.exists(oldId));
        assertFalse(manager.exists(request.id()), "nothing under a new id");
        assertTrue(sessions.commit(request).orElseThrow().contains("Max-Age=0"), "the cookie is expired");
        assertTrue(sessions.open(cookie).isNew());
    }

    @Test
    @DisplayName("rotateId of a session that expired during the request fails and revives nothing")
    void rotateAfterExpiryDoesNotRevive() {
        HttpSessions sessions = httpSessions(manager);
        String cookie = loggedIn(sessions);
        Session request = sessions.open(cookie);
        clock.advance(Duration.ofMinutes(31));
        assertFalse(sessions.rotateId(request));
        assertFalse(manager.exists(request.id()));
        assertTrue(sessions.commit(request).orElseThrow().contains("Max-Age=0"));
    }

    @Test
    @DisplayName("rotateId of a live session moves its data to a new id and kills the old one")
    void rotateMovesData() {
        HttpSessions sessions = httpSessions(manager);
        String cookie = loggedIn(sessions);
        Session request = sessions.open(cookie);
        String oldId = request.id();
        assertTrue(sessions.rotateId(request));
        String rotated = sessions.commit(request).orElseThrow();
        assertFalse(manager.exists(oldId));
        Session after = sessions.open(rotated.substring(0, rotated.indexOf(';')));
        assertFalse(after.isNew());
        assertEquals("alice", after.principal().orElseThrow());
        assertEquals(1, after.get("n"));
        assertTrue(sessions.open(cookie).isNew(), "the old cookie is refused");
    }

    // ------------------------------------------------------------------ unreadable entries: one policy

    @Test
    @DisplayName("a newer-format entry is absent and left untouched by get, put, sweep and removeByPrincipal; logged once")
    void newerFormatEntryIsLeftAlone() {
        StoreBackdoor store = requireBackdoor();
        Session mine = stored(s -> {
            s.setPrincipal("henry");
            s.put("a", 1);
        });
        assumeTrue(store.plantNewerFormat(mine.id()), "this store cannot hold a newer-format entry");
        assumeTrue(CapturedLogs.available(), "log capture needs logback as the test's SLF4J backend");
        try (CapturedLogs logs = CapturedLogs.of("dev.satchel")) {
            assertTrue(manager.get(mine.id()).isEmpty());
            assertFalse(manager.exists(mine.id()));
            mine.put("b", 2);
            assertFalse(manager.put(mine), "a save into it reports the session gone");
            if (manager instanceof PrincipalIndex) {
                assertEquals(0, ((PrincipalIndex) manager).removeByPrincipal("henry"));
            }
            clock.advance(Duration.ofDays(30));
            store.sweepExpired();
            assertTrue(store.isNewerFormatIntact(mine.id()), "untouched");
            assertEquals(1, logs.count(ch.qos.logback.classic.Level.WARN, "unreadable"), logs.dump());
        }
    }

    @Test
    @DisplayName("a corrupt entry is logged at WARN once, then at DEBUG")
    void corruptEntryIsLoggedOnce() {
        StoreBackdoor store = requireBackdoor();
        String bad = SessionIds.newId();
        assumeTrue(store.plantCorrupt(bad), "this store cannot hold a corrupt entry");
        assumeTrue(CapturedLogs.available(), "log capture needs logback as the test's SLF4J backend");
        try (CapturedLogs logs = CapturedLogs.of("dev.satchel")) {
            assertTrue(manager.get(bad).isEmpty());
            store.plantCorrupt(bad); // again, as a broken writer would
            assertTrue(manager.get(bad).isEmpty());
            assertEquals(1, logs.count(ch.qos.logback.classic.Level.WARN, "unreadable"), logs.dump());
        }
    }

    // ------------------------------------------------------------------ close

    @Test
    @DisplayName("after close every call but close fails with IllegalStateException; close is idempotent")
    void behaviourAfterClose() {
        String sid = stored(s -> s.put("a", 1)).id();
        Session copy = load(sid);
        manager.close();
        assertThrows(IllegalStateException.class, () -> manager.get(sid));
        assertThrows(IllegalStateException.class, () -> manager.exists(sid));
        assertThrows(IllegalStateException.class, () -> manager.put(copy));
        assertThrows(IllegalStateException.class, () -> manager.remove(sid));
        assertThrows(IllegalStateException.class, () -> manager.newSession());
        assertDoesNotThrow(() -> manager.close());
    }

    // ------------------------------------------------------------------ two managers over one store

    @Test
    @DisplayName("two managers over one store: changes of different attributes merge")
    void twoManagersMerge() throws Exception {
        SessionManager other = requireSecondManager();
        String sid = stored(s -> s.put("a", 0)).id();
        Session here = load(sid);
        Session there = other.get(sid).orElseThrow(() -> new AssertionError("visible to the other manager"));
        here.put("a", 1);
        there.put("b", 2);
        assertTrue(manager.put(here));
        assertTrue(other.put(there));
        Session merged = other.get(sid).orElseThrow();
        assertEquals(1, merged.get("a"));
        assertEquals(2, merged.get("b"));
    }

    @Test
    @DisplayName("two managers over one store: a removal on one is seen by the other and never undone by it")
    void twoManagersNoResurrection() throws Exception {
        SessionManager other = requireSecondManager();
        String sid = stored(s -> s.put("a", 0)).id();
        Session there = other.get(sid).orElseThrow();
        manager.remove(sid);
        assertFalse(other.exists(sid), "the removal is visible at once");
        there.put("late", 1);
        assertFalse(other.put(there), "no resurrection");
        assertFalse(manager.exists(sid));
    }

    private SessionManager requireSecondManager() throws Exception {
        if (second == null) {
            second = createSecondManager(clock);
        }
        assumeTrue(second != null, "this store cannot be shared by two managers");
        return second;
    }

    private HttpSessions httpSessions(SessionManager m) {
        return HttpSessions.builder().manager(m).clock(clock)
                .signingKeys(SigningKeys.of("contract-test-key-0123456789abcdef".getBytes(StandardCharsets.US_ASCII)))
                .cookie(CookieSpec.named("SID")).build();
    }

    /** A stored, logged-in session's cookie pair ({@code SID=...}). */
    private String loggedIn(HttpSessions sessions) {
        Session s = sessions.open(null);
        s.setPrincipal("alice");
        s.put("n", 1);
        String header = sessions.commit(s).orElseThrow();
        return header.substring(0, header.indexOf(';'));
    }

    // ------------------------------------------------------------------ the store itself (backdoor)

    @Test
    @DisplayName("a removed session is physically gone from the store")
    void removedSessionIsPhysicallyGone() {
        StoreBackdoor store = requireBackdoor();
        String sid = stored(s -> s.put("a", 1)).id();
        assertTrue(store.isStored(sid));
        manager.remove(sid);
        assertFalse(store.isStored(sid));
    }

    @Test
    @DisplayName("a corrupt entry reads as absent and leaves other sessions alone")
    void corruptEntryIsAbsent() {
        StoreBackdoor store = requireBackdoor();
        String good = stored(s -> s.put("a", 1)).id();
        String bad = SessionIds.newId();
        assumeTrue(store.plantCorrupt(bad), "this store cannot hold a corrupt entry");
        assertTrue(manager.get(bad).isEmpty());
        assertFalse(manager.exists(bad));
        assertTrue(manager.get(bad).isEmpty(), "and again, once it has been dealt with");
        assertEquals(1, load(good).get("a"));
        assertDoesNotThrow(() -> manager.remove(bad));
    }

    @Test
    @DisplayName("expiry removes expired entries from the store and keeps live ones")
    void expiredEntriesAreRemoved() {
        StoreBackdoor store = requireBackdoor();
        String shortLived = stored(s -> s.setIdleTimeout(Duration.ofMinutes(1))).id();
        String longLived = stored(s -> s.setIdleTimeout(Duration.ofHours(1))).id();
        clock.advance(Duration.ofMinutes(2));
        int removed = store.sweepExpired();
        assumeTrue(removed >= 0, "this store expires entries by its own clock");
        assertEquals(1, removed);
        assertFalse(store.isStored(shortLived));
        assertTrue(store.isStored(longLived));
        assertTrue(manager.exists(longLived));
    }

    // ------------------------------------------------------------------ principal index (optional)

    @Test
    @DisplayName("sessions can be found and removed by principal; expired ones are not found")
    void principalIndex() {
        assumeTrue(manager instanceof PrincipalIndex, "manager has no principal index");
        PrincipalIndex index = (PrincipalIndex) manager;
        String a1 = stored(s -> s.setPrincipal("alice")).id();
        String a2 = stored(s -> {
            s.setPrincipal("alice");
            s.setIdleTimeout(Duration.ofMinutes(1));
        }).id();
        String b = stored(s -> s.setPrincipal("bob")).id();
        assertEquals(Set.of(a1, a2), ids(index.findByPrincipal("alice")));
        clock.advance(Duration.ofMinutes(2));
        assertEquals(Set.of(a1), ids(index.findByPrincipal("alice")), "expired sessions are not found");
        Session relogin = load(b);
        relogin.setPrincipal("alice");
        assertTrue(manager.put(relogin));
        assertEquals(Set.of(a1, b), ids(index.findByPrincipal("alice")), "a principal change moves the session");
        assertTrue(index.findByPrincipal("bob").isEmpty());
        assertTrue(index.findByPrincipal("nobody").isEmpty());
        assertTrue(index.findByPrincipal(null).isEmpty());
        assertEquals(2, index.removeByPrincipal("alice"), "the live sessions of alice, no more");
        assertFalse(manager.exists(a1));
        assertFalse(manager.exists(b));
        assertTrue(index.findByPrincipal("alice").isEmpty());
        assertEquals(0, index.removeByPrincipal("alice"));
    }

    // ------------------------------------------------------------------ helpers

    /** Stores a new session after {@code fill} set it up, and returns it (now clean). */
    protected final Session stored(Consumer<Session> fill) {
        Session s = manager.newSession();
        fill.accept(s);
        assertTrue(manager.put(s), "new session stored");
        return s;
    }

    /** Loads {@code sid}, failing the test if it is absent. */
    protected final Session load(String sid) {
        return manager.get(sid).orElseThrow(() -> new AssertionError("session not found"));
    }

    private StoreBackdoor requireBackdoor() {
        StoreBackdoor store = backdoor();
        assumeTrue(store != null, "no backdoor into this store");
        return store;
    }

    private static Set<String> ids(List<Session> sessions) {
        return sessions.stream().map(Session::id).collect(Collectors.toSet());
    }

    /** Work for one thread of {@link #runConcurrently}. */
    protected interface ThreadBody {
        /** Runs as thread {@code t}. */
        void run(int t) throws Exception;
    }

    /** Runs {@code body} on {@code threads} threads released together, and rethrows the first failure. */
    protected static void runConcurrently(int threads, ThreadBody body) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CyclicBarrier start = new CyclicBarrier(threads);
            List<Future<Void>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int id = t;
                Callable<Void> task = () -> {
                    start.await();
                    body.run(id);
                    return null;
                };
                done.add(pool.submit(task));
            }
            for (Future<Void> f : done) {
                try {
                    f.get(5, TimeUnit.MINUTES);
                } catch (java.util.concurrent.ExecutionException e) {
                    if (e.getCause() instanceof Error) {
                        throw (Error) e.getCause();
                    }
                    throw (Exception) e.getCause();
                }
            }
        } finally {
            pool.shutdownNow();
        }
    }
}
