package dev.satchel.store.riak;

/**
 * When one field of a session (an attribute, an attribute's removal, the principal, a timeout) was last
 * written, as a hybrid logical clock: the writer's access time, a counter that orders writes in the same
 * millisecond, and the token of the write that breaks any remaining tie. A write that saw a stamp always
 * produces a larger one ({@link #next}), so when siblings are merged the causally later value wins, and of
 * two concurrent values the one written at the later time. Immutable.
 */
final class Stamp implements Comparable<Stamp> {

    final long time;
    final int seq;
    final String writer;

    Stamp(long time, int seq, String writer) {
        this.time = time;
        this.seq = seq;
        this.writer = writer;
    }

    /** The stamp of a field whose writer left none (a document written by another program): its last access. */
    static Stamp unrecorded(long lastAccess) {
        return new Stamp(lastAccess, -1, "");
    }

    /** The stamp of a write at {@code accessTime} by {@code writer} over {@code previous} (may be null). */
    static Stamp next(Stamp previous, long accessTime, String writer) {
        if (previous == null || accessTime > previous.time) {
            return new Stamp(accessTime, 0, writer);
        }
        return new Stamp(previous.time, previous.seq + 1, writer);
    }

    /** The larger of two stamps, either of which may be null. */
    static Stamp max(Stamp a, Stamp b) {
        if (a == null) {
            return b;
        }
        return b == null || a.compareTo(b) >= 0 ? a : b;
    }

    @Override
    public int compareTo(Stamp o) {
        if (time != o.time) {
            return Long.compare(time, o.time);
        }
        if (seq != o.seq) {
            return Integer.compare(seq, o.seq);
        }
        return writer.compareTo(o.writer);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Stamp && compareTo((Stamp) o) == 0;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(time) * 31 + seq;
    }

    @Override
    public String toString() {
        return "Stamp[" + time + "." + seq + "]";
    }
}
