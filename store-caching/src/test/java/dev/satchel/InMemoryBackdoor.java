package dev.satchel;

import dev.satchel.spi.StoreSessionManager;
import dev.satchel.testkit.StoreBackdoor;
import java.time.Clock;
import java.time.Duration;

/**
 * An in-memory manager with a backdoor into its store, bypassing any cache in front of it. Lives in core's
 * package to reach the store behind the manager, as core's own test does.
 */
public final class InMemoryBackdoor implements StoreBackdoor {

    private final InMemorySessionStore store = new InMemorySessionStore();
    private final SessionManager manager;

    public InMemoryBackdoor(Clock clock) {
        this.manager = StoreSessionManager.over(store).clock(clock).sweepInterval(Duration.ZERO).build();
    }

    /** The manager over the store this backdoor reaches. */
    public SessionManager manager() {
        return manager;
    }

    /** Another manager over the same store: another node's view, without a cache. */
    public SessionManager secondManager(Clock clock) {
        return StoreSessionManager.over(store).clock(clock).sweepInterval(Duration.ZERO).build();
    }

    @Override
    public boolean isStored(String sid) {
        return store.load(sid) != null;
    }

    @Override
    public boolean plantCorrupt(String sid) {
        return false; // holds records, not bytes
    }

    @Override
    public int sweepExpired() {
        return StoreSessionManager.sweepNow(manager);
    }
}
