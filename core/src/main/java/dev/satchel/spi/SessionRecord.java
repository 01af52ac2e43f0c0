package dev.satchel.spi;

import dev.satchel.Session;
import dev.satchel.SessionManager;
import dev.satchel.SigningKeys;
import java.nio.charset.StandardCharsets;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The persisted state of one session, immutable: id, randval, creation and last-access times, idle timeout,
 * absolute deadline, optional principal name, version and attributes.
 *
 * <p>Times are epoch milliseconds. Attribute values are held as JSON text (see {@link SessionCodec}); a
 * record is therefore a plain value that any store can write and any language can read. A record with no
 * absolute deadline has {@link #deadline()} {@link #NO_DEADLINE}.
 *
 * <p>Records are created by {@link SessionManager#newSession()} and by stores through {@link #builder}.
 * Instances are immutable and safe to share between threads, which is what lets a cache hand the same
 * record to many requests while each works on its own {@link Session} copy.
 */
public final class SessionRecord {

    /** {@link #deadline()} of a session without an absolute timeout. */
    public static final long NO_DEADLINE = Long.MAX_VALUE;

    private static final String[] NO_STRINGS = new String[0];

    private final String id;
    private final long created;
    private final long lastAccess;
    private final long idleTimeoutMillis;
    private final long deadline;
    private final String principal;
    private final long version;
    /**
     * Attribute names in ascending order; an array is never changed once built, so records that hold the
     * same names share one (a change of a value keeps its base's array, and {@link Names} shares common ones).
     */
    private final String[] names;
    /**
     * The randval and every attribute's JSON text in one array, since a record is mostly these texts and one
     * object with a single header costs less heap than a {@code String} (two objects) per value: first one
     * 4-byte end offset per attribute (in characters, counted from the start of the randval), then the
     * characters — the randval's {@link SessionIds#LENGTH}, then each value's — one byte each (Latin-1)
     * unless {@link #wide}, then two (UTF-16, high byte first), which keeps any {@code char} sequence exact.
     */
    private final byte[] text;
    private final boolean wide;

    /**
     * Expected cookie digests of this record under one set of signing keys, computed on first use so a
     * cached record is signed once, not once per request. Racy by design: every value written is complete
     * and immutable, and a lost race only computes the same digests again.
     */
    private Object digests;

    /**
     * The memo {@link dev.satchel.SigningKeys} keeps on this record (its cookie digests), or {@code null}.
     * Derived only from the id and randval, so any thread may set it and a lost race costs a recomputation;
     * a record merged from this one under the same id and randval starts with the same memo.
     */
    public Object digestMemo() {
        return digests;
    }

    /** Sets the memo of {@link #digestMemo()}. */
    public void digestMemo(Object memo) {
        this.digests = memo;
    }

    private SessionRecord(String id, long created, long lastAccess, long idleTimeoutMillis, long deadline,
            String principal, long version, String[] names, byte[] text, boolean wide) {
        this.id = id;
        this.created = created;
        this.lastAccess = lastAccess;
        this.idleTimeoutMillis = idleTimeoutMillis;
        this.deadline = deadline;
        this.principal = principal;
        this.version = version;
        this.names = names;
        this.text = text;
        this.wide = wide;
    }

    /**
     * Starts a record for session {@code id} with secret {@code randval}; both must be valid ids
     * ({@link SessionIds#isValid}).
     *
     * @throws IllegalArgumentException if either is not a valid id
     */
    public static Builder builder(String id, String randval) {
        return new Builder(id, randval);
    }

    /** Returns a builder holding every field of this record, to derive a changed copy. */
    public Builder toBuilder() {
        return toBuilder(id, randval());
    }

    /** A builder holding every field of this record but under another id and randval, at version 0. */
    public Builder toBuilder(String newId, String newRandval) {
        Builder b = new Builder(newId, newRandval);
        b.created = created;
        b.lastAccess = lastAccess;
        b.idleTimeoutMillis = idleTimeoutMillis;
        b.deadline = deadline;
        b.principal = principal;
        b.version = newId.equals(id) ? version : 0;
        for (int i = 0; i < names.length; i++) {
            b.attributes.put(names[i], attributeValue(i));
        }
        return b;
    }

    /** The session id. */
    public String id() {
        return id;
    }

    /** The server-side secret the cookie digest is computed over; never sent to the client. */
    public String randval() {
        return slice(0, SessionIds.LENGTH);
    }

    /** Creation time, epoch milliseconds. */
    public long created() {
        return created;
    }

    /** Time of the last stored access, epoch milliseconds. */
    public long lastAccess() {
        return lastAccess;
    }

    /** Idle timeout in milliseconds, always positive. */
    public long idleTimeoutMillis() {
        return idleTimeoutMillis;
    }

    /** Absolute deadline, epoch milliseconds, or {@link #NO_DEADLINE}. */
    public long deadline() {
        return deadline;
    }

    /** The principal (user) name this session is logged in as, or {@code null}. */
    public String principal() {
        return principal;
    }

    /** Number of stored changes; 0 for a record that has never been stored. */
    public long version() {
        return version;
    }

    /** The instant this session expires: {@code min(lastAccess + idleTimeout, deadline)}, epoch milliseconds. */
    public long expiresAt() {
        long idleEnd = lastAccess + idleTimeoutMillis;
        if (idleEnd < lastAccess) { // overflow: an idle timeout that never ends
            idleEnd = Long.MAX_VALUE;
        }
        return Math.min(idleEnd, deadline);
    }

    /** Whether this session is expired at {@code nowMillis} (epoch milliseconds). */
    public boolean isExpiredAt(long nowMillis) {
        return nowMillis >= expiresAt();
    }

    /** The JSON text of attribute {@code name}, or {@code null} when there is none. */
    public String attribute(String name) {
        int i = indexOf(name);
        return i >= 0 ? attributeValue(i) : null;
    }

    /** Number of attributes. */
    public int attributeCount() {
        return names.length;
    }

    /** An unmodifiable view of the attributes: name to JSON text, in ascending name order. */
    public Map<String, String> attributes() {
        return new AttributeView();
    }

    /** Not the id, randval or any value: records end up in logs and exception messages. */
    @Override
    public String toString() {
        return "SessionRecord[version=" + version + ", attributes=" + names.length + "]";
    }

    /**
     * The name of the attribute at {@code index} ({@code 0 <= index < attributeCount()}), in ascending name
     * order: with {@link #attributeValue} an allocation-free way to walk the attributes.
     */
    public String attributeName(int index) {
        return names[index];
    }

    /**
     * The JSON text of the attribute at {@code index}; see {@link #attributeName}. A new {@code String} per
     * call (the record keeps its values packed): walk with {@link #attributeValueUtf8Length} to only count.
     */
    public String attributeValue(int index) {
        return slice(start(index), end(index));
    }

    /** The number of bytes the JSON text of the attribute at {@code index} takes in UTF-8, counted without allocating. */
    public long attributeValueUtf8Length(int index) {
        long bytes = 0;
        for (int k = start(index), end = end(index); k < end; k++) {
            char c = charAt(k);
            if (c < 0x80) {
                bytes++;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && k + 1 < end && Character.isLowSurrogate(charAt(k + 1))) {
                bytes += 4;
                k++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }

    /** The index of attribute {@code name}, or a negative number when there is none. */
    int indexOf(String name) {
        return Arrays.binarySearch(names, name);
    }

    /**
     * The record {@code changes} makes of this one (see {@link ChangeSet#applyTo}), built directly: the values
     * this change leaves alone are copied from this record's packed text, only the changed ones are read from
     * their {@code String}s, the names array is this record's when the names stay the same, and the digest
     * memo carries over (same id and randval).
     */
    SessionRecord merged(ChangeSet changes, long newLastAccess, long newVersion) {
        String[] setNames = changes.setNames();
        String[] setValues = changes.setValues();
        String[] removed = changes.removedNames();
        int nb = names.length;
        int ns = setNames.length;
        int nr = removed.length;
        // First walk of the two sorted name lists: the size of the result, and whether it keeps our names.
        int count = 0;
        int chars = SessionIds.LENGTH;
        boolean newWide = wide;
        boolean sameNames = true;
        for (int b = 0, s = 0, r = 0; b < nb || s < ns; ) {
            int cmp = b >= nb ? 1 : s >= ns ? -1 : names[b].compareTo(setNames[s]);
            if (cmp < 0) {
                while (r < nr && removed[r].compareTo(names[b]) < 0) {
                    r++;
                }
                if (r < nr && removed[r].equals(names[b])) {
                    sameNames = false;
                } else {
                    chars += end(b) - start(b);
                    count++;
                }
                b++;
            } else {
                chars += setValues[s].length();
                newWide |= !latin1(setValues[s]);
                count++;
                sameNames &= cmp == 0;
                if (cmp == 0) {
                    b++;
                }
                s++;
            }
        }
        String[] newNames = sameNames ? names : new String[count];
        byte[] packed = new byte[4 * count + (chars << (newWide ? 1 : 0))];
        int data = 4 * count;
        int at = copyChars(0, SessionIds.LENGTH, packed, data, 0, newWide);
        int i = 0;
        // Second walk: the same order, now writing.
        for (int b = 0, s = 0, r = 0; b < nb || s < ns; ) {
            int cmp = b >= nb ? 1 : s >= ns ? -1 : names[b].compareTo(setNames[s]);
            if (cmp < 0) {
                while (r < nr && removed[r].compareTo(names[b]) < 0) {
                    r++;
                }
                if (!(r < nr && removed[r].equals(names[b]))) {
                    newNames[i] = names[b];
                    at = copyChars(start(b), end(b), packed, data, at, newWide);
                    putInt(packed, 4 * i++, at);
                }
                b++;
            } else {
                newNames[i] = setNames[s];
                at = putString(setValues[s], packed, data, at, newWide);
                putInt(packed, 4 * i++, at);
                if (cmp == 0) {
                    b++;
                }
                s++;
            }
        }
        SessionRecord merged = new SessionRecord(id, created, newLastAccess,
                changes.idleTimeoutChanged() ? changes.idleTimeoutMillis() : idleTimeoutMillis,
                changes.deadlineChanged() ? changes.deadline() : deadline,
                changes.principalChanged() ? changes.principal() : principal,
                newVersion, sameNames ? names : Names.shared(newNames), packed, newWide);
        merged.digests = digests;
        return merged;
    }

    // ---- the packed text ----

    private static SessionRecord packed(String id, String randval, long created, long lastAccess,
            long idleTimeoutMillis, long deadline, String principal, long version, String[] names, String[] values) {
        int chars = randval.length();
        boolean wide = false;
        for (String v : values) {
            chars += v.length();
            wide |= !latin1(v);
        }
        int count = names.length;
        byte[] packed = new byte[4 * count + (chars << (wide ? 1 : 0))];
        int data = 4 * count;
        int at = putString(randval, packed, data, 0, wide);
        for (int i = 0; i < count; i++) {
            at = putString(values[i], packed, data, at, wide);
            putInt(packed, 4 * i, at);
        }
        return new SessionRecord(id, created, lastAccess, idleTimeoutMillis, deadline, principal, version,
                Names.shared(names), packed, wide);
    }

    private static boolean latin1(String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            if (s.charAt(i) > 0xFF) {
                return false;
            }
        }
        return true;
    }

    /** Writes {@code s} at character {@code at} of the text starting at byte {@code data}; returns the next character. */
    private static int putString(String s, byte[] packed, int data, int at, boolean wide) {
        int n = s.length();
        if (wide) {
            for (int i = 0, b = data + 2 * at; i < n; i++, b += 2) {
                char c = s.charAt(i);
                packed[b] = (byte) (c >>> 8);
                packed[b + 1] = (byte) c;
            }
        } else {
            for (int i = 0, b = data + at; i < n; i++, b++) {
                packed[b] = (byte) s.charAt(i);
            }
        }
        return at + n;
    }

    /** Copies this record's characters {@code [from, to)} to character {@code at} of {@code packed}'s text. */
    private int copyChars(int from, int to, byte[] packed, int data, int at, boolean toWide) {
        int n = to - from;
        int src = 4 * names.length;
        if (toWide == wide) {
            int shift = wide ? 1 : 0;
            System.arraycopy(text, src + (from << shift), packed, data + (at << shift), n << shift);
        } else { // Latin-1 to UTF-16: widen each character
            for (int i = 0, s = src + from, b = data + 2 * at; i < n; i++, s++, b += 2) {
                packed[b] = 0;
                packed[b + 1] = text[s];
            }
        }
        return at + n;
    }

    private static void putInt(byte[] b, int at, int v) {
        b[at] = (byte) (v >>> 24);
        b[at + 1] = (byte) (v >>> 16);
        b[at + 2] = (byte) (v >>> 8);
        b[at + 3] = (byte) v;
    }

    /** The first character of value {@code index}. */
    private int start(int index) {
        return index == 0 ? SessionIds.LENGTH : end(index - 1);
    }

    /** The character after the last of value {@code index}. */
    private int end(int index) {
        int at = 4 * index;
        return (text[at] & 0xFF) << 24 | (text[at + 1] & 0xFF) << 16 | (text[at + 2] & 0xFF) << 8 | (text[at + 3] & 0xFF);
    }

    private char charAt(int k) {
        int data = 4 * names.length;
        if (wide) {
            int b = data + 2 * k;
            return (char) ((text[b] & 0xFF) << 8 | (text[b + 1] & 0xFF));
        }
        return (char) (text[data + k] & 0xFF);
    }

    /** Characters {@code [from, to)} of the text as a {@code String}: exactly the characters that were put. */
    private String slice(int from, int to) {
        int data = 4 * names.length;
        if (!wide) {
            return new String(text, data + from, to - from, StandardCharsets.ISO_8859_1);
        }
        char[] chars = new char[to - from];
        for (int i = 0; i < chars.length; i++) {
            chars[i] = charAt(from + i);
        }
        return new String(chars);
    }

    /**
     * Builds a {@link SessionRecord}. Not thread-safe. Unset times default to 0; {@link #build()} checks
     * that the idle timeout is positive.
     */
    public static final class Builder {
        private final String id;
        private final String randval;
        private long created;
        private long lastAccess;
        private long idleTimeoutMillis;
        private long deadline = NO_DEADLINE;
        private String principal;
        private long version;
        private final TreeMap<String, String> attributes = new TreeMap<>();

        private Builder(String id, String randval) {
            if (!SessionIds.isValid(id)) {
                throw new IllegalArgumentException("not a valid session id");
            }
            if (!SessionIds.isValid(randval)) {
                throw new IllegalArgumentException("not a valid randval");
            }
            this.id = id;
            this.randval = randval;
        }

        /** Sets the creation time, epoch milliseconds. */
        public Builder created(long epochMillis) {
            this.created = epochMillis;
            return this;
        }

        /** Sets the last access time, epoch milliseconds. */
        public Builder lastAccess(long epochMillis) {
            this.lastAccess = epochMillis;
            return this;
        }

        /** Sets the idle timeout in milliseconds; must be positive. */
        public Builder idleTimeoutMillis(long millis) {
            if (millis <= 0) {
                throw new IllegalArgumentException("idle timeout must be positive, was " + millis + " ms");
            }
            this.idleTimeoutMillis = millis;
            return this;
        }

        /** Sets the absolute deadline, epoch milliseconds, or {@link #NO_DEADLINE}. */
        public Builder deadline(long epochMillis) {
            this.deadline = epochMillis;
            return this;
        }

        /** Sets the principal name, or {@code null} for none. */
        public Builder principal(String principal) {
            this.principal = principal;
            return this;
        }

        /** Sets the version; must not be negative. */
        public Builder version(long version) {
            if (version < 0) {
                throw new IllegalArgumentException("version must not be negative, was " + version);
            }
            this.version = version;
            return this;
        }

        /**
         * Sets attribute {@code name} to the JSON text {@code json}. The text is trusted to be one
         * well-formed JSON value; stores that read it from outside use {@link SessionCodec#checkedValue}.
         */
        public Builder attribute(String name, String json) {
            attributes.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(json, "json"));
            return this;
        }

        /** Removes attribute {@code name} if present. */
        public Builder removeAttribute(String name) {
            attributes.remove(name);
            return this;
        }

        /** Removes every attribute. */
        public Builder clearAttributes() {
            attributes.clear();
            return this;
        }

        /**
         * Returns the record.
         *
         * @throws IllegalStateException if no positive idle timeout was set
         */
        public SessionRecord build() {
            if (idleTimeoutMillis <= 0) {
                throw new IllegalStateException("idle timeout was not set");
            }
            int n = attributes.size();
            String[] names = n == 0 ? NO_STRINGS : new String[n];
            String[] values = n == 0 ? NO_STRINGS : new String[n];
            int i = 0;
            for (Map.Entry<String, String> e : attributes.entrySet()) {
                names[i] = e.getKey();
                values[i++] = e.getValue();
            }
            return packed(id, randval, created, lastAccess, idleTimeoutMillis, deadline, principal, version, names, values);
        }
    }

    /**
     * Shares arrays of attribute names between records: most sessions of an application hold one of a few
     * sets of names, so records built apart (decoded from a store, created by different requests) keep one
     * array and one {@code String} per name instead of their own. Bounded: past {@link #MAX_SETS} sets, or for
     * a set larger than {@link #MAX_NAMES} names or holding a name longer than {@link #MAX_NAME_CHARS}
     * characters, an array stays the record's own. Thread-safe; entries are never removed (names are the
     * application's code, not its users' data).
     */
    static final class Names {
        static final int MAX_SETS = 1024;
        static final int MAX_NAMES = 32;
        static final int MAX_NAME_CHARS = 64;
        private static final ConcurrentHashMap<Key, String[]> SETS = new ConcurrentHashMap<>();

        private Names() {}

        /** The shared array equal to {@code names}, or {@code names} itself (then perhaps shared from now on). */
        static String[] shared(String[] names) {
            if (names.length == 0) {
                return NO_STRINGS;
            }
            if (names.length > MAX_NAMES) {
                return names;
            }
            for (String name : names) {
                if (name.length() > MAX_NAME_CHARS) {
                    return names;
                }
            }
            Key key = new Key(names);
            String[] known = SETS.get(key);
            if (known != null) {
                return known;
            }
            if (SETS.size() >= MAX_SETS) {
                return names;
            }
            known = SETS.putIfAbsent(key, names);
            return known != null ? known : names;
        }

        private static final class Key {
            final String[] names;
            final int hash;

            Key(String[] names) {
                this.names = names;
                this.hash = Arrays.hashCode(names);
            }

            @Override
            public int hashCode() {
                return hash;
            }

            @Override
            public boolean equals(Object o) {
                return o instanceof Key && Arrays.equals(names, ((Key) o).names);
            }
        }
    }

    private final class AttributeView extends AbstractMap<String, String> {
        @Override
        public String get(Object key) {
            return key instanceof String ? attribute((String) key) : null;
        }

        @Override
        public boolean containsKey(Object key) {
            return get(key) != null;
        }

        @Override
        public int size() {
            return names.length;
        }

        @Override
        public Set<Entry<String, String>> entrySet() {
            return new AbstractSet<>() {
                @Override
                public int size() {
                    return names.length;
                }

                @Override
                public Iterator<Entry<String, String>> iterator() {
                    return new Iterator<>() {
                        private int next;

                        @Override
                        public boolean hasNext() {
                            return next < names.length;
                        }

                        @Override
                        public Entry<String, String> next() {
                            if (next >= names.length) {
                                throw new NoSuchElementException();
                            }
                            int i = next++;
                            return new SimpleImmutableEntry<>(names[i], attributeValue(i));
                        }
                    };
                }
            };
        }
    }
}
