package dev.satchel.store.caching;

import dev.satchel.spi.SessionIds;

/**
 * A reusable view of a session id inside a larger text (the {@code Cookie} header), used only to look up
 * a map keyed by id strings without copying the id out: {@link java.util.Map#get} is specified to find a
 * stored key {@code k} with {@code key.equals(k)}, and this view's hash is {@link String#hashCode()}'s
 * over the same characters. It is never stored as a key, and it forgets the text after each lookup so a
 * large header is not kept alive. Not thread-safe: one per thread.
 */
final class IdView {

    private CharSequence text;
    private int start;
    private int hash;

    /** Points this view at {@code text[start, start + SessionIds.LENGTH)}, which holds a valid id. */
    IdView of(CharSequence text, int start) {
        this.text = text;
        this.start = start;
        int h = 0;
        for (int i = start, end = start + SessionIds.LENGTH; i < end; i++) {
            h = 31 * h + text.charAt(i);
        }
        this.hash = h;
        return this;
    }

    /** Drops the reference to the text. */
    void clear() {
        text = null;
    }

    @Override
    public int hashCode() {
        return hash;
    }

    /** Equal to the {@code String} holding the same id: the only comparison a map lookup makes. */
    @Override
    public boolean equals(Object other) {
        if (!(other instanceof String)) {
            return other == this;
        }
        String id = (String) other;
        if (id.length() != SessionIds.LENGTH) {
            return false;
        }
        for (int i = 0; i < SessionIds.LENGTH; i++) {
            if (id.charAt(i) != text.charAt(start + i)) {
                return false;
            }
        }
        return true;
    }

    /** The id as a new string. */
    @Override
    public String toString() {
        return text.subSequence(start, start + SessionIds.LENGTH).toString();
    }
}
