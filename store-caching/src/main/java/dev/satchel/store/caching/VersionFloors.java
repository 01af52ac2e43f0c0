package dev.satchel.store.caching;

import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * The lowest version the cache may still take for a session whose versioned invalidation found no copy
 * at least that new — typically because this node's own write is reported before the write's caller
 * caches its result. Instead of bumping the stripe's {@link WriteCounters write count} (which would keep
 * that caller from caching what it wrote), the invalidation leaves a floor: a lookup or write may then
 * cache the session only at that version or later.
 *
 * <p>One floor per stripe of {@link WriteCounters}, so the memory is fixed. A floor for one session that
 * displaces another session's floor first bumps the stripe's write count, so a lookup of the displaced
 * session that is still in flight caches nothing (the conservative fallback: the count is bumped before
 * the slot changes, and {@link #admits} is read before the count). Floors are set and checked under the
 * cache's per-key lock of their session (inside {@code compute}), so checking and caching are atomic
 * with respect to the invalidation of that session. Thread-safe.
 */
final class VersionFloors {

    private final AtomicReferenceArray<Floor> slots = new AtomicReferenceArray<>(WriteCounters.STRIPES);

    /** Requires {@code version} or later of {@code sid} from now on; displacing another floor bumps {@code writes}. */
    void raise(int stripe, String sid, long version, WriteCounters writes) {
        Floor wanted = new Floor(sid, version);
        for (;;) {
            Floor current = slots.get(stripe);
            if (current != null && current.sid.equals(sid)) {
                if (current.version >= version || slots.compareAndSet(stripe, current, wanted)) {
                    return;
                }
                continue;
            }
            if (current != null) {
                writes.bump(stripe);
            }
            if (slots.compareAndSet(stripe, current, wanted)) {
                return;
            }
        }
    }

    /** Whether {@code version} of {@code sid} may be cached: no floor of {@code sid} above it. */
    boolean admits(int stripe, String sid, long version) {
        Floor current = slots.get(stripe);
        return current == null || current.version <= version || !current.sid.equals(sid);
    }

    /** Drops the floor of {@code sid} once {@code version}, at or above it, is cached. */
    void reached(int stripe, String sid, long version) {
        Floor current = slots.get(stripe);
        if (current != null && current.version <= version && current.sid.equals(sid)) {
            slots.compareAndSet(stripe, current, null);
        }
    }

    private static final class Floor {
        final String sid;
        final long version;

        Floor(String sid, long version) {
            this.sid = sid;
            this.version = version;
        }
    }
}
