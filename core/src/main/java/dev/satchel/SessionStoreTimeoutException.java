package dev.satchel;

/**
 * The store did not answer within the configured timeout. Whether a write took effect is unknown;
 * every Satchel write is idempotent to retry except that a retried create may report a conflict.
 */
public class SessionStoreTimeoutException extends SessionStoreException {

    /** A failure with a message and the underlying cause (may be {@code null}). */
    public SessionStoreTimeoutException(String message, Throwable cause) {
        super(message, cause);
    }
}
