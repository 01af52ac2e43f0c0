package dev.satchel;

import dev.satchel.spi.UnreadableEntryException;

/**
 * A session store failed to do what was asked. Unchecked: a web request cannot recover from it beyond
 * answering with an error, and every {@link SessionManager} method may throw it.
 *
 * <p>Subclasses say why: {@link SessionStoreUnavailableException} (cannot reach the store),
 * {@link SessionStoreTimeoutException} (it did not answer in time), {@link UnreadableEntryException} (an
 * entry cannot be read) and {@link SessionConflictException} (a concurrent change could not be resolved).
 * This class itself is used for other store failures, such as a full disk. The cause, when there is one,
 * is always attached; messages never contain a session id, randval, digest or key.
 */
public class SessionStoreException extends RuntimeException {

    /** A failure with a message and the underlying cause (may be {@code null}). */
    public SessionStoreException(String message, Throwable cause) {
        super(message, cause);
    }

    /** A failure with a message and no underlying cause. */
    public SessionStoreException(String message) {
        super(message);
    }
}
