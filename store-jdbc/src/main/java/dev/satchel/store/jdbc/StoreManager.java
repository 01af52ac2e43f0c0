package dev.satchel.store.jdbc;

import dev.satchel.AbstractSessionManager;
import dev.satchel.ChangeSet;
import dev.satchel.PrincipalIndex;
import dev.satchel.Session;
import dev.satchel.SessionIds;
import dev.satchel.SessionRecord;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The manager over a {@link JdbcSessionStore} until core's store SPI ({@code StoreSessionManager}) exists:
 * core's shared policy ({@link AbstractSessionManager}) on top, the store's I/O below, the principal index
 * and the sweeper in between. Interim: it goes away, unchanged in behaviour, when the SPI lands.
 * Thread-safe.
 */
final class StoreManager extends AbstractSessionManager implements PrincipalIndex {

    private final JdbcSessionStore store;
    private final int sweepBatch;

    StoreManager(JdbcSessionStore store, Clock clock, Duration sweepInterval, int sweepBatch) {
        super(clock);
        this.store = store;
        this.sweepBatch = sweepBatch;
        if (sweepInterval != null) {
            startSweeper("satchel-jdbc-sweeper", sweepInterval, this::sweep);
        }
    }

    /** The store underneath; for tests. */
    JdbcSessionStore store() {
        return store;
    }

    /**
     * Deletes every row expired now, in statements of at most the sweep batch each, and returns how many;
     * stops early when the thread is interrupted (the manager is closing).
     */
    int sweep() {
        int total = 0;
        int n;
        do {
            n = store.sweep(clock().millis(), sweepBatch);
            total += n;
        } while (n == sweepBatch && !Thread.currentThread().isInterrupted());
        return total;
    }

    @Override
    protected SessionRecord load(String sid) {
        return store.load(sid);
    }

    @Override
    protected boolean create(SessionRecord record) {
        return store.create(record);
    }

    @Override
    protected SessionRecord apply(ChangeSet changes) {
        return store.apply(changes);
    }

    @Override
    protected void delete(String sid) {
        store.delete(sid);
    }

    @Override
    protected void discardCorrupt(String sid) {
        try {
            store.discard(sid);
        } catch (RuntimeException e) {
            // Already treated as absent; the next read finds it again.
        }
    }

    /** Working copies of the live sessions logged in as {@code principal}: one index read, then each row. */
    @Override
    public List<Session> findByPrincipal(String principal) {
        List<Session> found = new ArrayList<>();
        if (principal == null) {
            return found;
        }
        for (String id : store.idsOfPrincipal(principal)) {
            if (SessionIds.isValid(id)) {
                get(id).filter(s -> principal.equals(s.principal().orElse(null))).ifPresent(found::add);
            }
        }
        return found;
    }

    /** Removes every live session logged in as {@code principal} ("log out everywhere"); returns how many. */
    @Override
    public int removeByPrincipal(String principal) {
        int removed = 0;
        for (Session s : findByPrincipal(principal)) {
            remove(s.id());
            removed++;
        }
        return removed;
    }

    /** Stops the sweeper (waiting up to 5 s for a pass in progress). The data source stays open: it is the application's. */
    @Override
    public void close() {
        stopSweeper(Duration.ofSeconds(5));
        store.close();
    }
}
