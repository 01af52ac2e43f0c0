package dev.satchel.spi;

import dev.satchel.ExpiryEvents;
import dev.satchel.Invalidations;
import dev.satchel.PrincipalIndex;
import dev.satchel.Session;
import dev.satchel.SessionConflictException;
import dev.satchel.SessionManager;
import dev.satchel.SessionStoreException;
import dev.satchel.SessionTooLargeException;
import dev.satchel.spi.StoreMetrics.Operation;
import dev.satchel.spi.StoreMetrics.Outcome;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The manager {@link StoreSessionManager} builds: Satchel's policy around one {@link SessionStore}. The
 * capability interfaces it implements depend on the store's (see {@link #create}); they are mixed in by the
 * small subclasses at the end of this file.
 */
class PolicyManager implements SessionManager {

    private static final Logger LOG = LoggerFactory.getLogger(PolicyManager.class);

    final SessionStore store;
    private final Clock clock;
    private final StoreMetrics metrics;
    private final boolean timed;
    private final int maxSessionBytes;
    private final String name;
    private final int sweepBatch;
    private final UnreadableEntries unreadable = new UnreadableEntries();
    private final List<Consumer<Session>> expiryListeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService sweeper;
    /** The sweeper's one thread, once started: close() joins it, so no thread outlives the manager. */
    private volatile Thread sweeperThread;
    private volatile boolean closed;
    private volatile boolean metricsFailed;

    PolicyManager(StoreSessionManager.Builder b) {
        this.store = b.store;
        this.clock = b.clock == null ? Clock.systemUTC() : b.clock;
        this.metrics = b.metrics == null ? StoreMetrics.NONE : b.metrics;
        this.timed = metrics != StoreMetrics.NONE;
        this.maxSessionBytes = b.maxSessionBytes == 0 ? StoreSessionManager.DEFAULT_MAX_SESSION_BYTES : b.maxSessionBytes;
        this.name = b.name == null ? store.getClass().getSimpleName() : b.name;
        Duration interval = b.sweepInterval == null ? StoreSessionManager.DEFAULT_SWEEP_INTERVAL : b.sweepInterval;
        this.sweepBatch = b.sweepBatch == 0 ? StoreSessionManager.DEFAULT_SWEEP_BATCH : b.sweepBatch;
        this.sweeper = store instanceof SweepableStore && !interval.isZero()
                ? startSweeper((SweepableStore) store, interval, sweepBatch) : null;
    }

    /** The manager for {@code b}'s store, implementing exactly the capabilities the store offers. */
    static SessionManager create(StoreSessionManager.Builder b) {
        boolean p = b.store instanceof PrincipalIndexedStore;
        boolean i = b.store instanceof InvalidatingStore;
        boolean e = b.store instanceof SweepableStore;
        if (p && i && e) {
            return new IndexedInvalidatingSweeping(b);
        } else if (p && i) {
            return new IndexedInvalidating(b);
        } else if (p && e) {
            return new IndexedSweeping(b);
        } else if (i && e) {
            return new InvalidatingSweeping(b);
        } else if (p) {
            return new Indexed(b);
        } else if (i) {
            return new Invalidating(b);
        } else if (e) {
            return new Sweeping(b);
        }
        return new PolicyManager(b);
    }

    final int sweepBatch() {
        return sweepBatch;
    }

    // ---- SessionManager ----

    @Override
    public Session newSession() {
        checkOpen();
        String[] idAndRandval = SessionIds.newIdAndRandval();
        long now = clock.millis();
        return SessionAccess.fresh(SessionRecord.builder(idAndRandval[0], idAndRandval[1])
                .created(now)
                .lastAccess(now)
                .idleTimeoutMillis(StoreSessionManager.DEFAULT_IDLE_TIMEOUT.toMillis())
                .deadline(now + StoreSessionManager.DEFAULT_ABSOLUTE_TIMEOUT.toMillis())
                .build());
    }

    @Override
    public boolean exists(String sid) {
        checkOpen();
        return live(sid) != null;
    }

    @Override
    public Optional<Session> get(String sid) {
        checkOpen();
        SessionRecord record = live(sid);
        return record == null ? Optional.empty() : Optional.of(SessionAccess.wrap(record));
    }

