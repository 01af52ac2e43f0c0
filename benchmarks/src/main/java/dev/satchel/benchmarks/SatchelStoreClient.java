package dev.satchel.benchmarks;

import dev.satchel.Session;
import dev.satchel.SessionManager;
import java.util.function.Supplier;

/**
 * Any Satchel {@link SessionManager} as a {@link StoreClient}, called through its public API exactly as an
 * application (or {@code HttpSessions} on a cache miss) calls it.
 */
final class SatchelStoreClient implements StoreClient {

    private SessionManager manager;
    private final Supplier<SessionManager> measured;
    private final String[] ids;
    private final AutoCloseable cleanup;

    /** Over {@code manager}, for {@code sessions} sessions; {@code cleanup} runs after the manager is closed. */
    SatchelStoreClient(SessionManager manager, int sessions, AutoCloseable cleanup) {
        this(manager, null, sessions, cleanup);
    }

    /**
     * Fills the store through {@code filler}, then closes it and measures the manager {@code measured}
     * opens over the same store (a configuration too slow to fill a store with, such as one that flushes).
     */
    SatchelStoreClient(SessionManager filler, Supplier<SessionManager> measured, int sessions, AutoCloseable cleanup) {
        this.manager = filler;
        this.measured = measured;
        this.ids = new String[sessions];
        this.cleanup = cleanup;
    }

    @Override
    public void create(int n) {
        Session s = manager.newSession();
        TypicalSession.fill(s, n);
        manager.put(s);
        ids[n] = s.id();
    }

    @Override
    public void populated() {
        if (measured != null) {
            manager.close();
            manager = measured.get();
        }
    }

    @Override
    public Object get(int n) {
        return manager.get(ids[n]).orElseThrow();
    }

    @Override
    public Object put(Object loaded, int n, int value) {
        Session s = (Session) loaded;
        s.put(TypicalSession.CHANGED, value);
        if (!manager.put(s)) {
            throw new IllegalStateException("a stored session was not found when saving it");
        }
        return s;
    }

    @Override
    public void close() throws Exception {
        try {
            manager.close();
        } finally {
            cleanup.close();
        }
    }
}
