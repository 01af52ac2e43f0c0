package dev.satchel.spi;

import dev.satchel.SessionStoreException;

/**
 * A stored entry cannot be read as a session. Either it is <em>corrupt</em> — truncated, not JSON, a
 * missing or ill-typed field, over the codec's limits — or it was written in a <em>newer format</em> than
 * this code reads ({@code "v"} greater than {@link SessionCodec#FORMAT_VERSION}), by a newer Satchel during a
 * rolling upgrade.
 *
 * <p>Stores throw it from {@link SessionStore#load} and {@link SessionStore#apply}; the manager decides what
 * happens (once, for every store): both kinds are absent to the application, a corrupt entry is
 * {@linkplain SessionStore#discard discarded}, and a newer-format entry is never touched. Applications never
 * see this exception from a {@code SessionManager}. Messages name the defect, never the content.
 */
public class UnreadableEntryException extends SessionStoreException {

    private final boolean newerFormat;

    /** A corrupt entry, with the underlying cause (may be {@code null}). */
    public UnreadableEntryException(String message, Throwable cause) {
        super(message, cause);
        this.newerFormat = false;
    }

    /** A corrupt entry. */
    public UnreadableEntryException(String message) {
        super(message);
        this.newerFormat = false;
    }

    private UnreadableEntryException(String message, boolean newerFormat) {
        super(message);
        this.newerFormat = newerFormat;
    }

    /** An entry written in format {@code version}, newer than this code reads. */
    public static UnreadableEntryException newerFormat(long version) {
        return new UnreadableEntryException("session entry has format version " + version
                + ", newer than " + SessionCodec.FORMAT_VERSION + " which this version reads", true);
    }

    /**
     * Whether the entry was written in a newer format (and must be left alone) rather than being corrupt
     * (and may be moved aside or deleted).
     */
    public boolean newerFormat() {
        return newerFormat;
    }
}
