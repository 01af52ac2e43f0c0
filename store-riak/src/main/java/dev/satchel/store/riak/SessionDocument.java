package dev.satchel.store.riak;

import dev.satchel.spi.ChangeSet;
import dev.satchel.spi.SessionCodec;
import dev.satchel.spi.SessionRecord;
import dev.satchel.spi.UnreadableEntryException;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;

/**
 * One session as stored in a Riak object: the shared v1 document ({@link SessionCodec}) plus a {@code "riak"}
 * member holding what sibling resolution needs, which {@link SessionCodec#decode} ignores:
 *
 * <pre>{@code
 * "riak":{"w":"<token of the write>",
 *         "s":{"cart":[1700000000000,0,"<token>"], …},     // stamp of each live attribute
 *         "rm":{"coupon":[1700000000500,0,"<token>"], …},  // removed attributes, kept for a while
 *         "p":[…], "i":[…], "d":[…]}                        // stamps of principal, idle timeout, deadline
 * }</pre>
 *
 * Immutable; the maps are never changed after construction.
 */
final class SessionDocument {

    private static final byte[] MEMBER = ",\"riak\":".getBytes(StandardCharsets.US_ASCII);
    private static final Stamp NONE = new Stamp(Long.MIN_VALUE, Integer.MIN_VALUE, "");

    private final SessionRecord record;
    private final String writer;
    private final Map<String, Stamp> stamps;
    private final Map<String, Stamp> removed;
    private final Stamp principalStamp;
    private final Stamp idleStamp;
    private final Stamp deadlineStamp;

    private SessionDocument(SessionRecord record, String writer, Map<String, Stamp> stamps,
            Map<String, Stamp> removed, Stamp principalStamp, Stamp idleStamp, Stamp deadlineStamp) {
        this.record = record;
        this.writer = writer;
        this.stamps = stamps;
        this.removed = removed;
        this.principalStamp = principalStamp;
        this.idleStamp = idleStamp;
        this.deadlineStamp = deadlineStamp;
    }

    /** The first stored state of a new session, every field stamped at its last access by {@code writer}. */
    static SessionDocument created(SessionRecord record, String writer) {
        Stamp s = new Stamp(record.lastAccess(), 0, writer);
        Map<String, Stamp> stamps = new HashMap<>();
        for (String name : record.attributes().keySet()) {
            stamps.put(name, s);
        }
        return new SessionDocument(record, writer, stamps, Map.of(), s, s, s);
    }

    SessionRecord record() {
        return record;
    }

    /** The token of the write that produced this document; empty for one written by another program. */
    String writer() {
        return writer;
    }

    /** The stamp of attribute {@code name}'s value, or of its removal; null if this document never knew it. */
    Stamp stampOf(String name) {
        Stamp s = stamps.get(name);
        return s != null ? s : removed.get(name);
    }

    /**
     * This request's changes applied on top of this document: the record as {@link ChangeSet#applyTo} makes
     * it, each changed field stamped after the stamp it replaces, removed attributes kept as tombstones, and
     * tombstones older than {@code tombstoneRetentionMillis} dropped.
     *
     * @return the new document, or {@code null} when the change may not be written (see {@link ChangeSet#applyTo})
     */
    SessionDocument apply(ChangeSet changes, String token, long tombstoneRetentionMillis) {
        SessionRecord next = changes.applyTo(record);
        if (next == null) {
            return null;
        }
        long t = changes.accessTime();
        Map<String, Stamp> nextStamps = new HashMap<>(stamps);
        Map<String, Stamp> nextRemoved = new HashMap<>(removed);
        for (String name : changes.removedAttributes()) {
            Stamp previous = nextStamps.remove(name);
            nextRemoved.put(name, Stamp.next(previous != null ? previous : nextRemoved.get(name), t, token));
        }
        for (String name : changes.setAttributes().keySet()) {
            Stamp previous = nextRemoved.remove(name);
            nextStamps.put(name, Stamp.next(Stamp.max(nextStamps.get(name), previous), t, token));
        }
        pruneTombstones(nextRemoved, t - tombstoneRetentionMillis);
        return new SessionDocument(next, token, nextStamps, nextRemoved,
                changes.principalChanged() ? Stamp.next(principalStamp, t, token) : principalStamp,
                changes.idleTimeoutChanged() ? Stamp.next(idleStamp, t, token) : idleStamp,
                changes.deadlineChanged() ? Stamp.next(deadlineStamp, t, token) : deadlineStamp);
    }

