package dev.satchel.spi;

import dev.satchel.SessionStoreException;

/**
 * The I/O of one session store, and nothing else: a store keeps records and merges changes into them;
 * every decision — id validation, expiry and the clock, what to do with an unreadable entry, sweeping,
 * principal filtering, metrics, life after {@code close()} — is taken once, for every store, by the manager
 * {@link StoreSessionManager} builds around it. A store is written as one package-private class that
 * implements this interface (and the capability interfaces it can offer: {@link SweepableStore},
 * {@link PrincipalIndexedStore}, {@link InvalidatingStore}) plus a small public entry class; the testkit's
 * {@code SessionStoreContract} checks it.
 *
 * <p>What the manager guarantees to a store: every id it passes is a {@linkplain SessionIds#isValid valid
 * id}, so a store may build a file name, key or URL from it directly; every record it passes is complete
 * and within the codec's limits. What a store guarantees back:
 * <ul>
 *   <li>{@link #create} never overwrites: a taken id is reported, not replaced.</li>
 *   <li>{@link #apply} is atomic with respect to every other write of the same session, across threads and,
 *       where the store is shared, across processes, and never brings back an absent or expired record.</li>
 *   <li>Nothing is half written: after a failure the entry is as before, or completely changed.</li>
 *   <li>Failures are {@link dev.satchel.SessionStoreException} subclasses with their cause, and their
 *       messages hold no session id, randval, digest, key or credential.</li>
 * </ul>
 *
 * <p>Implementations must be thread-safe.
 */
public interface SessionStore extends AutoCloseable {

    /**
     * Reads the stored record of {@code id}, expired or not (the manager checks expiry).
     *
     * @return the record, or {@code null} when none is stored
     * @throws UnreadableEntryException if an entry exists but cannot be read (corrupt, or a newer format)
     * @throws dev.satchel.SessionStoreException if the store fails
     */
    SessionRecord load(String id);

    /**
     * Stores a new record unless an entry with the same id exists (readable or not, expired or not).
     *
     * @return {@code false} if the id is taken; then nothing was written
     * @throws dev.satchel.SessionStoreException if the store fails
     */
    boolean create(SessionRecord record);

    /**
     * Atomically reads the stored record of {@code changes.sessionId()} and replaces it with
     * {@link ChangeSet#applyTo changes.applyTo(stored)} — or the same merge done inside the store (a Redis
     * script, a SQL statement). When that is {@code null} the session is over: an absent entry stays absent
     * and a present one is deleted (it expired, or this very change ended it).
     *
     * @return the record now stored, or {@code null} when the session was absent, expired or ended
     * @throws UnreadableEntryException if the stored entry cannot be read; then nothing was written
     * @throws dev.satchel.SessionStoreException if the store fails
     */
    SessionRecord apply(ChangeSet changes);

    /**
     * Deletes the entry of {@code id} if there is one, whatever it holds. Idempotent.
     *
     * @throws dev.satchel.SessionStoreException if the store fails
     */
    void delete(String id);

    /**
     * Moves a corrupt entry out of the way (aside for inspection, or deleted) so it is not reported again.
     * Called by the manager after {@link #load} or {@link #apply} reported it corrupt; never for an entry of
     * a {@linkplain UnreadableEntryException#newerFormat() newer format}, which is left untouched.
     *
     * @throws dev.satchel.SessionStoreException if the store fails
     */
    void discard(String id);

    /** Releases what the store owns (connections, threads, locks). Idempotent. The default does nothing. */
    @Override
    default void close() {}
}
