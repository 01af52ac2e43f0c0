package dev.satchel;

/**
 * A session is larger than the manager accepts (its maximum session size), so saving it was refused before
 * anything was written: what a store accepts must always read back, and an oversized document would not.
 * The message names the size and the limit, never a value.
 */
public class SessionTooLargeException extends SessionStoreException {

    /** A refusal naming the size and the limit. */
    public SessionTooLargeException(String message) {
        super(message);
    }
}
