package dev.satchel.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * The packed record (randval and values in one array, Latin-1 or UTF-16), its direct merge, and the
 * write path's helpers: every text comes back exactly as it was put, whatever its characters or size.
 */
class PackedRecordTest {

    private static final String ID = SessionIds.newId();
    private static final String RANDVAL = SessionIds.newId();

    private static SessionRecord record(Map<String, String> attributes) {
        SessionRecord.Builder b = SessionRecord.builder(ID, RANDVAL).created(1000).lastAccess(2000)
                .idleTimeoutMillis(1_800_000).version(3).principal("alice");
        attributes.forEach(b::attribute);
        return b.build();
    }

    private static Map<String, String> values() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("latin", "\"café, naïve, ÿ\"");
        m.put("ascii", "{\"a\":[1,2,3]}");
        m.put("empty", "\"\"");
        m.put("cjk", "\"日本語\"");
        m.put("emoji", "\"😀 \\ud83d\\ude00\"");
        m.put("lone", "\"\ud800 trusted as given\"");
        m.put("big", "\"" + "x€".repeat(300_000) + "\"");
        return m;
    }

    @Test
    void everyValueAndTheRandvalReadBackExactly() {
        Map<String, String> in = values();
        SessionRecord r = record(in);
        assertEquals(RANDVAL, r.randval());
        assertEquals(new TreeMap<>(in), new TreeMap<>(r.attributes()));
        for (int i = 0; i < r.attributeCount(); i++) {
            String v = in.get(r.attributeName(i));
            assertEquals(v, r.attributeValue(i));
            assertEquals(v, r.attribute(r.attributeName(i)));
        }
        assertNull(r.attribute("missing"));
    }

    @Test
    void latin1OnlyRecordsToo() {
        Map<String, String> in = Map.of("a", "\"é\"", "b", "1", "c", "\"\u00ff\u0080\"");
        SessionRecord r = record(in);
        assertEquals(new TreeMap<>(in), new TreeMap<>(r.attributes()));
        assertEquals(RANDVAL, r.randval());
    }

    @Test
    void utf8LengthIsTheEncodedLength() {
        SessionRecord r = record(values());
        for (int i = 0; i < r.attributeCount(); i++) {
            String v = r.attributeValue(i);
            if (!r.attributeName(i).equals("lone")) {
                assertEquals(v.getBytes(StandardCharsets.UTF_8).length, r.attributeValueUtf8Length(i), r.attributeName(i));
            }
        }
    }

    @Test
    void aMergeKeepsEveryUntouchedValueAndWidensWhenItMust() {
        SessionRecord latin = record(Map.of("a", "\"é\"", "b", "2", "c", "3"));
        Map<String, String> set = new HashMap<>(Map.of("b", "\"日本\"", "d", "\"new\""));
        ChangeSet c = new ChangeSet(latin, 5000, set, new HashSet<>(Set.of("c", "never-there")), false, null, 0, false, 0);
        SessionRecord merged = c.applyTo(latin);
        assertEquals(Map.of("a", "\"é\"", "b", "\"日本\"", "d", "\"new\""), merged.attributes());
        assertEquals(RANDVAL, merged.randval());
        assertEquals(4, merged.version());
        assertEquals(5000, merged.lastAccess());
        assertEquals("alice", merged.principal());

        // and back to values that all fit Latin-1
        ChangeSet back = new ChangeSet(merged, 6000, Map.of("b", "1"), Set.of("d"), true, null, 60_000, true, 9_999_999);
        SessionRecord after = back.applyTo(merged);
        assertEquals(Map.of("a", "\"é\"", "b", "1"), after.attributes());
        assertNull(after.principal());
        assertEquals(60_000, after.idleTimeoutMillis());
        assertEquals(9_999_999, after.deadline());
    }

    @Test
    void aMergeThatChangesOnlyValuesKeepsTheNamesArrayAndTheDigestMemo() {
        SessionRecord r = record(Map.of("a", "1", "b", "2"));
        Object memo = new Object();
        r.digestMemo(memo);
        SessionRecord merged = new ChangeSet(r, 5000, Map.of("b", "3"), Set.of(), false, null, 0, false, 0).applyTo(r);
        assertEquals(Map.of("a", "1", "b", "3"), merged.attributes());
        assertSame(memo, merged.digestMemo(), "same id and randval: same digests");
        assertSame(r.attributeName(0), merged.attributeName(0));
    }

    @Test
    void everyMergeMatchesTheBuilder() {
        SessionRecord base = record(values());
        List<String> names = List.of("ascii", "big", "cjk", "zz", "0", "latin", "lone");
        for (int mask = 0; mask < 1 << names.size(); mask++) {
            Map<String, String> set = new HashMap<>();
            Set<String> removed = new HashSet<>();
            SessionRecord.Builder expected = base.toBuilder();
            for (int i = 0; i < names.size(); i++) {
                String name = names.get(i);
                if ((mask & (1 << i)) != 0) {
                    set.put(name, "\"v" + i + "ü\"");
                    expected.attribute(name, "\"v" + i + "ü\"");
                } else if (i % 2 == 0) {
                    removed.add(name);
                    expected.removeAttribute(name);
                }
            }
            ChangeSet c = new ChangeSet(base, 5000, set, removed, false, null, 0, false, 0);
            SessionRecord merged = c.applyTo(base);
            assertEquals(expected.build().attributes(), merged.attributes(), "mask " + mask);
            assertEquals(SessionCodec.encodedLengthBound(merged), SessionCodec.encodedLengthBound(base, c), "mask " + mask);
        }
    }

    @Test
    void theSizeBoundOfAChangeCountsThePrincipal() {
        SessionRecord base = record(Map.of("a", "1"));
        ChangeSet c = new ChangeSet(base, 5000, Map.of(), Set.of(), true, "a much longer principal name", 0, false, 0);
        assertEquals(SessionCodec.encodedLengthBound(c.applyTo(base)), SessionCodec.encodedLengthBound(base, c));
    }

    @Test
    void simpleValuesAreWrittenExactlyAsJacksonWritesThem() throws Exception {
        StringBuilder ascii = new StringBuilder();
        for (char ch = 0x20; ch < 0x7F; ch++) {
            ascii.append(ch);
        }
        Object[] values = {null, true, false, 0, -1, Integer.MAX_VALUE, Integer.MIN_VALUE, Long.MIN_VALUE, 42L,
            (short) -7, (byte) 5, "", "plain", "with space", ascii.toString(), "a\"b", "a\\b", "a/b", "tab\t", "é",
            "x".repeat(5000), 1.5, 'c'};
        for (Object v : values) {
            String jackson = SessionCodec.jsonMapper().writeValueAsString(v);
            assertEquals(jackson, SessionCodec.toJson("n", v), String.valueOf(v));
            String simple = SessionCodec.simpleJson(v);
            if (simple != null) {
                assertEquals(jackson, simple, String.valueOf(v));
            }
        }
        for (char ch = 0x20; ch < 0x7F; ch++) {
            String s = String.valueOf(ch);
            assertEquals(SessionCodec.jsonMapper().writeValueAsString(s), SessionCodec.toJson("n", s), s);
        }
    }

    @Test
    void namesArraysAreSharedBetweenRecordsBuiltApart() {
        SessionRecord one = record(Map.of(new String("shared-a"), "1", new String("shared-b"), "2"));
        SessionRecord two = record(Map.of(new String("shared-a"), "3", new String("shared-b"), "4"));
        assertSame(one.attributeName(0), two.attributeName(0));
        assertSame(one.attributeName(1), two.attributeName(1));
    }
}
