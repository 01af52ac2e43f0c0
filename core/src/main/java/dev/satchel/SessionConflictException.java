package dev.satchel;

/**
 * A write collided with another and could not be resolved: a new session's id already exists, or a
 * store's optimistic update lost its race more often than it retries.
 */
public class SessionConflictException extends SessionStoreException {

    /** A failure with a message and the underlying cause (may be {@code null}). */
    public SessionConflictException(String message, Throwable cause) {
        super(message, cause);
    }

    /** A failure with a message and no underlying cause. */
    public SessionConflictException(String message) {
        super(message);
    }
}
