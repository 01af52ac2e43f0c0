package dev.satchel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.satchel.spi.SessionAccess;
import dev.satchel.spi.SessionCodec;
import dev.satchel.spi.SessionIds;
import dev.satchel.spi.SessionRecord;
import dev.satchel.spi.UnreadableEntryException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SessionCodecTest {

    private final SessionRecord record = SessionRecord.builder(SessionIds.newId(), SessionIds.newId())
            .created(1_700_000_000_000L).lastAccess(1_700_000_100_000L).idleTimeoutMillis(1_800_000)
            .deadline(1_700_043_200_000L).principal("alice").version(7)
            .attribute("cart", "{\"items\":[1,2]}").attribute("theme", "\"dark\"").build();

    @Test
    void encodesTheDocumentedFormat() {
        String json = new String(SessionCodec.encode(record), StandardCharsets.UTF_8);
        assertEquals("{\"v\":1,\"id\":\"" + record.id() + "\",\"randval\":\"" + record.randval()
                + "\",\"created\":1700000000000,\"lastAccess\":1700000100000,\"idleTimeoutMs\":1800000,"
                + "\"deadline\":1700043200000,\"principal\":\"alice\",\"version\":7,"
                + "\"attrs\":{\"cart\":{\"items\":[1,2]},\"theme\":\"dark\"}}", json);
    }

    @Test
    void roundTripsEveryField() {
        SessionRecord back = SessionCodec.decode(SessionCodec.encode(record));
        assertArrayEquals(SessionCodec.encode(record), SessionCodec.encode(back));
        assertEquals(record.principal(), back.principal());
        assertEquals(record.expiresAt(), back.expiresAt());
        assertEquals(record.attributes(), back.attributes());
    }

    @Test
    void absentDeadlineAndPrincipalAreNull() {
        SessionRecord bare = SessionRecord.builder(SessionIds.newId(), SessionIds.newId()).idleTimeoutMillis(5).build();
        String json = new String(SessionCodec.encode(bare), StandardCharsets.UTF_8);
        assertTrue(json.contains("\"deadline\":null") && json.contains("\"principal\":null"), json);
        SessionRecord back = SessionCodec.decode(json);
        assertEquals(SessionRecord.NO_DEADLINE, back.deadline());
        assertNull(back.principal());
    }

    @Test
    void keepsTheExactTextOfForeignValuesAndIgnoresUnknownFields() {
        String doc = "{ \"attrs\" : {\"pi\": 3.14159265358979323846264338327950288 , \"e\":\"\\u00e9\", \"big\": 1e400,"
                + " \"n\" :[ 1 , {\"x\" : null} ] }, \"future\": {\"nested\": [1, 2]}, \"v\":1, \"id\":\"" + record.id()
                + "\", \"randval\":\"" + record.randval() + "\", \"created\":1, \"lastAccess\":2, \"idleTimeoutMs\":3,"
                + " \"version\":4 }";
        SessionRecord r = SessionCodec.decode(doc);
        assertEquals("3.14159265358979323846264338327950288", r.attribute("pi"));
        assertEquals("\"\\u00e9\"", r.attribute("e"));
        assertEquals("1e400", r.attribute("big"));
        assertEquals("[ 1 , {\"x\" : null} ]", r.attribute("n"));
        assertEquals("é", SessionAccess.wrap(r).get("e"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", " ", "null", "[]", "\"text\"", "{", "{}", "{\"v\":2}", "{\"v\":\"1\"}",
        "{\"v\":1}", "not json", "{\"v\":1,\"id\":\"../../etc/passwd\"}"})
    void refusesWhatIsNotAVersion1Document(String doc) {
        assertThrows(UnreadableEntryException.class, () -> SessionCodec.decode(doc));
    }

    @Test
    void refusesTruncatedDocumentsAtEveryLength() {
        byte[] full = SessionCodec.encode(record);
        for (int n = 0; n < full.length; n++) {
            byte[] cut = java.util.Arrays.copyOf(full, n);
            assertThrows(UnreadableEntryException.class, () -> SessionCodec.decode(cut), "cut at " + n);
        }
    }

    @Test
    void refusesIllTypedAndNegativeFields() {
        String base = new String(SessionCodec.encode(record), StandardCharsets.UTF_8);
        for (String[] swap : new String[][] {{"\"created\":1700000000000", "\"created\":-1"},
            {"\"created\":1700000000000", "\"created\":\"yesterday\""},
            {"\"idleTimeoutMs\":1800000", "\"idleTimeoutMs\":0"},
            {"\"version\":7", "\"version\":99999999999999999999999"},
            {"\"attrs\":{", "\"attrs\":[],\"x\":{"},
            {"\"principal\":\"alice\"", "\"principal\":42"}}) {
            String broken = base.replace(swap[0], swap[1]);
            assertThrows(UnreadableEntryException.class, () -> SessionCodec.decode(broken), broken);
        }
        assertThrows(UnreadableEntryException.class, () -> SessionCodec.decode(base + " {}"), "trailing content");
    }

    @Test
    void errorMessagesDoNotQuoteTheInput() {
        String secret = record.randval();
        String doc = "{\"v\":1,\"randval\":" + secret + "}"; // unquoted: the parser stops on it
        UnreadableEntryException e = assertThrows(UnreadableEntryException.class, () -> SessionCodec.decode(doc));
        assertTrue(!e.getMessage().contains(secret) && !String.valueOf(e.getCause()).contains(secret), e.getMessage());
    }

    @Test
    void deepNestingIsAClearErrorNotAStackOverflow() {
        String deep = "[".repeat(100_000) + "]".repeat(100_000);
        String doc = "{\"v\":1,\"attrs\":{\"x\":" + deep + "}}";
        UnreadableEntryException e = assertThrows(UnreadableEntryException.class, () -> SessionCodec.decode(doc));
        assertTrue(e.getMessage().contains("nesting depth"), e.getMessage());
        assertThrows(UnreadableEntryException.class, () -> SessionCodec.checkedValue(deep));
    }

    @Test
    void hugeStringsAreAClearErrorNotAnOutOfMemory() {
        byte[] doc = new byte[100 * 1024 * 1024 + 32];
        byte[] head = "{\"v\":1,\"x\":\"".getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(head, 0, doc, 0, head.length);
        java.util.Arrays.fill(doc, head.length, doc.length - 2, (byte) 'a');
        doc[doc.length - 2] = '"';
        doc[doc.length - 1] = '}';
        UnreadableEntryException e = assertThrows(UnreadableEntryException.class, () -> SessionCodec.decode(doc));
        assertTrue(e.getMessage().contains("exceeds"), e.getMessage());
    }

    @Test
    void writingTooDeepAValueFailsAtPut() {
        Object deep = List.of();
        for (int i = 0; i < SessionCodec.MAX_NESTING_DEPTH + 5; i++) {
            deep = List.of(deep);
        }
        Session s = InMemorySessionManager.builder().withoutBackgroundSweeper().build().newSession();
        Object value = deep;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> s.put("deep", value));
        assertTrue(e.getMessage().contains("'deep'"), e.getMessage());
    }

    @Test
    void checkedValueAcceptsOneValueOnly() {
        assertEquals("[1, 2]", SessionCodec.checkedValue("  [1, 2]\n"));
        assertEquals("\"x\"", SessionCodec.checkedValue("\"x\""));
        for (String bad : new String[] {"", "  ", "1 2", "[1,", "{\"a\":}", "'single'", "NaN", "undefined"}) {
            assertThrows(UnreadableEntryException.class, () -> SessionCodec.checkedValue(bad), bad);
        }
    }

    @Test
    void checkedStoredValueAnswersExactlyAsCheckedValue() {
        List<String> cases = new java.util.ArrayList<>(List.of(
                "1", "-0", "0.5", "-1.5e+10", "1E5", "01", "1.", ".5", "-", "1e", "+1", "true", "false", "null",
                "tru", "nul", "\"\"", "\"a\\\"b\"", "\"\\u00e9\\/\\b\\f\\n\\r\\t\"", "\"\\uD800\"",
                "\"\\u12\"", "\"\\x\"", "\"\u0001\"", "\"\uD83D\uDE00\"", "\"\uD800\"", "\"\\u\u0663123\"",
                "[]", "{}", "[1,2]", "[1,]", "[,1]", "{\"a\":1,\"b\":[{}]}", "{\"a\"}", "{\"a\":1,}", "{1:2}",
                " 1", "1 ", "[1, 2]", "{\"a\": 1}", "1 2", "[1]]", "\"unterminated", "", "[".repeat(70) + "]".repeat(70),
                "[".repeat(300) + "]".repeat(300), "1".repeat(70), "\"" + "x".repeat(20_000) + "\""));
        java.util.SplittableRandom random = new java.util.SplittableRandom(17);
        String alphabet = "{}[]:,\"\\ -+.eE0123456789truefalsn/u\u00e9\uD800\u0001ab";
        for (int k = 0; k < 20_000; k++) {
            StringBuilder b = new StringBuilder();
            for (int len = random.nextInt(12); len > 0; len--) {
                b.append(alphabet.charAt(random.nextInt(alphabet.length())));
            }
            cases.add(b.toString());
        }
        for (String json : cases) {
            String expected;
            try {
                expected = SessionCodec.checkedValue(json);
            } catch (UnreadableEntryException e) {
                assertThrows(UnreadableEntryException.class, () -> SessionCodec.checkedStoredValue(json), json);
                continue;
            }
            assertEquals(expected, SessionCodec.checkedStoredValue(json), json);
        }
        assertThrows(UnreadableEntryException.class, () -> SessionCodec.checkedStoredValue(null));
    }

    @Test
    void boundOfAChangeIsTheBoundOfTheRecordItMakes() {
        long at = record.lastAccess() + 1;
        SessionRecord anonymous = record.toBuilder().principal(null).build();
        List<dev.satchel.spi.ChangeSet> changes = List.of(
                change(record, at, Map.of("theme", "\"light-é\""), java.util.Set.of(), false, null),
                change(record, at, Map.of("new", "[1,2,3]"), java.util.Set.of("cart"), false, null),
                change(record, at, Map.of("cart", "{}"), java.util.Set.of("cart", "absent"), true, "bob-the-longer"),
                change(record, at, Map.of(), java.util.Set.of("theme", "cart"), true, null),
                change(anonymous, at, Map.of(), java.util.Set.of(), true, "carol"),
                change(anonymous, at, Map.of("x", "1"), java.util.Set.of("absent"), false, null));
        for (dev.satchel.spi.ChangeSet c : changes) {
            assertEquals(SessionCodec.encodedLengthBound(c.applyTo(c.base())), SessionCodec.encodedLengthBound(c), c.toString());
        }
    }

    private static dev.satchel.spi.ChangeSet change(SessionRecord base, long at, Map<String, String> set,
            java.util.Set<String> removed, boolean principalChanged, String principal) {
        return new dev.satchel.spi.ChangeSet(base, at, new java.util.HashMap<>(set), new java.util.HashSet<>(removed),
                principalChanged, principal, 0, false, 0);
    }

    /** A type asking for class-name type ids: the deny-all validator must refuse every class. */
    @JsonTypeInfo(use = JsonTypeInfo.Id.CLASS)
    public static class Polymorphic {
        public String name;
    }

    @Test
    void noClassIsEverInstantiatedByNameFromStoredData() {
        Session s = SessionAccess.wrap(record.toBuilder()
                .attribute("gadget", "{\"@class\":\"java.util.concurrent.atomic.AtomicLong\",\"name\":\"x\"}").build());
        assertInstanceOf(Map.class, s.get("gadget"), "untyped reads give plain data");
        assertThrows(IllegalArgumentException.class, () -> s.get("gadget", Polymorphic.class));
    }

    /** The fast path for plain string literals reads exactly what Jackson reads, and leaves the rest to it. */
    @ParameterizedTest
    @ValueSource(strings = {"\"\"", "\"alice\"", "\"é ü 日本 \uD83D\uDE00\"", "\"a\\\"b\"", "\"tab\\tx\"",
            "\"\\u0041\"", "\"/path?q=1&r=2\"", "\"x y\"", "42", "true", "null", "{\"a\":\"b\"}", "[\"a\"]"})
    void plainStringLiteralsReadAsJacksonReadsThem(String json) throws Exception {
        tools.jackson.databind.ObjectMapper jackson = tools.jackson.databind.json.JsonMapper.builder().build();
        assertEquals(jackson.readValue(json, Object.class), SessionCodec.fromJson("a", json));
        if (json.startsWith("\"")) {
            assertEquals(jackson.readValue(json, String.class), SessionCodec.fromJson("a", json, String.class));
        }
    }

    /** The fast path for integers and booleans reads exactly what Jackson reads, as each type, and leaves the rest to it. */
    @ParameterizedTest
    @ValueSource(strings = {"0", "-0", "7", "-7", "42", "2147483647", "2147483648", "-2147483648", "-2147483649",
            "999999999999999999", "-999999999999999999", "9223372036854775807", "12345678901234567890", "true", "false",
            "null", "1.5", "1e3", "-", "01", "+1", " 1", "1 ", "0x10", "\"1\"", "truex"})
    void integersAndBooleansReadAsJacksonReadsThem(String json) throws Exception {
        tools.jackson.databind.ObjectMapper jackson = tools.jackson.databind.json.JsonMapper.builder()
                .enable(tools.jackson.databind.DeserializationFeature.FAIL_ON_TRAILING_TOKENS).build();
        for (Class<?> type : new Class<?>[] {Object.class, Integer.class, Long.class, Boolean.class}) {
            Object expected;
            try {
                expected = jackson.readValue(json, type);
            } catch (tools.jackson.core.JacksonException e) {
                assertThrows(IllegalArgumentException.class, () -> SessionCodec.fromJson("a", json, type), json + " as " + type);
                continue;
            }
            Object actual = SessionCodec.fromJson("a", json, type);
            assertEquals(expected, actual, json + " as " + type);
            assertEquals(expected == null ? null : expected.getClass(), actual == null ? null : actual.getClass(), json + " as " + type);
        }
    }

    @Test
    void malformedLiteralsStillFail() {
        for (String bad : new String[] {"\"", "\"a\"b\"", "\"a\u0001\"", "\"unterminated"}) {
            assertThrows(IllegalArgumentException.class, () -> SessionCodec.fromJson("a", bad), bad);
        }
    }
}
