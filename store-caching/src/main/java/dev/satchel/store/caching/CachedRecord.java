package dev.satchel.store.caching;

import dev.satchel.spi.SessionRecord;
import java.util.Map;

/**
 * A cache entry: an immutable record and the instant (on the cache's nanosecond ticker) until which it
 * may be handed out — its session's expiry, or the end of its staleness allowance if that comes first.
 * The expiry is a pure function of the entry, so re-storing the same entry never extends its life.
 */
final class CachedRecord {

    /**
     * The fixed part of a stored document: field names, punctuation, the 22-character id and randval and
     * five numbers of up to 19 digits. A little above the real size, so estimates err on the heavy side.
     */
    static final int DOCUMENT_OVERHEAD = 240;

    final SessionRecord record;
    final long trustedUntilNanos;
    /** The estimated bytes of the stored document, or 0 when the cache is bounded by count. */
    final int weight;

    CachedRecord(SessionRecord record, long trustedUntilNanos, int weight) {
        this.record = record;
        this.trustedUntilNanos = trustedUntilNanos;
        this.weight = weight;
    }

    /**
     * Estimates the UTF-8 size of {@code record}'s stored document without encoding it: the fixed part, the
     * principal, and each attribute's name and JSON text plus their punctuation. Exact for the attribute
     * text; escaping in names and the principal is not counted. Saturates at {@link Integer#MAX_VALUE}.
     */
    static int weigh(SessionRecord record) {
        long bytes = DOCUMENT_OVERHEAD;
        String principal = record.principal();
        if (principal != null) {
            bytes += utf8Length(principal);
        }
        for (Map.Entry<String, String> e : record.attributes().entrySet()) {
            bytes += utf8Length(e.getKey()) + utf8Length(e.getValue()) + 4; // "name": and a comma
        }
        return (int) Math.min(bytes, Integer.MAX_VALUE);
    }

    /** The number of bytes {@code s} takes in UTF-8, counted without allocating. */
    static long utf8Length(String s) {
        long n = 0;
        for (int i = 0, len = s.length(); i < len; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }
}