    /** {@inheritDoc} Answers like {@link #get}, without the {@link Optional}. */
    @Override
    public Session lookup(CharSequence text, int start) {
        checkOpen();
        SessionRecord record = live(text.subSequence(start, start + SessionIds.LENGTH).toString());
        return record == null ? null : SessionAccess.wrap(record);
    }

    @Override
    public boolean put(Session session) {
        checkOpen();
        long now = clock.millis();
        if (session.isNew()) {
            SessionRecord initial = SessionAccess.initialRecord(session, now);
            if (initial == null) {
                return false;
            }
            checkSize(initial);
            if (!create(initial)) {
                throw new SessionConflictException("a session with this id already exists");
            }
            SessionAccess.saved(session, initial);
            return true;
        }
        ChangeSet changes = SessionAccess.changes(session, now);
        if (!changes.isTouchOnly() && !endsSession(changes, now)) {
            checkSize(SessionCodec.encodedLengthBound(changes.base(), changes));
        }
        SessionRecord merged = apply(changes);
        if (merged == null) {
            return false;
        }
        SessionAccess.saved(session, merged);
        return true;
    }

    @Override
    public void remove(String sid) {
        checkOpen();
        if (SessionIds.isValid(sid)) {
            delete(sid);
        }
    }

    /** Stops the sweeper (waiting up to 10 s for a pass in progress) and closes the store. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (sweeper != null) {
            sweeper.shutdownNow();
            try {
                if (!sweeper.awaitTermination(10, TimeUnit.SECONDS)) {
                    LOG.warn("{}: a sweep pass was still running when the manager closed", name);
                }
                Thread t = sweeperThread;
                if (t != null) {
                    t.join(TimeUnit.SECONDS.toMillis(10));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        store.close();
    }

    @Override
    public String toString() {
        return "StoreSessionManager[" + name + (closed ? ", closed]" : "]");
    }

    // ---- capabilities, mixed in below ----

    final List<Session> sessionsOf(String principal) {
        checkOpen();
        if (principal == null) {
            return List.of();
        }
        Collection<String> ids = time(Operation.FIND_BY_PRINCIPAL,
                () -> ((PrincipalIndexedStore) store).idsOfPrincipal(principal));
        List<Session> found = new ArrayList<>(ids.size());
        for (String id : ids) {
            SessionRecord r = live(id);
            if (r != null && principal.equals(r.principal())) {
                found.add(SessionAccess.wrap(r));
            }
        }
        return found;
    }

    final int removeAllOf(String principal) {
        int removed = 0;
        for (Session s : sessionsOf(principal)) {
            // Conditional: the session may have logged in as someone else since it was listed.
            if (deleteIfPrincipal(s.id(), principal)) {
                removed++;
            }
        }
        return removed;
    }

    final Invalidations.Subscription subscribeToStore(Invalidations.Listener listener) {
        checkOpen();
        return ((InvalidatingStore) store).subscribe(listener);
    }

    final Invalidations.Subscription addExpiryListener(Consumer<Session> listener) {
        checkOpen();
        expiryListeners.add(listener);
        return () -> expiryListeners.remove(listener);
    }

    // ---- policy ----

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the session manager is closed");
        }
    }

    /** The stored, unexpired, readable record of {@code sid}, or {@code null}. */
    private SessionRecord live(String sid) {
        if (!SessionIds.isValid(sid)) {
            return null;
        }
        SessionRecord record;
        long start = timed ? System.nanoTime() : 0;
        try {
            record = store.load(sid);
        } catch (UnreadableEntryException e) {
            recordMetric(Operation.LOAD, Outcome.ABSENT, start);
            unreadable(sid, e);
            return null;
        } catch (RuntimeException e) {
            recordMetric(Operation.LOAD, Outcome.FAILURE, start);
            throw e;
        }
        if (record == null || record.isExpiredAt(clock.millis())) {
            recordMetric(Operation.LOAD, Outcome.ABSENT, start);
            return null;
        }
        if (!record.id().equals(sid)) {
            recordMetric(Operation.LOAD, Outcome.ABSENT, start);
            unreadable(sid, new UnreadableEntryException("session entry is stored under another id"));
            return null;
        }
        recordMetric(Operation.LOAD, Outcome.SUCCESS, start);
        return record;
    }

