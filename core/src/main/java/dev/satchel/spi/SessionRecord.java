package dev.satchel.spi;

import dev.satchel.Session;
import dev.satchel.SessionManager;
import dev.satchel.SigningKeys;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

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
    private final String randval;
    private final long created;
    private final long lastAccess;
    private final long idleTimeoutMillis;
    private final long deadline;
    private final String principal;
    private final long version;
    /** Attribute names in ascending order, and their JSON values at the same index. */
    private final String[] names;
    private final String[] values;

    /**
     * Expected cookie digests of this record under one set of signing keys, computed on first use so a
     * cached record is signed once, not once per request. Racy by design: every value written is complete
     * and immutable, and a lost race only computes the same digests again.
     */
    private Object digests;

    /**
     * The memo {@link dev.satchel.SigningKeys} keeps on this record (its cookie digests), or {@code null}.
     * Derived only from the id and randval, so any thread may set it and a lost race costs a recomputation.
     */
    public Object digestMemo() {
        return digests;
    }

    /** Sets the memo of {@link #digestMemo()}. */
    public void digestMemo(Object memo) {
        this.digests = memo;
    }

    private SessionRecord(Builder b, String[] names, String[] values) {
        this.id = b.id;
        this.randval = b.randval;
        this.created = b.created;
        this.lastAccess = b.lastAccess;
        this.idleTimeoutMillis = b.idleTimeoutMillis;
        this.deadline = b.deadline;
        this.principal = b.principal;
        this.version = b.version;
        this.names = names;
        this.values = values;
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
        return toBuilder(id, randval);
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
            b.attributes.put(names[i], values[i]);
        }
        return b;
    }

    /** The session id. */
    public String id() {
        return id;
    }

    /** The server-side secret the cookie digest is computed over; never sent to the client. */
    public String randval() {
        return randval;
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
        int i = Arrays.binarySearch(names, name);
        return i >= 0 ? values[i] : null;
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

    /** The JSON text of the attribute at {@code index}; see {@link #attributeName}. */
    public String attributeValue(int index) {
        return values[index];
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
            if (n == 0) {
                return new SessionRecord(this, NO_STRINGS, NO_STRINGS);
            }
            String[] names = new String[n];
            String[] values = new String[n];
            int i = 0;
            for (Map.Entry<String, String> e : attributes.entrySet()) {
                names[i] = e.getKey();
                values[i++] = e.getValue();
            }
            return new SessionRecord(this, names, values);
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
                            return new SimpleImmutableEntry<>(names[i], values[i]);
                        }
                    };
                }
            };
        }
    }
}
