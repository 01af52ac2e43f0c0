package dev.satchel.store.redis;

import dev.satchel.spi.ChangeSet;
import dev.satchel.spi.SessionCodec;
import dev.satchel.spi.SessionIds;
import dev.satchel.spi.SessionRecord;
import dev.satchel.spi.UnreadableEntryException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The stored session document of {@link SessionCodec} spread over one Redis hash: one field per metadata
 * field of the document and one field {@code a:<name>} per attribute, holding the attribute's JSON text.
 * A field that would be JSON {@code null} in the document ({@code deadline}, {@code principal}) is absent.
 * Fields this code does not know are ignored, so a newer writer may add some. A {@code v} greater than
 * {@link SessionCodec#FORMAT_VERSION} makes the hash a {@linkplain UnreadableEntryException#newerFormat newer
 * format}, judged by {@code v} alone (a newer writer may have changed any other field); any other {@code v}
 * but the one this code writes makes it corrupt.
 */
final class SessionHash {

    static final String V = "v";
    static final String ID = "id";
    static final String RANDVAL = "randval";
    static final String CREATED = "created";
    static final String LAST_ACCESS = "lastAccess";
    static final String IDLE_TIMEOUT = "idleTimeoutMs";
    static final String DEADLINE = "deadline";
    static final String PRINCIPAL = "principal";
    static final String VERSION = "version";
    static final String ATTRIBUTE_PREFIX = "a:";
    /** The value of {@link #V} this code writes and the only one it reads. */
    static final String FORMAT = Integer.toString(SessionCodec.FORMAT_VERSION);
    /**
     * Expiry instants are capped here (2^52 ms, in the year 144683) so that they stay exact in Lua's double
     * numbers and valid for {@code PEXPIREAT}; the same cap is in the scripts.
     */
    static final long MAX_EXPIRE_AT = 1L << 52;

    private SessionHash() {}

    /** When Redis should drop the hash of {@code record}: its expiry, capped at {@link #MAX_EXPIRE_AT}. */
    static long expireAt(long expiresAt) {
        return Math.min(expiresAt, MAX_EXPIRE_AT);
    }

    /** Where {@link #createArguments} holds the randval by which a retried create recognises its first attempt. */
    static final int CREATE_RETRY_RANDVAL = 1;

    /**
     * The arguments of {@code create.lua}: expire-at, "" (a retry puts the randval there, at
     * {@link #CREATE_RETRY_RANDVAL}), then every field and value. Mutable, for that retry.
     */
    static List<String> createArguments(SessionRecord r) {
        Map<String, String> attributes = r.attributes();
        List<String> args = new ArrayList<>(2 + 2 * (9 + attributes.size()));
        args.add(Long.toString(expireAt(r.expiresAt())));
        args.add("");
        add(args, V, FORMAT);
        add(args, ID, r.id());
        add(args, RANDVAL, r.randval());
        add(args, CREATED, Long.toString(r.created()));
        add(args, LAST_ACCESS, Long.toString(r.lastAccess()));
        add(args, IDLE_TIMEOUT, Long.toString(r.idleTimeoutMillis()));
        if (r.deadline() != SessionRecord.NO_DEADLINE) {
            add(args, DEADLINE, Long.toString(r.deadline()));
        }
        if (r.principal() != null) {
            add(args, PRINCIPAL, r.principal());
        }
        add(args, VERSION, Long.toString(r.version()));
        for (Map.Entry<String, String> e : attributes.entrySet()) {
            add(args, ATTRIBUTE_PREFIX + e.getKey(), e.getValue());
        }
        return args;
    }

    /** The arguments of {@code apply.lua} for {@code c}; see the script for their order. */
    static List<String> applyArguments(ChangeSet c, String channel) {
        Map<String, String> set = c.setAttributes();
        List<String> args = new ArrayList<>(9 + c.removedAttributes().size() + 2 * set.size());
        args.add(Long.toString(c.accessTime()));
        args.add(c.idleTimeoutChanged() ? Long.toString(c.idleTimeoutMillis()) : "");
        args.add(!c.deadlineChanged() ? "" : c.deadline() == SessionRecord.NO_DEADLINE ? "-" : Long.toString(c.deadline()));
        args.add(!c.principalChanged() ? "0" : c.principal() == null ? "2" : "1");
        args.add(c.principal() == null ? "" : c.principal());
        args.add(channel);
        args.add(c.sessionId());
        args.add(Long.toString(c.baseVersion()));
        args.add(Integer.toString(c.removedAttributes().size()));
        for (String name : c.removedAttributes()) {
            args.add(ATTRIBUTE_PREFIX + name);
        }
        for (Map.Entry<String, String> e : set.entrySet()) {
            add(args, ATTRIBUTE_PREFIX + e.getKey(), e.getValue());
        }
        return args;
    }

