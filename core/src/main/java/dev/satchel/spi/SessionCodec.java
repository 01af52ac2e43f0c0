package dev.satchel.spi;

import dev.satchel.Session;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.TreeMap;
import tools.jackson.core.ErrorReportConfiguration;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.StreamWriteConstraints;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.exc.StreamConstraintsException;
import tools.jackson.core.json.JsonFactory;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.cfg.DateTimeFeature;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.jsontype.BasicPolymorphicTypeValidator;

/**
 * The stored session document, version 1, and the JSON form of attribute values.
 *
 * <pre>{@code
 * {"v":1,"id":"…","randval":"…","created":1700000000000,"lastAccess":1700000000000,
 *  "idleTimeoutMs":1800000,"deadline":1700043200000,"principal":"alice","version":3,
 *  "attrs":{"cart":{"items":[1,2]},"theme":"dark"}}
 * }</pre>
 *
 * <p>Times are epoch milliseconds; {@code deadline} and {@code principal} are {@code null} when absent.
 * Attribute values are plain JSON. Unknown top-level fields are ignored, so newer writers can add fields;
 * a document with {@code "v"} other than 1 is refused. Every store writes this document (or, like Redis,
 * the same fields spread over a hash), so Python's {@code json} or PHP's {@code json_decode} read and write
 * sessions with nothing else.
 *
 * <p>Reading is bounded: nesting deeper than {@value #MAX_NESTING_DEPTH}, strings longer than
 * {@value #MAX_STRING_LENGTH} characters and documents over {@value #MAX_DOCUMENT_LENGTH} bytes are refused
 * with a {@link UnreadableEntryException}, never a {@link StackOverflowError} or an out-of-memory. Writing
 * refuses nesting deeper than {@value #MAX_NESTING_DEPTH} too. Nothing is ever read by class name: default
 * typing is off and the polymorphic type validator accepts no class, so a store dump is data, never code.
 *
 * <p>Decoding keeps each attribute's exact JSON text, so a value written by another program reads back
 * to the same characters whatever its number precision or escaping. Non-finite doubles
 * ({@code NaN}, infinities) are written as the strings {@code "NaN"}, {@code "Infinity"} and
 * {@code "-Infinity"}, which typed reads of {@code double} turn back into the same values.
 *
 * <p>Thread-safe; all methods are static.
 */
public final class SessionCodec {

    /** The document format version this codec writes and the only one it reads. */
    public static final int FORMAT_VERSION = 1;
    /** Deepest nesting of arrays and objects read or written. */
    public static final int MAX_NESTING_DEPTH = 200;
    /** Longest string, in characters, read. */
    public static final int MAX_STRING_LENGTH = 16 * 1024 * 1024;
    /** Largest document, in bytes, read. */
    public static final long MAX_DOCUMENT_LENGTH = 32L * 1024 * 1024;
    /** Longest property name, in characters, read or written: attribute names and names inside values. */
    public static final int MAX_NAME_LENGTH = 50_000;
    /**
     * Deepest nesting of one attribute value: the document's own object and its {@code attrs} object take
     * two of the {@value #MAX_NESTING_DEPTH} levels.
     */
    public static final int MAX_VALUE_NESTING_DEPTH = MAX_NESTING_DEPTH - 2;

    private static final JsonMapper MAPPER = newMapper();

    private SessionCodec() {}

    /**
     * The mapper every Satchel JSON read and write goes through: the limits above, no default typing, no
     * class-name type ids, unknown properties ignored. Immutable and shared; derive a changed copy with
     * {@code rebuild()} if a store needs one.
     */
    public static JsonMapper jsonMapper() {
        return MAPPER;
    }

