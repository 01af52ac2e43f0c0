package dev.satchel;

import java.util.function.Consumer;

/**
 * A capability of managers that remove expired sessions themselves (a sweeper) and can say which: each
 * removed session is passed, as a read-only copy of its last stored state, to every registered listener,
 * from the sweeper's thread. Managers whose store expires entries natively (Redis TTLs) cannot say which
 * and do not implement it.
 */
public interface ExpiryEvents {

    /** Calls {@code listener} for each session this manager removes as expired, until the subscription is closed. */
    Invalidations.Subscription onExpired(Consumer<Session> listener);
}