    /**
     * Reads a hash as returned by {@code HGETALL}.
     *
     * @return the record, or {@code null} for an empty hash (no such key)
     * @throws UnreadableEntryException if the hash is not a complete, valid session
     */
    static SessionRecord decode(Map<String, String> hash) {
        if (hash.isEmpty()) {
            return null;
        }
        // The metadata by lookup, then one pass over the fields for the attributes: no copy of them between.
        SessionRecord.Builder b = Reader.metadata(hash.get(V), hash.get(ID), hash.get(RANDVAL), hash.get(CREATED),
                hash.get(LAST_ACCESS), hash.get(IDLE_TIMEOUT), hash.get(DEADLINE), hash.get(PRINCIPAL), hash.get(VERSION));
        for (Map.Entry<String, String> e : hash.entrySet()) {
            String name = e.getKey();
            if (name.startsWith(ATTRIBUTE_PREFIX)) {
                b.attribute(name.substring(ATTRIBUTE_PREFIX.length()), SessionCodec.checkedStoredValue(e.getValue()));
            } // else metadata, read above, or a field from a newer writer
        }
        return b.build();
    }

    /** Reads a hash as a script returns {@code HGETALL}: field, value, field, value, ... */
    static SessionRecord decode(List<?> flat) {
        if (flat.isEmpty()) {
            return null;
        }
        Reader r = new Reader(flat.size() / 2);
        for (int i = 0; i + 1 < flat.size(); i += 2) {
            r.field((String) flat.get(i), (String) flat.get(i + 1));
        }
        return r.record();
    }

    /**
     * The exception for a hash whose {@code v} is {@code v} but not the one this code writes: a newer format
     * when it is a number greater than {@link SessionCodec#FORMAT_VERSION}, corrupt otherwise.
     */
    static UnreadableEntryException otherFormat(String v) {
        long version = parse(v);
        if (version > SessionCodec.FORMAT_VERSION) {
            return UnreadableEntryException.newerFormat(version);
        }
        // Quote the version only when it is a number: the message must never echo stored text.
        return new UnreadableEntryException(version >= 0
                ? "session hash has unsupported format version " + v
                : "session hash has a malformed format version \"v\"");
    }

    /**
     * A non-negative decimal {@code long} without sign or spaces, or -1 for anything else. Stored numbers
     * are parsed on every read: no exception, no allocation.
     */
    static long parse(String s) {
        int n = s == null ? 0 : s.length();
        if (n == 0 || n > 19) {
            return -1;
        }
        long v = 0;
        for (int i = 0; i < n; i++) {
            int d = s.charAt(i) - '0';
            if (d < 0 || d > 9 || v > (Long.MAX_VALUE - d) / 10) {
                return -1;
            }
            v = v * 10 + d;
        }
        return v;
    }

    private static void add(List<String> args, String field, String value) {
        args.add(field);
        args.add(value);
    }

    /** Collects the fields of one hash and checks them. */
    private static final class Reader {
        private String v;
        private String id;
        private String randval;
        private String created;
        private String lastAccess;
        private String idle;
        private String deadline;
        private String principal;
        private String version;
        private final List<String> attributes;

        Reader(int fields) {
            attributes = new ArrayList<>(2 * Math.max(0, fields - 8));
        }

        void field(String name, String value) {
            switch (name) {
                case V: v = value; break;
                case ID: id = value; break;
                case RANDVAL: randval = value; break;
                case CREATED: created = value; break;
                case LAST_ACCESS: lastAccess = value; break;
                case IDLE_TIMEOUT: idle = value; break;
                case DEADLINE: deadline = value; break;
                case PRINCIPAL: principal = value; break;
                case VERSION: version = value; break;
                default:
                    if (name.startsWith(ATTRIBUTE_PREFIX)) {
                        attributes.add(name.substring(ATTRIBUTE_PREFIX.length()));
                        attributes.add(value);
                    } // else a field from a newer writer
            }
        }

        SessionRecord record() {
            SessionRecord.Builder b = metadata(v, id, randval, created, lastAccess, idle, deadline, principal, version);
            for (int i = 0; i < attributes.size(); i += 2) {
                b.attribute(attributes.get(i), SessionCodec.checkedStoredValue(attributes.get(i + 1)));
            }
            return b.build();
        }

        /** A builder holding the checked metadata fields, in the order they are checked. */
        static SessionRecord.Builder metadata(String v, String id, String randval, String created, String lastAccess,
                String idle, String deadline, String principal, String version) {
            if (v == null) {
                throw new UnreadableEntryException("session hash has no format version \"v\"");
            }
            if (!FORMAT.equals(v)) {
                throw otherFormat(v);
            }
            if (!SessionIds.isValid(id)) {
                throw new UnreadableEntryException("session hash has a missing or malformed \"id\"");
            }
            if (!SessionIds.isValid(randval)) {
                throw new UnreadableEntryException("session hash has a missing or malformed \"randval\"");
            }
            long idleMillis = number(idle, IDLE_TIMEOUT);
            if (idleMillis == 0) {
                throw new UnreadableEntryException("session hash field \"" + IDLE_TIMEOUT + "\" is zero");
            }
            return SessionRecord.builder(id, randval)
                    .created(number(created, CREATED))
                    .lastAccess(number(lastAccess, LAST_ACCESS))
                    .idleTimeoutMillis(idleMillis)
                    .deadline(deadline == null ? SessionRecord.NO_DEADLINE : number(deadline, DEADLINE))
                    .principal(principal)
                    .version(number(version, VERSION));
        }

        private static long number(String value, String field) {
            long n = parse(value);
            if (n < 0) {
                throw new UnreadableEntryException(value == null
                        ? "session hash has no \"" + field + "\""
                        : "session hash field \"" + field + "\" is not a non-negative integer");
            }
            return n;
        }
    }
}
