package dev.satchel.spi;

import dev.satchel.Session;
import dev.satchel.SessionConflictException;
import dev.satchel.SessionManager;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * <b>Transitional</b>: the base class the stores extended before the {@link SessionStore} SPI; it goes
 * away once every store is a {@link SessionStore} behind {@link StoreSessionManager}. New code must not use it.
 *
 * <p>The policy every store shares, written once: id validation, expiry, the clock, new-session creation and
 * change bookkeeping. A store extends this class and implements only its I/O — {@link #load},
 * {@link #create}, {@link #apply} and {@link #delete} — and is then a complete {@link SessionManager}.
 *
 * <p>What the base guarantees to a store: every id it passes is {@linkplain SessionIds#isValid valid}, so
 * a store may build a file name or key from it directly; every record it passes is complete. What a store
 * guarantees back: {@link #apply} is atomic with respect to every other write of the same session, across
 * threads and, where the store is shared, across processes.
 *
 * <p>A new session gets an idle timeout of {@link #DEFAULT_IDLE_TIMEOUT} and an absolute deadline of
 * {@link #DEFAULT_ABSOLUTE_TIMEOUT} after creation unless changed on the session ({@link HttpSessions}
 * applies its own settings).
 */
@Deprecated(forRemoval = true)
public abstract class AbstractSessionManager implements SessionManager {

    /** Idle timeout of a session created by {@link #newSession()}: 30 minutes. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(30);
    /** Absolute timeout of a session created by {@link #newSession()}: 12 hours. */
    public static final Duration DEFAULT_ABSOLUTE_TIMEOUT = Duration.ofHours(12);

    private static final Logger LOG = LoggerFactory.getLogger(AbstractSessionManager.class);

    private final Clock clock;
    private ScheduledExecutorService sweeper;
    private volatile boolean sweeperStopped;

    /** A manager reading time from {@code clock}. */
    protected AbstractSessionManager(Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The clock this manager reads time from. */
    protected final Clock clock() {
        return clock;
    }

    /**
     * Reads the stored record of {@code sid}, expired or not (the caller checks expiry).
     *
     * @return the record, or {@code null} when none is stored
     * @throws UnreadableEntryException if an entry exists but cannot be read
     * @throws SessionStoreException if the store fails
     */
    protected abstract SessionRecord load(String sid);

    /**
     * Stores a new record unless one with the same id exists.
     *
     * @return {@code false} if a record with this id already exists; nothing was written
     * @throws SessionStoreException if the store fails
     */
    protected abstract boolean create(SessionRecord record);

    /**
     * Atomically reads the stored record of {@code changes.sessionId()} and replaces it with
     * {@link ChangeSet#applyTo changes.applyTo(stored)} (or the same merge done inside the store). When
     * that is {@code null} the session is over: an absent entry stays absent and a present one must be
     * deleted (it is expired, or this very change ended it, say with a deadline already past).
     *
     * @return the record now stored, or {@code null} when the session was absent or expired
     * @throws UnreadableEntryException if the stored entry cannot be read; the base class then logs it,
     *     calls {@link #discardCorrupt} and reports the session as gone
     * @throws SessionStoreException if the store fails
     */
    protected abstract SessionRecord apply(ChangeSet changes);

    /**
     * Deletes the stored record of {@code sid} if there is one.
     *
     * @throws SessionStoreException if the store fails
     */
    protected abstract void delete(String sid);

    /**
     * Called after {@link #load} reported a corrupt entry (already logged), so the store can move it out of
     * the way and not report it again. The default does nothing.
     */
    protected void discardCorrupt(String sid) {}

    /**
     * Runs {@code pass} in the background — the sweeper of a store whose entries do not expire by themselves
     * — on a daemon thread named {@code threadName}, first after {@code interval}, then {@code interval}
     * after each pass ends. A pass returns how many sessions it removed (logged at debug); a pass that
     * throws is logged and the next one runs as planned. Call it once, when the store is ready to serve;
     * {@link #stopSweeper} ends it.
     *
     * @throws IllegalStateException if a sweeper was already started
     */
    protected final synchronized void startSweeper(String threadName, Duration interval, IntSupplier pass) {
        if (sweeper != null) {
            throw new IllegalStateException("the sweeper was already started");
        }
        sweeper = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, threadName);
            t.setDaemon(true);
            return t;
        });
        long millis = interval.toMillis();
        sweeper.scheduleWithFixedDelay(() -> {
            try {
                int removed = pass.getAsInt();
                if (removed > 0) {
                    LOG.debug("Swept {} expired sessions", removed);
                }
            } catch (RuntimeException e) {
                if (!sweeperStopped) { // a pass cut short by stopSweeper is no failure
                    LOG.warn("Sweeping expired sessions failed", e);
                }
            }
        }, millis, millis, TimeUnit.MILLISECONDS);
    }

    /**
     * Stops the sweeper, interrupting a pass in progress, and waits up to {@code grace} for it to end.
     * Idempotent; does nothing when no sweeper was started.
     *
     * @return {@code false} if a pass was still running when {@code grace} ran out
     */
    protected final boolean stopSweeper(Duration grace) {
        ScheduledExecutorService s;
        synchronized (this) {
            s = sweeper;
        }
        if (s == null) {
            return true;
        }
        sweeperStopped = true;
        s.shutdownNow();
        try {
            return s.awaitTermination(grace.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    @Override
    public Session newSession() {
        String[] idAndRandval = SessionIds.newIdAndRandval();
        long now = clock.millis();
        return SessionAccess.fresh(SessionRecord.builder(idAndRandval[0], idAndRandval[1])
                .created(now)
                .lastAccess(now)
                .idleTimeoutMillis(DEFAULT_IDLE_TIMEOUT.toMillis())
                .deadline(now + DEFAULT_ABSOLUTE_TIMEOUT.toMillis())
                .build());
    }

    @Override
    public boolean exists(String sid) {
        return live(sid) != null;
    }

    @Override
    public Optional<Session> get(String sid) {
        SessionRecord record = live(sid);
        return record == null ? Optional.empty() : Optional.of(SessionAccess.wrap(record));
    }

    /** {@inheritDoc} Answers like {@link #get}, without the {@link Optional}. */
    @Override
    public Session lookup(CharSequence text, int start) {
        SessionRecord record = live(text.subSequence(start, start + SessionIds.LENGTH).toString());
        return record == null ? null : SessionAccess.wrap(record);
    }

    @Override
    public boolean put(Session session) {
        long now = clock.millis();
        if (session.isNew()) {
            SessionRecord initial = SessionAccess.initialRecord(session, now);
            if (initial == null) {
                return false;
            }
            if (!create(initial)) {
                throw new SessionConflictException("a session with this id already exists");
            }
            SessionAccess.saved(session, initial);
            return true;
        }
        SessionRecord merged;
        try {
            merged = apply(SessionAccess.changes(session, now));
        } catch (UnreadableEntryException e) {
            // Nothing readable to merge into: like a removed session, it is not brought back.
            LOG.warn("Not saving into an unreadable session entry: {}", e.getMessage());
            discardCorrupt(session.id());
            return false;
        }
        if (merged == null) {
            return false;
        }
        SessionAccess.saved(session, merged);
        return true;
    }

    @Override
    public void remove(String sid) {
        if (SessionIds.isValid(sid)) {
            delete(sid);
        }
    }

    /** The stored, unexpired, readable record of {@code sid}, or {@code null}. */
    private SessionRecord live(String sid) {
        if (!SessionIds.isValid(sid)) {
            return null;
        }
        SessionRecord record;
        try {
            record = load(sid);
        } catch (UnreadableEntryException e) {
            // The message names the defect, never the content or the id.
            LOG.warn("Treating an unreadable session entry as absent: {}", e.getMessage());
            discardCorrupt(sid);
            return null;
        }
        if (record == null || record.isExpiredAt(clock.millis())) {
            return null;
        }
        if (!record.id().equals(sid)) {
            LOG.warn("Treating a session entry stored under another id as absent");
            discardCorrupt(sid);
            return null;
        }
        return record;
    }
}
