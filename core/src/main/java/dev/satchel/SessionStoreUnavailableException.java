package dev.satchel;

/**
 * The store cannot be reached or refused to serve (connection refused, server loading or failing over,
 * directory not writable). Retrying later may succeed.
 */
public class SessionStoreUnavailableException extends SessionStoreException {

    /** A failure with a message and the underlying cause (may be {@code null}). */
    public SessionStoreUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
