package dev.satchel;

/**
 * A stored entry cannot be read as a session: truncated, not JSON, an unknown format version, a missing
 * or ill-typed field, or over the codec's size and nesting limits. Managers treat one corrupt entry as
 * absent (and log it once) rather than failing the request; the exception reaches callers only from
 * direct codec use.
 */
public class CorruptSessionException extends SessionStoreException {

    /** A failure with a message and the underlying cause (may be {@code null}). */
    public CorruptSessionException(String message, Throwable cause) {
        super(message, cause);
    }

    /** A failure with a message and no underlying cause. */
    public CorruptSessionException(String message) {
        super(message);
    }
}