    /** Encodes {@code record} as the UTF-8 bytes of the stored document. */
    public static byte[] encode(SessionRecord record) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(256 + 64 * record.attributeCount());
        try (JsonGenerator g = MAPPER.createGenerator(out)) {
            g.writeStartObject();
            g.writeNumberProperty("v", FORMAT_VERSION);
            g.writeStringProperty("id", record.id());
            g.writeStringProperty("randval", record.randval());
            g.writeNumberProperty("created", record.created());
            g.writeNumberProperty("lastAccess", record.lastAccess());
            g.writeNumberProperty("idleTimeoutMs", record.idleTimeoutMillis());
            g.writeName("deadline");
            if (record.deadline() == SessionRecord.NO_DEADLINE) {
                g.writeNull();
            } else {
                g.writeNumber(record.deadline());
            }
            g.writeStringProperty("principal", record.principal());
            g.writeNumberProperty("version", record.version());
            g.writeName("attrs");
            g.writeStartObject();
            for (int i = 0, n = record.attributeCount(); i < n; i++) {
                g.writeName(record.attributeName(i));
                g.writeRawValue(record.attributeValue(i));
            }
            g.writeEndObject();
            g.writeEndObject();
        }
        return out.toByteArray();
    }

    /**
     * Decodes a stored document. Attribute values keep their exact JSON text.
     *
     * @throws UnreadableEntryException if {@code document} is not a complete, valid version-1 document;
     *     never returns a partly filled record
     */
    public static SessionRecord decode(byte[] document) {
        if (document == null) {
            throw new UnreadableEntryException("session document is null");
        }
        try (JsonParser p = MAPPER.createParser(document)) {
            return readDocument(p, document);
        } catch (UnreadableEntryException e) {
            throw newerFormatOr(document, e);
        } catch (JacksonException e) {
            throw newerFormatOr(document,
                    new UnreadableEntryException("session document is not valid JSON: " + describe(e), e));
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw newerFormatOr(document,
                    new UnreadableEntryException("session document has an invalid field: " + e.getMessage(), e));
        }
    }

    /** Decodes a stored document held as text; see {@link #decode(byte[])}. */
    public static SessionRecord decode(String document) {
        if (document == null) {
            throw new UnreadableEntryException("session document is null");
        }
        return decode(document.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Checks that {@code json} is exactly one well-formed JSON value within the limits and returns its text
     * without surrounding whitespace, for stores that keep attribute values apart from the document (Redis
     * hash fields, SQL columns).
     *
     * @throws UnreadableEntryException if it is not
     */
    public static String checkedValue(String json) {
        if (json == null) {
            throw new UnreadableEntryException("attribute value is null");
        }
        try (JsonParser p = MAPPER.createParser(json)) {
            if (p.nextToken() == null) {
                throw new UnreadableEntryException("attribute value is empty");
            }
            long start = p.currentTokenLocation().getCharOffset();
            if (p.currentToken().isStructStart()) {
                p.skipChildren();
            } else {
                p.finishToken();
            }
            long end = p.currentLocation().getCharOffset();
            if (p.nextToken() != null) {
                throw new UnreadableEntryException("attribute value has more than one JSON value");
            }
            // The common case, a value this codec wrote, is returned as it is: no copy.
            return start == 0 && end == json.length() ? json : json.substring((int) start, (int) end);
        } catch (JacksonException e) {
            throw new UnreadableEntryException("attribute value is not valid JSON: " + describe(e), e);
        }
    }

    /**
     * Exactly {@link #checkedValue}'s answer and failures, cheaper for the values this codec writes: a value
     * in compact form (no whitespace outside strings, no surrogates, at most {@value #QUICK_SCAN_LENGTH}
     * characters, nested at most {@value #QUICK_SCAN_DEPTH} levels, numbers of at most
     * {@value #QUICK_SCAN_NUMBER_LENGTH} characters) is checked by one scan that allocates nothing and
     * returned as it is; anything else, valid or not, goes to {@link #checkedValue}. For stores that read
     * many values per session (Redis hash fields). Thread-safe.
     *
     * @throws UnreadableEntryException if {@code json} is not one valid JSON value within the limits
     */
    public static String checkedStoredValue(String json) {
        if (json != null && json.length() <= QUICK_SCAN_LENGTH && QuickScan.value(json, 0, 0) == json.length()) {
            return json;
        }
        return checkedValue(json);
    }

    /** Longest value {@link #checkedStoredValue} checks itself; below {@link #MAX_NAME_LENGTH}, so no name is too long. */
    static final int QUICK_SCAN_LENGTH = 16 * 1024;
    /** Deepest nesting {@link #checkedStoredValue} checks itself; below the parser's limit. */
    static final int QUICK_SCAN_DEPTH = 64;
    /** Longest number {@link #checkedStoredValue} checks itself; below the parser's limit. */
    static final int QUICK_SCAN_NUMBER_LENGTH = 64;

    /**
     * A strict RFC 8259 scanner for a subset of JSON that the parser accepts whole: each method returns the
     * index after the token that starts at {@code i}, or -1 when the text leaves the subset (it may still
     * be valid: {@link #checkedValue} decides).
     */
    private static final class QuickScan {
        private QuickScan() {}

        static int value(String s, int i, int depth) {
            if (i >= s.length()) {
                return -1;
            }
            switch (s.charAt(i)) {
                case '{':
                    return object(s, i + 1, depth + 1);
                case '[':
                    return array(s, i + 1, depth + 1);
                case '"':
                    return string(s, i);
                case 't':
                    return s.startsWith("true", i) ? i + 4 : -1;
                case 'f':
                    return s.startsWith("false", i) ? i + 5 : -1;
                case 'n':
                    return s.startsWith("null", i) ? i + 4 : -1;
                default:
                    return number(s, i);
            }
        }

        private static int object(String s, int i, int depth) {
            if (depth > QUICK_SCAN_DEPTH || i >= s.length()) {
                return -1;
            }
            if (s.charAt(i) == '}') {
                return i + 1;
            }
            while (true) {
                if (i >= s.length() || s.charAt(i) != '"') {
                    return -1;
                }
                i = string(s, i);
                if (i < 0 || i >= s.length() || s.charAt(i) != ':') {
                    return -1;
                }
                i = value(s, i + 1, depth);
                if (i < 0 || i >= s.length()) {
                    return -1;
                }
                char c = s.charAt(i++);
                if (c == '}') {
                    return i;
                }
                if (c != ',') {
                    return -1;
                }
            }
        }

        private static int array(String s, int i, int depth) {
            if (depth > QUICK_SCAN_DEPTH || i >= s.length()) {
                return -1;
            }
            if (s.charAt(i) == ']') {
                return i + 1;
            }
            while (true) {
                i = value(s, i, depth);
                if (i < 0 || i >= s.length()) {
                    return -1;
                }
                char c = s.charAt(i++);
                if (c == ']') {
                    return i;
                }
                if (c != ',') {
                    return -1;
                }
            }
        }

        /** {@code s.charAt(i)} is the opening quote. */
        private static int string(String s, int i) {
            int n = s.length();
            for (i++; i < n; ) {
                char c = s.charAt(i);
                if (c == '"') {
                    return i + 1;
                }
                if (c == '\\') {
                    if (i + 1 >= n) {
                        return -1;
                    }
                    char e = s.charAt(i + 1);
                    if (e == 'u') {
                        if (i + 5 >= n) {
                            return -1;
                        }
                        int code = 0;
                        for (int k = i + 2; k < i + 6; k++) {
                            int d = hex(s.charAt(k));
                            if (d < 0) {
                                return -1;
                            }
                            code = code << 4 | d;
                        }
                        if (Character.isSurrogate((char) code)) {
                            return -1;
                        }
                        i += 6;
                    } else if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r'
                            || e == 't') {
                        i += 2;
                    } else {
                        return -1;
                    }
                } else if (c < 0x20 || Character.isSurrogate(c)) {
                    return -1;
                } else {
                    i++;
                }
            }
            return -1;
        }

        private static int number(String s, int i) {
            int n = s.length();
            int start = i;
            if (i < n && s.charAt(i) == '-') {
                i++;
            }
            if (i >= n) {
                return -1;
            }
            char c = s.charAt(i);
            if (c == '0') {
                i++;
            } else if (c >= '1' && c <= '9') {
                i = digits(s, i);
            } else {
                return -1;
            }
            if (i < n && s.charAt(i) == '.') {
                int after = digits(s, i + 1);
                if (after == i + 1) {
                    return -1;
                }
                i = after;
            }
            if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
                i++;
                if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                    i++;
                }
                int after = digits(s, i);
                if (after == i) {
                    return -1;
                }
                i = after;
            }
            return i - start > QUICK_SCAN_NUMBER_LENGTH ? -1 : i;
        }

        /** ASCII only: {@link Character#digit} would take other scripts' digits, which JSON does not. */
        private static int hex(char c) {
            return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
        }

        private static int digits(String s, int i) {
            int n = s.length();
            while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9') {
                i++;
            }
            return i;
        }
    }

    /**
     * {@code corrupt}, unless the document declares a format newer than this one: a newer writer may have
     * changed any other field, so its document is judged by its {@code "v"} alone and never called corrupt.
     */
    private static UnreadableEntryException newerFormatOr(byte[] document, UnreadableEntryException corrupt) {
        if (corrupt.newerFormat()) {
            return corrupt;
        }
        try (JsonParser p = MAPPER.createParser(document)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return corrupt;
            }
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String field = p.currentName();
                JsonToken t = p.nextToken();
                if (field.equals("v")) {
                    if (t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER
                            && p.getLongValue() > FORMAT_VERSION) {
                        return UnreadableEntryException.newerFormat(p.getLongValue());
                    }
                    return corrupt;
                }
                p.skipChildren();
            }
        } catch (JacksonException e) {
            // broken before a "v" was found: corrupt as first judged
        }
        return corrupt;
    }

    /**
     * Checks that the JSON text of one attribute value, as this codec wrote it, stays within what every store
     * reads back: nesting at most {@value #MAX_VALUE_NESTING_DEPTH} levels, strings at most
     * {@value #MAX_STRING_LENGTH} characters, property names at most {@value #MAX_NAME_LENGTH} characters,
     * and no unpaired surrogate (raw, or escaped as {@code \uD800}), which UTF-8 cannot hold and other
     * languages' JSON readers refuse. One pass, no allocation.
     *
     * @throws IllegalArgumentException naming the attribute and the limit
     */
    public static void checkValueLimits(String name, String json) {
        int depth = 0;
        int n = json.length();
        int i = 0;
        while (i < n) {
            char c = json.charAt(i);
            if (c == '"') {
                int start = ++i;
                while (i < n && json.charAt(i) != '"') {
                    char d = json.charAt(i);
                    if (d == '\\') {
                        if (i + 1 < n && json.charAt(i + 1) == 'u' && i + 5 < n) {
                            char u = (char) Integer.parseInt(json, i + 2, i + 6, 16);
                            if (Character.isHighSurrogate(u)) {
                                if (!(i + 11 < n && json.charAt(i + 6) == '\\' && json.charAt(i + 7) == 'u'
                                        && Character.isLowSurrogate((char) Integer.parseInt(json, i + 8, i + 12, 16)))) {
                                    throw unpairedSurrogate(name);
                                }
                                i += 12;
                                continue;
                            } else if (Character.isLowSurrogate(u)) {
                                throw unpairedSurrogate(name);
                            }
                            i += 6;
                            continue;
                        }
                        i += 2;
                        continue;
                    }
                    if (Character.isHighSurrogate(d) && i + 1 < n && Character.isLowSurrogate(json.charAt(i + 1))) {
                        i += 2;
                        continue;
                    }
                    if (Character.isSurrogate(d)) {
                        throw unpairedSurrogate(name);
                    }
                    i++;
                }
                int length = i - start;
                i++; // the closing quote
                int next = i;
                while (next < n && json.charAt(next) <= ' ') {
                    next++;
                }
                boolean isName = next < n && json.charAt(next) == ':';
                if (isName && length > MAX_NAME_LENGTH) {
                    throw new IllegalArgumentException("value of attribute '" + abbreviated(name)
                            + "' has a property name longer than " + MAX_NAME_LENGTH + " characters");
                }
                if (!isName && length > MAX_STRING_LENGTH) {
                    throw new IllegalArgumentException("value of attribute '" + abbreviated(name)
                            + "' has a string longer than " + MAX_STRING_LENGTH + " characters");
                }
                continue;
            }
            if (c == '{' || c == '[') {
                if (++depth > MAX_VALUE_NESTING_DEPTH) {
                    throw new IllegalArgumentException("value of attribute '" + abbreviated(name)
                            + "' is nested deeper than " + MAX_VALUE_NESTING_DEPTH + " levels");
                }
            } else if (c == '}' || c == ']') {
                depth--;
            }
            i++;
        }
    }

    /**
     * Checks an attribute name: at most {@value #MAX_NAME_LENGTH} characters and no unpaired surrogate.
     *
     * @throws IllegalArgumentException naming the limit
     * @throws NullPointerException if {@code name} is null
     */
    public static void checkName(String name) {
        if (name == null) {
            throw new NullPointerException("name");
        }
        if (name.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("attribute name is longer than " + MAX_NAME_LENGTH + " characters");
        }
        for (int i = 0, n = name.length(); i < n; i++) {
            char c = name.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < n && Character.isLowSurrogate(name.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException("attribute name has an unpaired surrogate at index " + i);
            }
        }
    }

    /**
     * The JSON text Jackson writes for {@code value}, for the values a request most often puts, written
     * without Jackson's generator (whose per-call state is most of what a one-attribute commit allocates):
     * {@code null}, {@code Boolean}, {@code Integer}, {@code Long}, {@code Short}, {@code Byte}, and a
     * {@code String} of printable ASCII without a quote, backslash or slash (nothing Jackson escapes). Anything
     * else is {@code null}: Jackson writes it.
     */
    static String simpleJson(Object value) {
        if (value == null) {
            return "null";
        }
        Class<?> type = value.getClass();
        if (type == Integer.class || type == Long.class || type == Short.class || type == Byte.class) {
            return value.toString();
        }
        if (type == Boolean.class) {
            return (Boolean) value ? "true" : "false";
        }
        if (type == String.class) {
            String s = (String) value;
            int n = s.length();
            if (n > 4096) {
                return null;
            }
            byte[] quoted = new byte[n + 2];
            quoted[0] = '"';
            for (int i = 0; i < n; i++) {
                char c = s.charAt(i);
                if (c < 0x20 || c > 0x7E || c == '"' || c == '\\' || c == '/') {
                    return null;
                }
                quoted[i + 1] = (byte) c;
            }
            quoted[n + 1] = '"';
            return new String(quoted, StandardCharsets.ISO_8859_1);
        }
        return null;
    }

    /**
     * An upper bound of the size, in bytes, of {@code record}'s stored document ({@link #encode}), computed
     * without encoding it: names counted as if every character needed a six-byte escape, values at their
     * UTF-8 length.
     */
    public static long encodedLengthBound(SessionRecord record) {
        long size = 256; // the fixed fields: v, id, randval, five numbers and their names
        String principal = record.principal();
        if (principal != null) {
            size += 6L * principal.length();
        }
        for (int i = 0, n = record.attributeCount(); i < n; i++) {
            size += 6L * record.attributeName(i).length() + 4 + record.attributeValueUtf8Length(i);
        }
        return size;
    }

    /**
     * {@link #encodedLengthBound(SessionRecord)} of the record {@code changes} makes of {@code base}, computed
     * from {@code base}'s bound and the change alone, without building that record.
     */
    static long encodedLengthBound(SessionRecord base, ChangeSet changes) {
        long size = encodedLengthBound(base);
        if (changes.principalChanged()) {
            String before = base.principal();
            String after = changes.principal();
            size += 6L * ((after == null ? 0 : after.length()) - (before == null ? 0 : before.length()));
        }
        for (String name : changes.removedNames()) {
            int i = base.indexOf(name);
            if (i >= 0) {
                size -= 6L * name.length() + 4 + base.attributeValueUtf8Length(i);
            }
        }
        String[] setNames = changes.setNames();
        String[] setValues = changes.setValues();
        for (int k = 0; k < setNames.length; k++) {
            String name = setNames[k];
            // A name both removed and set (the public constructor allows it) was taken out above already.
            int i = java.util.Arrays.binarySearch(changes.removedNames(), name) >= 0 ? -1 : base.indexOf(name);
            if (i >= 0) {
                size -= base.attributeValueUtf8Length(i);
            } else {
                size += 6L * name.length() + 4;
            }
            size += utf8Length(setValues[k]);
        }
        return size;
    }

    /**
     * {@link #encodedLengthBound(SessionRecord)} of the record {@code changes.applyTo(changes.base())} would
     * give — the base's bound with the changed principal and attributes taken out and put in — without
     * building that record. For a manager's size check before each write. Thread-safe.
     */
    public static long encodedLengthBound(ChangeSet changes) {
        return encodedLengthBound(changes.base(), changes);
    }

    private static long utf8Length(String s) {
        long bytes = 0;
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            bytes += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isSurrogate(c) ? 2 : 3;
        }
        return bytes;
    }

    private static IllegalArgumentException unpairedSurrogate(String name) {
        return new IllegalArgumentException("value of attribute '" + abbreviated(name)
                + "' has an unpaired surrogate, which cannot be stored as UTF-8");
    }

    /** Attribute names are the application's, but may be huge: never put more than 100 characters in a message. */
    private static String abbreviated(String name) {
        return name.length() <= 100 ? name : name.substring(0, 100) + "…";
    }

    private static SessionRecord readDocument(JsonParser p, byte[] document) {
        if (p.nextToken() != JsonToken.START_OBJECT) {
            throw new UnreadableEntryException("session document is not a JSON object");
        }
        long v = -1;
        String id = null;
        String randval = null;
        long created = -1;
        long lastAccess = -1;
        long idle = -1;
        long version = -1;
        long deadline = SessionRecord.NO_DEADLINE;
        String principal = null;
        TreeMap<String, String> attrs = null;
        JsonToken t;
        while ((t = p.nextToken()) == JsonToken.PROPERTY_NAME) {
            String field = p.currentName();
            t = p.nextToken();
            switch (field) {
                case "v": v = readLong(p, t, field); break;
                case "id": id = readString(p, t, field); break;
                case "randval": randval = readString(p, t, field); break;
                case "created": created = readLong(p, t, field); break;
                case "lastAccess": lastAccess = readLong(p, t, field); break;
                case "idleTimeoutMs": idle = readLong(p, t, field); break;
                case "version": version = readLong(p, t, field); break;
                case "deadline":
                    deadline = t == JsonToken.VALUE_NULL ? SessionRecord.NO_DEADLINE : readLong(p, t, field);
                    break;
                case "principal":
                    principal = t == JsonToken.VALUE_NULL ? null : readString(p, t, field);
                    break;
                case "attrs":
                    attrs = t == JsonToken.VALUE_NULL ? null : readAttributes(p, t, document);
                    break;
                default:
                    p.skipChildren(); // a field from a newer writer
            }
        }
        if (t != JsonToken.END_OBJECT || p.nextToken() != null) {
            throw new UnreadableEntryException("session document does not end after its object");
        }
        if (v > FORMAT_VERSION) {
            throw UnreadableEntryException.newerFormat(v);
        }
        if (v != FORMAT_VERSION) {
            throw new UnreadableEntryException(v < 0
                    ? "session document has no format version \"v\""
                    : "session document has unsupported format version " + v);
        }
        if (!SessionIds.isValid(id)) {
            throw new UnreadableEntryException("session document has a missing or malformed \"id\"");
        }
        if (!SessionIds.isValid(randval)) {
            throw new UnreadableEntryException("session document has a missing or malformed \"randval\"");
        }
        requirePresent(created, "created");
        requirePresent(lastAccess, "lastAccess");
        requirePresent(idle, "idleTimeoutMs");
        requirePresent(version, "version");
        SessionRecord.Builder b = SessionRecord.builder(id, randval)
                .created(created).lastAccess(lastAccess).idleTimeoutMillis(idle)
                .deadline(deadline).principal(principal).version(version);
        if (attrs != null) {
            attrs.forEach(b::attribute);
        }
        return b.build();
    }

    private static TreeMap<String, String> readAttributes(JsonParser p, JsonToken t, byte[] document) {
        if (t != JsonToken.START_OBJECT) {
            throw new UnreadableEntryException("session document field \"attrs\" is not an object");
        }
        TreeMap<String, String> attrs = new TreeMap<>();
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = p.currentName();
            p.nextToken();
            attrs.put(name, valueText(p, document));
        }
        return attrs;
    }

    /** The exact text of the value starting at the current token, which is consumed. */
    private static String valueText(JsonParser p, byte[] source) {
        long start = p.currentTokenLocation().getByteOffset();
        if (p.currentToken().isStructStart()) {
            p.skipChildren();
        } else {
            p.finishToken(); // a lazily read string is consumed only now
        }
        long end = p.currentLocation().getByteOffset();
        if (start < 0 || end > source.length || end <= start) {
            throw new UnreadableEntryException("attribute value has no readable extent");
        }
        return new String(source, (int) start, (int) (end - start), StandardCharsets.UTF_8);
    }

    private static long readLong(JsonParser p, JsonToken t, String field) {
        if (t != JsonToken.VALUE_NUMBER_INT || p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            throw new UnreadableEntryException("session document field \"" + field + "\" is not a 64-bit integer");
        }
        long value = p.getLongValue();
        if (value < 0) {
            throw new UnreadableEntryException("session document field \"" + field + "\" is negative");
        }
        return value;
    }

    private static String readString(JsonParser p, JsonToken t, String field) {
        if (t != JsonToken.VALUE_STRING) {
            throw new UnreadableEntryException("session document field \"" + field + "\" is not a string");
        }
        return p.getString();
    }

    private static void requirePresent(long value, String field) {
        if (value < 0) {
            throw new UnreadableEntryException("session document has no \"" + field + "\"");
        }
    }

    /** The JSON text of {@code value}; see {@link Session#put}. */
    public static String toJson(String name, Object value) {
        String simple = simpleJson(value);
        if (simple != null) {
            return simple;
        }
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JacksonException e) {
            throw new IllegalArgumentException(
                    "value of attribute '" + name + "' cannot be written as JSON: " + describe(e), e);
        }
    }

    /** {@code value} read back as plain Java data; see {@link Session#get(String)}. */
    public static Object fromJson(String name, String json) {
        return fromJson(name, json, Object.class);
    }

    /** {@code value} read as {@code type}; see {@link Session#get(String, Class)}. */
    public static <T> T fromJson(String name, String json, Class<T> type) {
        // Most attributes are short strings read on every request: a literal without escapes is its own text,
        // so it skips Jackson (a parser per read was the largest share of a cached request's attribute reads).
        if ((type == Object.class || type == String.class) && isPlainStringLiteral(json)) {
            return type.cast(json.substring(1, json.length() - 1));
        }
        // Counters and flags are the next most common: an int or long literal, true or false, read as Jackson
        // reads them untyped (Integer when it fits, else Long) or as the type asked for.
        if (type == Object.class || type == Integer.class || type == Long.class || type == Boolean.class) {
            Object simple = simpleValue(json, type);
            if (simple != null) {
                return type.cast(simple);
            }
        }
        try {
            return MAPPER.readValue(json, type);
        } catch (JacksonException e) {
            throw new IllegalArgumentException(
                    "attribute '" + name + "' cannot be read as " + type.getName() + ": " + describe(e), e);
        }
    }

    /**
     * {@code json} read as {@code type} (Object, Integer, Long or Boolean) when it is {@code true}, {@code false}
     * or an integer literal of at most 18 digits (so it fits a long) in JSON's own grammar (no leading zero, no
     * plus sign); {@code null} otherwise, and for a literal {@code type} does not take: Jackson reads those.
     */
    static Object simpleValue(String json, Class<?> type) {
        int n = json.length();
        if (type == Object.class || type == Boolean.class) {
            if (json.equals("true")) {
                return Boolean.TRUE;
            }
            if (json.equals("false")) {
                return Boolean.FALSE;
            }
        }
        if (type == Boolean.class) {
            return null;
        }
        int first = n > 0 && json.charAt(0) == '-' ? 1 : 0;
        int digits = n - first;
        if (digits < 1 || digits > 18 || (digits > 1 && json.charAt(first) == '0')) {
            return null;
        }
        long v = 0;
        for (int i = first; i < n; i++) {
            char c = json.charAt(i);
            if (c < '0' || c > '9') {
                return null;
            }
            v = v * 10 + (c - '0');
        }
        if (first == 1) {
            v = -v;
        }
        if (type == Long.class) {
            return Long.valueOf(v);
        }
        if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            return Integer.valueOf((int) v);
        }
        // (Not a conditional expression: one of Integer and Long would unbox both to long.)
        if (type == Object.class) {
            return Long.valueOf(v);
        }
        return null;
    }

    /** Whether {@code json} is a JSON string literal with no escape, quote or control character inside. */
    static boolean isPlainStringLiteral(String json) {
        int n = json.length();
        if (n < 2 || json.charAt(0) != '"' || json.charAt(n - 1) != '"') {
            return false;
        }
        for (int i = 1; i < n - 1; i++) {
            char c = json.charAt(i);
            if (c < 0x20 || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    /** {@code value} read as {@code type}; see {@link Session#get(String, TypeReference)}. */
    public static <T> T fromJson(String name, String json, TypeReference<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (JacksonException e) {
            throw new IllegalArgumentException(
                    "attribute '" + name + "' cannot be read as " + type.getType() + ": " + describe(e), e);
        }
    }

    /**
     * What went wrong and where, without Jackson's message, which may quote the input (a randval, say).
     * Limit violations name only the limit, so their message is kept.
     */
    private static String describe(JacksonException e) {
        if (e instanceof StreamConstraintsException) {
            return e.getOriginalMessage();
        }
        TokenStreamLocation at = e.getLocation();
        String where = at == null || at.getByteOffset() < 0 ? "" : " at byte " + at.getByteOffset();
        return e.getClass().getSimpleName() + where;
    }

    private static JsonMapper newMapper() {
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder()
                        .maxNestingDepth(MAX_NESTING_DEPTH)
                        .maxStringLength(MAX_STRING_LENGTH)
                        .maxDocumentLength(MAX_DOCUMENT_LENGTH)
                        .maxNameLength(MAX_NAME_LENGTH)
                        .build())
                .streamWriteConstraints(StreamWriteConstraints.builder()
                        .maxNestingDepth(MAX_NESTING_DEPTH)
                        .build())
                // Parse errors must not quote the input: a stored document holds the randval.
                .errorReportConfiguration(ErrorReportConfiguration.builder()
                        .maxErrorTokenLength(0)
                        .maxRawContentLength(0)
                        .build())
                .build();
        return JsonMapper.builder(factory)
                // No class is acceptable as a polymorphic subtype, even where a user type asks for one.
                .polymorphicTypeValidator(BasicPolymorphicTypeValidator.builder().build())
                // A value with nothing to write ({@code new Object()}) would read back as a default object.
                .enable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                // An OffsetDateTime reads back with the offset it was put with, not shifted to UTC.
                .disable(DateTimeFeature.ADJUST_DATES_TO_CONTEXT_TIME_ZONE)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .build();
    }
}
