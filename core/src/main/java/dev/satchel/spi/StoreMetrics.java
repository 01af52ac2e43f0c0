package dev.satchel.spi;

import dev.satchel.SessionStoreException;

/**
 * Receives one call per store operation the manager performs, for metrics (Micrometer, say). The default,
 * {@link #NONE}, costs nothing: the manager does not even read the clock for it. The manager guards every
 * call: a recorder that throws is logged once and never fails the operation.
 *
 * <p>Implementations must be thread-safe and quick: they run on the request thread.
 */
public interface StoreMetrics {

    /** Records nothing. */
    StoreMetrics NONE = (operation, outcome, nanos) -> {};

    /** A store operation. */
    enum Operation {
        /** Reading one session ({@code get}, {@code exists}, {@code lookup}). */
        LOAD,
        /** Storing a new session. */
        CREATE,
        /** Merging a request's changes into a stored session (a save or a touch). */
        APPLY,
        /** Removing one session. */
        DELETE,
        /** One batch of the sweeper. */
        SWEEP,
        /** Listing a principal's sessions. */
        FIND_BY_PRINCIPAL
    }

    /** How an operation ended. */
    enum Outcome {
        /** It did what was asked: found, stored, merged, removed. */
        SUCCESS,
        /** The session was not there (absent, expired or unreadable); nothing was written. */
        ABSENT,
        /** A new session's id was taken. */
        CONFLICT,
        /** The store failed (a {@link dev.satchel.SessionStoreException}). */
        FAILURE
    }

    /** Called after each operation, with how long it took. */
    void record(Operation operation, Outcome outcome, long nanos);
}
