package dev.satchel.testkit;

import dev.satchel.spi.SessionRecord;

/**
 * Direct access to the storage under a manager or store, bypassing the code under test — how a contract
 * test plants a corrupt or newer-format entry, writes a record the way another program would, or checks that
 * a removed session is physically gone (the way Jetty's session tests use {@code persistSession} and
 * {@code checkSessionExists}). Every method but {@link #isStored} is optional: the defaults say "this store
 * cannot", and the tests that need it are then skipped with that reason.
 */
public interface StoreBackdoor {

    /** Whether anything is physically stored for {@code sid}, expired or not, readable or not. */
    boolean isStored(String sid);

    /**
     * Stores, under {@code sid}, an entry the manager cannot read (garbage, a truncated document).
     *
     * @return {@code false} when the store cannot hold such an entry (it keeps objects, not bytes)
     */
    boolean plantCorrupt(String sid);

    /**
     * Stores, under {@code sid} (replacing what is there), a well-formed entry of a newer format — the stored
     * document with {@code "v":2} and a field this version does not know — as a newer Satchel would during a
     * rolling upgrade; {@link #isNewerFormatIntact} then tells whether it is still there exactly as planted.
     * Where the store keeps a principal index, the planted entry keeps the principal of what it replaced.
     *
     * @return {@code false} when the store cannot hold such an entry
     */
    default boolean plantNewerFormat(String sid) {
        return false;
    }

    /** Whether the entry {@link #plantNewerFormat} planted under {@code sid} is still there, unchanged. */
    default boolean isNewerFormatIntact(String sid) {
        throw new UnsupportedOperationException("plantNewerFormat is not supported by this backdoor");
    }

    /**
     * Writes {@code record} into the store as another program following {@code docs/format.md} would (Python,
     * PHP, an older node), without going through the store's own write path — including records already
     * expired. Index entries the format asks for (a principal index) are written too.
     *
     * @return {@code false} when the store cannot be written from outside
     */
    default boolean persist(SessionRecord record) {
        return false;
    }

    /**
     * Runs the store's expiry now, at the manager's clock, and returns how many entries it removed; or -1
     * when the store expires entries by its own time (a server-side TTL), not by the injected clock.
     */
    default int sweepExpired() {
        return -1;
    }
}