    /**
     * Merges sibling documents of one session field by field: each attribute, the principal and each timeout
     * take the value with the largest stamp, where a removal with a larger stamp than every value removes the
     * attribute; the earliest creation, the latest access and the highest version are kept.
     *
     * @throws UnreadableEntryException if the siblings belong to different sessions
     */
    static SessionDocument merge(List<SessionDocument> siblings) {
        SessionDocument first = siblings.get(0);
        if (siblings.size() == 1) {
            return first;
        }
        SessionRecord r = first.record;
        long created = r.created();
        long lastAccess = r.lastAccess();
        long version = r.version();
        SessionDocument principalFrom = first;
        SessionDocument idleFrom = first;
        SessionDocument deadlineFrom = first;
        Map<String, Stamp> stamps = new HashMap<>();
        Map<String, Stamp> removed = new HashMap<>();
        Map<String, String> values = new HashMap<>();
        for (SessionDocument d : siblings) {
            SessionRecord dr = d.record;
            if (!dr.id().equals(r.id()) || !dr.randval().equals(r.randval())) {
                throw new UnreadableEntryException("siblings of one key hold different sessions");
            }
            created = Math.min(created, dr.created());
            lastAccess = Math.max(lastAccess, dr.lastAccess());
            version = Math.max(version, dr.version());
            principalFrom = d.principalStamp.compareTo(principalFrom.principalStamp) > 0 ? d : principalFrom;
            idleFrom = d.idleStamp.compareTo(idleFrom.idleStamp) > 0 ? d : idleFrom;
            deadlineFrom = d.deadlineStamp.compareTo(deadlineFrom.deadlineStamp) > 0 ? d : deadlineFrom;
            for (Map.Entry<String, Stamp> e : d.stamps.entrySet()) {
                String name = e.getKey();
                if (e.getValue().compareTo(bestStamp(stamps, removed, name)) > 0) {
                    removed.remove(name);
                    stamps.put(name, e.getValue());
                    values.put(name, dr.attribute(name));
                }
            }
            for (Map.Entry<String, Stamp> e : d.removed.entrySet()) {
                String name = e.getKey();
                if (e.getValue().compareTo(bestStamp(stamps, removed, name)) > 0) {
                    stamps.remove(name);
                    values.remove(name);
                    removed.put(name, e.getValue());
                }
            }
        }
        SessionRecord.Builder b = r.toBuilder()
                .created(created)
                .lastAccess(lastAccess)
                .version(version)
                .principal(principalFrom.record.principal())
                .idleTimeoutMillis(idleFrom.record.idleTimeoutMillis())
                .deadline(deadlineFrom.record.deadline())
                .clearAttributes();
        values.forEach(b::attribute);
        return new SessionDocument(b.build(), "", stamps, removed, principalFrom.principalStamp,
                idleFrom.idleStamp, deadlineFrom.deadlineStamp);
    }

    /**
     * This document as a new stored state written by {@code token}: version one higher, tombstones older than
     * {@code now - tombstoneRetentionMillis} dropped. Used to write back a merge.
     */
    SessionDocument rewritten(String token, long now, long tombstoneRetentionMillis) {
        Map<String, Stamp> kept = new HashMap<>(removed);
        pruneTombstones(kept, now - tombstoneRetentionMillis);
        return new SessionDocument(record.toBuilder().version(record.version() + 1).build(), token, stamps, kept,
                principalStamp, idleStamp, deadlineStamp);
    }

    /** The bytes stored in Riak: the v1 document with the {@code "riak"} member added at its end. */
    byte[] encode() {
        byte[] doc = SessionCodec.encode(record);
        ByteArrayOutputStream out = new ByteArrayOutputStream(doc.length + 64 + 48 * (stamps.size() + removed.size()));
        // The codec's document always ends with the '}' that closes it; the member goes just before.
        out.write(doc, 0, doc.length - 1);
        out.write(MEMBER, 0, MEMBER.length);
        try (JsonGenerator g = SessionCodec.jsonMapper().createGenerator(out)) {
            g.writeStartObject();
            g.writeStringProperty("w", writer);
            g.writeName("s");
            writeStamps(g, stamps);
            g.writeName("rm");
            writeStamps(g, removed);
            g.writeName("p");
            writeStamp(g, principalStamp);
            g.writeName("i");
            writeStamp(g, idleStamp);
            g.writeName("d");
            writeStamp(g, deadlineStamp);
            g.writeEndObject();
        }
        out.write('}');
        return out.toByteArray();
    }