    private boolean create(SessionRecord record) {
        long start = timed ? System.nanoTime() : 0;
        boolean created;
        try {
            created = store.create(record);
        } catch (RuntimeException e) {
            recordMetric(Operation.CREATE, Outcome.FAILURE, start);
            throw e;
        }
        recordMetric(Operation.CREATE, created ? Outcome.SUCCESS : Outcome.CONFLICT, start);
        return created;
    }

    private SessionRecord apply(ChangeSet changes) {
        long start = timed ? System.nanoTime() : 0;
        SessionRecord merged;
        try {
            merged = store.apply(changes);
        } catch (UnreadableEntryException e) {
            // Nothing readable to merge into: like a removed session, it is not brought back.
            recordMetric(Operation.APPLY, Outcome.ABSENT, start);
            unreadable(changes.sessionId(), e);
            return null;
        } catch (RuntimeException e) {
            recordMetric(Operation.APPLY, Outcome.FAILURE, start);
            throw e;
        }
        recordMetric(Operation.APPLY, merged == null ? Outcome.ABSENT : Outcome.SUCCESS, start);
        return merged;
    }

    private void delete(String sid) {
        long start = timed ? System.nanoTime() : 0;
        try {
            store.delete(sid);
        } catch (RuntimeException e) {
            recordMetric(Operation.DELETE, Outcome.FAILURE, start);
            throw e;
        }
        recordMetric(Operation.DELETE, Outcome.SUCCESS, start);
    }

    private boolean deleteIfPrincipal(String sid, String principal) {
        long start = timed ? System.nanoTime() : 0;
        boolean deleted;
        try {
            deleted = ((PrincipalIndexedStore) store).deleteIfPrincipal(sid, principal);
        } catch (RuntimeException e) {
            recordMetric(Operation.DELETE, Outcome.FAILURE, start);
            throw e;
        }
        recordMetric(Operation.DELETE, Outcome.SUCCESS, start);
        return deleted;
    }

    /** The one unreadable-entry policy: absent to this version; a corrupt entry discarded, a newer one left alone. */
    private void unreadable(String sid, UnreadableEntryException e) {
        if (unreadable.firstTime(sid)) {
            // The message names the defect, never the content or the id.
            LOG.warn("{}: treating an unreadable session entry as absent: {}", name, e.getMessage());
        } else {
            LOG.debug("{}: treating an unreadable session entry as absent again: {}", name, e.getMessage());
        }
        if (!e.newerFormat()) {
            try {
                store.discard(sid);
            } catch (SessionStoreException failure) {
                LOG.warn("{}: could not discard an unreadable session entry", name, failure);
            }
        }
    }

    /**
     * Whether {@code changes}, applied at {@code now} to what this request saw, writes nothing: that record is
     * past its deadline, or the change sets one already past (the idle timeout cannot end it: the access is now).
     */
    private static boolean endsSession(ChangeSet changes, long now) {
        return now >= changes.base().deadline() || (changes.deadlineChanged() && now >= changes.deadline());
    }

    private void checkSize(SessionRecord record) {
        checkSize(SessionCodec.encodedLengthBound(record));
    }

    private void checkSize(long size) {
        if (size > maxSessionBytes) {
            throw new SessionTooLargeException("session would take about " + size
                    + " bytes stored, over the maximum of " + maxSessionBytes + " bytes; nothing was written");
        }
    }

    private interface StoreCall<T> {
        T call();
    }

    private <T> T time(Operation op, StoreCall<T> call) {
        long start = timed ? System.nanoTime() : 0;
        T result;
        try {
            result = call.call();
        } catch (RuntimeException e) {
            recordMetric(op, Outcome.FAILURE, start);
            throw e;
        }
        recordMetric(op, Outcome.SUCCESS, start);
        return result;
    }

    private void recordMetric(Operation op, Outcome outcome, long start) {
        if (!timed) {
            return;
        }
        try {
            metrics.record(op, outcome, System.nanoTime() - start);
        } catch (RuntimeException e) {
            if (!metricsFailed) {
                metricsFailed = true;
                LOG.warn("{}: the store metrics recorder failed; further failures are not logged", name, e);
            }
        }
    }

