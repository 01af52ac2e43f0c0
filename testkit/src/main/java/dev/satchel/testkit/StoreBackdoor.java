package dev.satchel.testkit;

/**
 * Direct access to the storage under a manager, bypassing the manager's own code — how a contract test
 * plants a corrupt entry or checks that a removed session is physically gone (the way Jetty's session
 * tests use {@code persistSession} and {@code checkSessionExists}).
 */
public interface StoreBackdoor {

    /** Whether anything is physically stored for {@code sid}, expired or not. */
    boolean isStored(String sid);

    /**
     * Stores, under {@code sid}, an entry the manager cannot read (garbage, a truncated document).
     *
     * @return {@code false} when the store cannot hold such an entry (it keeps objects, not bytes)
     */
    boolean plantCorrupt(String sid);

    /**
     * Runs the store's expiry now, at the manager's clock, and returns how many entries it removed; or -1
     * when the store expires entries by its own time (a server-side TTL), not by the injected clock.
     */
    default int sweepExpired() {
        return -1;
    }
}
