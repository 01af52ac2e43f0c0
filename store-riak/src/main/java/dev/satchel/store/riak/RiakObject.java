package dev.satchel.store.riak;

import dev.satchel.spi.UnreadableEntryException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A Riak object as one fetch (or a {@code returnbody} store) saw it: its vector clock, its entity tag when it
 * has a single value, and its values — one, or several siblings, any of which may be a tombstone (a deleted
 * value). Immutable.
 */
final class RiakObject {

    /** One value of the object. */
    record Sibling(byte[] body, boolean deleted) {}

    static final RiakObject ABSENT = new RiakObject(null, null, List.of());

    private final String vclock;
    private final String etag;
    private final List<Sibling> siblings;

    RiakObject(String vclock, String etag, List<Sibling> siblings) {
        this.vclock = vclock;
        this.etag = etag;
        this.siblings = siblings;
    }

    /**
     * Reads a 200, 300 (multipart) or 404 answer.
     *
     * @throws UnreadableEntryException if a 300 answer's multipart body cannot be parsed
     */
    static RiakObject of(RiakResponse r) {
        String vclock = r.header("X-Riak-Vclock");
        if (r.status == 404) {
            // A tombstone ("X-Riak-Deleted: true") or nothing at all: absent either way.
            return vclock == null ? ABSENT : new RiakObject(vclock, null, List.of());
        }
        if (r.status == 200) {
            boolean deleted = "true".equalsIgnoreCase(r.header("X-Riak-Deleted"));
            return new RiakObject(vclock, unquote(r.header("ETag")), List.of(new Sibling(r.body, deleted)));
        }
        List<Sibling> siblings = new ArrayList<>();
        for (Multipart.Part p : Multipart.parse(r.header("Content-Type"), r.body)) {
            siblings.add(new Sibling(p.body(), "true".equalsIgnoreCase(p.header("x-riak-deleted"))));
        }
        if (siblings.isEmpty()) {
            throw new UnreadableEntryException("Riak answered 300 with no sibling in its multipart body");
        }
        return new RiakObject(vclock, null, siblings);
    }

    /** The vtags listed by a 300 answer in Riak's {@code text/plain} form ("Siblings:" then one per line). */
    static List<String> vtags(RiakResponse r) {
        List<String> vtags = new ArrayList<>();
        String text = new String(r.body, StandardCharsets.UTF_8);
        for (String line : text.split("\n")) {
            String v = line.trim();
            if (!v.isEmpty() && !v.equals("Siblings:")) {
                vtags.add(v);
            }
        }
        return vtags;
    }

    /** Whether a 300 answer is in the multipart form (as asked) rather than the plain list of vtags. */
    static boolean isMultipart(RiakResponse r) {
        String ct = r.header("Content-Type");
        return ct != null && ct.regionMatches(true, 0, "multipart/mixed", 0, 15);
    }

    /** The vector clock to send with a write that replaces this object; null when there is none. */
    String vclock() {
        return vclock;
    }

    /** The entity tag of a single-valued object, for {@code If-Match}; null otherwise. */
    String etag() {
        return siblings.size() == 1 ? etag : null;
    }

    List<Sibling> siblings() {
        return siblings;
    }

    /** Nothing stored, or only tombstones. */
    boolean isAbsent() {
        for (Sibling s : siblings) {
            if (!s.deleted) {
                return false;
            }
        }
        return true;
    }

    /** At least one sibling is a tombstone: a removal raced with a write, and removal wins. */
    boolean hasTombstone() {
        for (Sibling s : siblings) {
            if (s.deleted) {
                return true;
            }
        }
        return false;
    }

    private static String unquote(String etag) {
        if (etag != null && etag.length() >= 2 && etag.charAt(0) == '"' && etag.charAt(etag.length() - 1) == '"') {
            return etag.substring(1, etag.length() - 1);
        }
        return etag;
    }
}
