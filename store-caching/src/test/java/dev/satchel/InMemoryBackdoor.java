package dev.satchel;

import dev.satchel.testkit.StoreBackdoor;

/**
 * A backdoor into an {@link InMemorySessionManager}, bypassing any cache in front of it. Lives in core's
 * package to reach the map behind the manager, as core's own test does.
 */
public final class InMemoryBackdoor implements StoreBackdoor {

    private final InMemorySessionManager store;

    public InMemoryBackdoor(InMemorySessionManager store) {
        this.store = store;
    }

    @Override
    public boolean isStored(String sid) {
        return store.stored(sid) != null;
    }

    @Override
    public boolean plantCorrupt(String sid) {
        return false; // holds records, not bytes
    }

    @Override
    public int sweepExpired() {
        return store.sweep();
    }
}
