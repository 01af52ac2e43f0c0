package dev.satchel.spi;

import dev.satchel.SessionStoreException;
import java.util.function.Consumer;

/**
 * A store whose entries do not expire by themselves: the manager's sweeper calls {@link #sweep} in the
 * background so storage stays bounded. Stores with native expiry (Redis TTLs) do not implement it.
 */
public interface SweepableStore extends SessionStore {

    /**
     * Deletes at most {@code limit} entries that are expired at {@code now} and passes each deleted record to
     * {@code removed} (for expiry events; pass-through is cheap, the manager gives a no-op when nobody listens).
     * Unreadable entries are left alone (the manager's unreadable-entry policy decides about those when they
     * are read). An entry that a concurrent write keeps alive is not deleted.
     *
     * @param now epoch milliseconds
     * @return how many entries were deleted; fewer than {@code limit} means none is left expired
     * @throws dev.satchel.SessionStoreException if the store fails; entries deleted before stay deleted
     */
    int sweep(long now, int limit, Consumer<? super SessionRecord> removed);
}