    // ---- the sweeper ----

    private ScheduledExecutorService startSweeper(SweepableStore sweepable, Duration interval, int batch) {
        ScheduledExecutorService s = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "satchel-sweeper-" + name);
            t.setDaemon(true);
            sweeperThread = t;
            return t;
        });
        long millis = Math.max(1, interval.toMillis());
        s.scheduleWithFixedDelay(() -> sweepPass(sweepable, batch), millis, millis, TimeUnit.MILLISECONDS);
        return s;
    }

    /** Removes batches until one comes back short; a failing pass is logged and the next runs as planned. */
    final int sweepPass(SweepableStore sweepable, int batch) {
        int total = 0;
        checkOpen();
        try {
            int removed;
            do {
                if (closed || Thread.currentThread().isInterrupted()) {
                    break;
                }
                long start = timed ? System.nanoTime() : 0;
                try {
                    removed = sweepable.sweep(clock.millis(), batch, this::expired);
                } catch (RuntimeException e) {
                    recordMetric(Operation.SWEEP, Outcome.FAILURE, start);
                    throw e;
                }
                recordMetric(Operation.SWEEP, Outcome.SUCCESS, start);
                total += removed;
            } while (removed >= batch);
            if (total > 0) {
                LOG.debug("{}: swept {} expired sessions", name, total);
            }
        } catch (RuntimeException e) {
            if (!closed) { // a pass cut short by close() is no failure
                LOG.warn("{}: sweeping expired sessions failed", name, e);
            }
        }
        return total;
    }

    private void expired(SessionRecord record) {
        if (expiryListeners.isEmpty()) {
            return;
        }
        for (Consumer<Session> l : expiryListeners) {
            try {
                l.accept(SessionAccess.wrap(record));
            } catch (RuntimeException e) {
                LOG.warn("{}: an expiry listener failed", name, e);
            }
        }
    }

    // ---- the capability mix-ins: one small class per combination the store can offer ----

    private interface IndexedMixin extends PrincipalIndex {
        PolicyManager policy();

        @Override
        default List<Session> findByPrincipal(String principal) {
            return policy().sessionsOf(principal);
        }

        @Override
        default int removeByPrincipal(String principal) {
            return policy().removeAllOf(principal);
        }
    }

    private interface InvalidatingMixin extends Invalidations {
        PolicyManager policy();

        @Override
        default Subscription subscribe(Listener listener) {
            return policy().subscribeToStore(listener);
        }
    }

    private interface SweepingMixin extends ExpiryEvents {
        PolicyManager policy();

        @Override
        default Invalidations.Subscription onExpired(Consumer<Session> listener) {
            return policy().addExpiryListener(listener);
        }
    }

    private abstract static class Mixed extends PolicyManager {
        Mixed(StoreSessionManager.Builder b) {
            super(b);
        }

        public final PolicyManager policy() {
            return this;
        }
    }

    private static final class Indexed extends Mixed implements IndexedMixin {
        Indexed(StoreSessionManager.Builder b) {
            super(b);
        }
    }

    private static final class Invalidating extends Mixed implements InvalidatingMixin {
        Invalidating(StoreSessionManager.Builder b) {
            super(b);
        }
    }

    private static final class Sweeping extends Mixed implements SweepingMixin {
        Sweeping(StoreSessionManager.Builder b) {
            super(b);
        }
    }

    private static final class IndexedInvalidating extends Mixed implements IndexedMixin, InvalidatingMixin {
        IndexedInvalidating(StoreSessionManager.Builder b) {
            super(b);
        }
    }

    private static final class IndexedSweeping extends Mixed implements IndexedMixin, SweepingMixin {
        IndexedSweeping(StoreSessionManager.Builder b) {
            super(b);
        }
    }

    private static final class InvalidatingSweeping extends Mixed implements InvalidatingMixin, SweepingMixin {
        InvalidatingSweeping(StoreSessionManager.Builder b) {
            super(b);
        }
    }

    private static final class IndexedInvalidatingSweeping extends Mixed
            implements IndexedMixin, InvalidatingMixin, SweepingMixin {
        IndexedInvalidatingSweeping(StoreSessionManager.Builder b) {
            super(b);
        }
    }
}
