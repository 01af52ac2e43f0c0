package dev.satchel.store.jdbc;

import dev.satchel.spi.UnreadableEntryException;
import dev.satchel.spi.SessionCodec;
import dev.satchel.spi.SessionRecord;
import java.io.StringWriter;
import java.util.Map;
import java.util.Set;
import tools.jackson.core.ErrorReportConfiguration;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.ObjectWriteContext;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.json.JsonFactory;

/**
 * The {@code attributes} column: one JSON object mapping each attribute name to the JSON text of its value,
 * held as a JSON <em>string</em> — {@code {"cart":"{\"items\":[1,2]}","theme":"\"dark\""}}.
 *
 * <p>Why strings and not the values themselves: PostgreSQL's {@code jsonb} (and MySQL's {@code JSON})
 * normalise what they store — {@code -0.0} becomes {@code 0.0}, {@code 1.0E10} becomes
 * {@code 10000000000} (a {@code Long} on an untyped read instead of a {@code Double}), object keys are
 * reordered and duplicates dropped — and PostgreSQL refuses {@code \u0000} anywhere in a {@code jsonb} or
 * in any {@code json} it processes. A string survives all of them exactly, so what {@code put} accepted
 * reads back as the same JSON text (the canonical text {@link SessionCodec} writes), while the database
 * still merges per attribute with {@code ||}, {@code -} and {@code JSON_MERGE_PATCH}: a string member is
 * replaced whole, never merged into.
 *
 * <p>Reading applies the codec's limits to each value ({@link SessionCodec#checkedValue}), the limits the
 * session applied when the value was put; what only this store cannot hold is refused before any write
 * ({@link #requireStorableName}, {@link #requireStorablePrincipal}).
 * Thread-safe; all methods are static.
 */
final class AttributesColumn {

    /** Reads the column: strings of any length the codec reads, names as long, no limit on the whole. */
    private static final JsonFactory COLUMN = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder()
                    .maxNestingDepth(SessionCodec.MAX_NESTING_DEPTH)
                    .maxStringLength(SessionCodec.MAX_STRING_LENGTH)
                    .maxNameLength(SessionCodec.MAX_STRING_LENGTH)
                    .maxDocumentLength(-1)
                    .build())
            // Parse errors must not quote the input: the column holds session data.
            .errorReportConfiguration(ErrorReportConfiguration.builder()
                    .maxErrorTokenLength(0).maxRawContentLength(0).build())
            .build();

    private AttributesColumn() {}

    /** The column text holding every attribute of {@code record}. */
    static String of(SessionRecord record) {
        StringWriter out = new StringWriter(16 + 48 * record.attributeCount());
        try (JsonGenerator g = COLUMN.createGenerator(ObjectWriteContext.empty(), out)) {
            g.writeStartObject();
            for (int i = 0, n = record.attributeCount(); i < n; i++) {
                g.writeStringProperty(record.attributeName(i), record.attributeValue(i));
            }
            g.writeEndObject();
        }
        return out.toString();
    }

    /**
     * An object of the attributes {@code set}, and, when {@code removedAsNull}, each {@code removed} name
     * mapped to {@code null}: a JSON merge patch (RFC 7396) of exactly these changes.
     */
    static String changes(Map<String, String> set, Set<String> removed, boolean removedAsNull) {
        StringWriter out = new StringWriter(16 + 48 * (set.size() + removed.size()));
        try (JsonGenerator g = COLUMN.createGenerator(ObjectWriteContext.empty(), out)) {
            g.writeStartObject();
            for (Map.Entry<String, String> e : set.entrySet()) {
                g.writeStringProperty(e.getKey(), e.getValue());
            }
            if (removedAsNull) {
                for (String name : removed) {
                    g.writeName(name);
                    g.writeNull();
                }
            }
            g.writeEndObject();
        }
        return out.toString();
    }

    /**
     * Adds the attributes held in {@code column} to {@code record}.
     *
     * @throws UnreadableEntryException if the column is not an object of strings each holding one JSON value
     *     within the codec's limits; the message names the defect, never the content
     */
    static void readInto(String column, SessionRecord.Builder record) {
        if (column == null) {
            throw new UnreadableEntryException("attributes column is NULL");
        }
        try (JsonParser p = COLUMN.createParser(ObjectReadContext.empty(), column)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw new UnreadableEntryException("attributes column is not a JSON object");
            }
            JsonToken t;
            while ((t = p.nextToken()) == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                if (p.nextToken() != JsonToken.VALUE_STRING) {
                    throw new UnreadableEntryException("attributes column holds a value that is not a string of JSON "
                            + "text (each attribute is stored as the JSON text of its value, in a string)");
                }
                record.attribute(name, SessionCodec.checkedValue(p.getString()));
            }
            if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
                throw new UnreadableEntryException("attributes column does not end after its object");
            }
        } catch (JacksonException e) {
            throw new UnreadableEntryException("attributes column is not valid JSON: " + e.getClass().getSimpleName(), e);
        }
    }

    /**
     * Checks that attribute name {@code name} can be stored: where {@code nulFree} (PostgreSQL, whose text
     * and {@code jsonb} keys cannot hold it), it has no U+0000. Everything else about names and values — the
     * codec's limits, unpaired surrogates — the session checked when the value was put.
     *
     * @throws IllegalArgumentException naming the attribute and the rule; nothing has been written
     */
    static void requireStorableName(String name, boolean nulFree) {
        if (nulFree && name.indexOf('\u0000') >= 0) {
            throw new IllegalArgumentException("attribute name '" + shortened(name) + "' holds U+0000, which "
                    + "PostgreSQL cannot store in a name; values may hold it");
        }
    }

    /**
     * Checks a principal name: at most {@link JdbcSessionManager#MAX_PRINCIPAL_LENGTH} characters (its
     * column is indexed), no unpaired surrogate, and where {@code nulFree} no U+0000.
     *
     * @throws IllegalArgumentException naming the rule it breaks; nothing has been written
     */
    static void requireStorablePrincipal(String principal, boolean nulFree) {
        if (principal == null) {
            return;
        }
        if (principal.length() > JdbcSessionManager.MAX_PRINCIPAL_LENGTH) {
            throw new IllegalArgumentException("principal is " + principal.length() + " characters long; the JDBC "
                    + "store keeps at most " + JdbcSessionManager.MAX_PRINCIPAL_LENGTH);
        }
        if (nulFree && principal.indexOf('\u0000') >= 0) {
            throw new IllegalArgumentException("principal holds U+0000, which PostgreSQL cannot store");
        }
        if (unpairedSurrogateAt(principal) >= 0) {
            throw new IllegalArgumentException("principal holds an unpaired surrogate, which cannot be stored as UTF-8");
        }
    }

    /** The index of the first unpaired surrogate in {@code s}, or -1. */
    static int unpairedSurrogateAt(String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (c < Character.MIN_SURROGATE || c > Character.MAX_SURROGATE) {
                continue;
            }
            if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else {
                return i;
            }
        }
        return -1;
    }

    /** A name for a message: attribute names are data, not secrets, but may be long. */
    private static String shortened(String name) {
        return name.length() <= 64 ? name : name.substring(0, 64) + "…";
    }
}