    /**
     * Reads a stored object's value. A document without a {@code "riak"} member (written by another program)
     * is read with every field stamped at its last access, below any stamp this store writes at that time.
     *
     * @throws UnreadableEntryException if it is not a valid v1 document or its {@code "riak"} member is malformed
     */
    static SessionDocument decode(byte[] body) {
        SessionRecord record = SessionCodec.decode(body);
        Stamp unrecorded = Stamp.unrecorded(record.lastAccess());
        String writer = "";
        Map<String, Stamp> stamps = new HashMap<>();
        Map<String, Stamp> removed = new HashMap<>();
        Stamp p = unrecorded;
        Stamp i = unrecorded;
        Stamp d = unrecorded;
        try (JsonParser parser = SessionCodec.jsonMapper().createParser(body)) {
            parser.nextToken();
            while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
                boolean ours = "riak".equals(parser.currentName());
                JsonToken t = parser.nextToken();
                if (!ours) {
                    parser.skipChildren();
                    continue;
                }
                expect(t, JsonToken.START_OBJECT);
                while (parser.nextToken() == JsonToken.PROPERTY_NAME) {
                    String field = parser.currentName();
                    t = parser.nextToken();
                    switch (field) {
                        case "w":
                            expect(t, JsonToken.VALUE_STRING);
                            writer = parser.getString();
                            break;
                        case "s": readStamps(parser, t, stamps); break;
                        case "rm": readStamps(parser, t, removed); break;
                        case "p": p = readStamp(parser, t); break;
                        case "i": i = readStamp(parser, t); break;
                        case "d": d = readStamp(parser, t); break;
                        default: parser.skipChildren();
                    }
                }
            }
        } catch (JacksonException e) {
            throw new UnreadableEntryException("session document's \"riak\" member is not valid JSON", e);
        }
        // Keep exactly one stamp per live attribute; a stamp for an attribute that is gone says nothing.
        Map<String, Stamp> live = new HashMap<>();
        for (String name : record.attributes().keySet()) {
            Stamp s = stamps.get(name);
            live.put(name, s != null ? s : unrecorded);
            removed.remove(name);
        }
        return new SessionDocument(record, writer, live, removed, p, i, d);
    }

    private static Stamp bestStamp(Map<String, Stamp> stamps, Map<String, Stamp> removed, String name) {
        Stamp s = stamps.get(name);
        return s != null ? s : removed.getOrDefault(name, NONE);
    }

    private static void pruneTombstones(Map<String, Stamp> removed, long before) {
        for (Iterator<Stamp> it = removed.values().iterator(); it.hasNext(); ) {
            if (it.next().time < before) {
                it.remove();
            }
        }
    }

    private static void writeStamps(JsonGenerator g, Map<String, Stamp> stamps) {
        g.writeStartObject();
        for (Map.Entry<String, Stamp> e : stamps.entrySet()) {
            g.writeName(e.getKey());
            writeStamp(g, e.getValue());
        }
        g.writeEndObject();
    }

    private static void writeStamp(JsonGenerator g, Stamp s) {
        g.writeStartArray();
        g.writeNumber(s.time);
        g.writeNumber(s.seq);
        g.writeString(s.writer);
        g.writeEndArray();
    }

    private static void readStamps(JsonParser p, JsonToken t, Map<String, Stamp> into) {
        expect(t, JsonToken.START_OBJECT);
        while (p.nextToken() == JsonToken.PROPERTY_NAME) {
            String name = p.currentName();
            into.put(name, readStamp(p, p.nextToken()));
        }
    }

    private static Stamp readStamp(JsonParser p, JsonToken t) {
        expect(t, JsonToken.START_ARRAY);
        expect(p.nextToken(), JsonToken.VALUE_NUMBER_INT);
        long time = p.getLongValue();
        expect(p.nextToken(), JsonToken.VALUE_NUMBER_INT);
        int seq = p.getIntValue();
        expect(p.nextToken(), JsonToken.VALUE_STRING);
        String writer = p.getString();
        expect(p.nextToken(), JsonToken.END_ARRAY);
        return new Stamp(time, seq, writer);
    }

    private static void expect(JsonToken actual, JsonToken expected) {
        if (actual != expected) {
            throw new UnreadableEntryException("session document's \"riak\" member is malformed: expected "
                    + expected + ", found " + actual);
        }
    }
}
