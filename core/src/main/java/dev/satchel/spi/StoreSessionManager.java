package dev.satchel.spi;

import static dev.satchel.spi.BuilderRules.requireArgument;
import static dev.satchel.spi.BuilderRules.requireNonNull;
import static dev.satchel.spi.BuilderRules.requireUnset;

import dev.satchel.ExpiryEvents;
import dev.satchel.HttpSessions;
import dev.satchel.Invalidations;
import dev.satchel.PrincipalIndex;
import dev.satchel.SessionManager;
import dev.satchel.SessionStoreException;
import dev.satchel.SessionTooLargeException;
import java.time.Clock;
import java.time.Duration;

/**
 * Builds the one {@link SessionManager} that owns Satchel's policy, around any {@link SessionStore}. A store
 * implements only its I/O; the manager adds, once for every store:
 * <ul>
 *   <li><b>id validation</b>: an id that is not {@linkplain SessionIds#isValid valid} never reaches the store
 *       ({@code get} empty, {@code exists} false, {@code remove} a no-op);</li>
 *   <li><b>expiry and the clock</b>: a record expired at the manager's clock is absent; a change never
 *       revives one;</li>
 *   <li><b>the unreadable-entry policy</b>: an entry of a newer format is absent and never touched (not moved,
 *       deleted, rewritten or swept); a corrupt one is absent and {@linkplain SessionStore#discard discarded};
 *       each is logged at WARN the first time per id and at DEBUG after;</li>
 *   <li><b>size limits</b>: a session whose document would exceed the {@linkplain Builder#maxSessionBytes
 *       maximum size} is refused with {@link dev.satchel.SessionTooLargeException} before anything is written;</li>
 *   <li><b>capabilities</b>: the manager implements {@link PrincipalIndex} when the store is a
 *       {@link PrincipalIndexedStore} (filtering the index's candidates to live sessions of that principal),
 *       {@link Invalidations} when it is an {@link InvalidatingStore}, and {@link ExpiryEvents} when it is a
 *       {@link SweepableStore} (whose sweeper then runs in the background);</li>
 *   <li><b>metrics</b> through {@link StoreMetrics};</li>
 *   <li><b>{@code close()}</b>: stops the sweeper, closes the store; every later call except {@code close()}
 *       throws {@link IllegalStateException}.</li>
 * </ul>
 *
 * <pre>{@code
 * SessionManager manager = StoreSessionManager.over(new MyStore(...))
 *         .clock(clock)
 *         .sweepInterval(Duration.ofMinutes(1))
 *         .build();
 * }</pre>
 */
public final class StoreSessionManager {

    /** Idle timeout of a session created by {@code newSession()}: 30 minutes ({@link dev.satchel.HttpSessions} applies its own). */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofMinutes(30);
    /** Absolute timeout of a session created by {@code newSession()}: 12 hours. */
    public static final Duration DEFAULT_ABSOLUTE_TIMEOUT = Duration.ofHours(12);
    /** How often the sweeper runs unless set: every minute. */
    public static final Duration DEFAULT_SWEEP_INTERVAL = Duration.ofMinutes(1);
    /** How many expired entries one sweep batch removes unless set. */
    public static final int DEFAULT_SWEEP_BATCH = 1_000;
    /** The largest session document accepted unless set: 8 MiB. */
    public static final int DEFAULT_MAX_SESSION_BYTES = 8 * 1024 * 1024;
    /**
     * The largest maximum that may be set: half the codec's read limit, so even two requests that each
     * grew a session to the maximum concurrently leave a document that still reads back.
     */
    public static final int MAX_SESSION_BYTES_LIMIT = (int) (SessionCodec.MAX_DOCUMENT_LENGTH / 2);

    private StoreSessionManager() {}

    /** Starts building a manager around {@code store}, which the manager then owns (and closes). */
    public static Builder over(SessionStore store) {
        return new Builder(requireNonNull(store, "store"));
    }

    /**
     * Runs one sweep pass now, on the calling thread — for tests, and for operators who run no background
     * sweeper (a cron job, say): batches are removed until none is left expired.
     *
     * @return how many expired sessions were removed; 0 when {@code manager} was not built here or its
     *     store is not a {@link SweepableStore}
     * @throws dev.satchel.SessionStoreException if the store fails
     */
    public static int sweepNow(SessionManager manager) {
        if (manager instanceof PolicyManager && ((PolicyManager) manager).store instanceof SweepableStore) {
            PolicyManager policy = (PolicyManager) manager;
            return policy.sweepPass((SweepableStore) policy.store, policy.sweepBatch());
        }
        return 0;
    }

    /** Configures the manager. Follows {@link BuilderRules}. Not thread-safe. */
    public static final class Builder {
        final SessionStore store;
        Clock clock;
        Duration sweepInterval;
        int sweepBatch;
        StoreMetrics metrics;
        int maxSessionBytes;
        String name;

        private Builder(SessionStore store) {
            this.store = store;
        }

        /** The clock every expiry decision reads; default {@link Clock#systemUTC()}. */
        public Builder clock(Clock clock) {
            requireUnset(this.clock, "clock");
            this.clock = requireNonNull(clock, "clock");
            return this;
        }

        /**
         * How long the sweeper waits between passes (a pass removes batches until none is left expired);
         * default {@link #DEFAULT_SWEEP_INTERVAL}. {@link Duration#ZERO} runs no sweeper (the application then
         * calls nothing: expired entries stay on storage, invisible). Ignored by stores that are not
         * {@link SweepableStore}.
         */
        public Builder sweepInterval(Duration interval) {
            requireUnset(sweepInterval, "sweep interval");
            requireNonNull(interval, "interval");
            requireArgument(!interval.isNegative(), "sweep interval must not be negative, was %s", interval);
            this.sweepInterval = interval;
            return this;
        }

        /** How many entries one sweep batch deletes at most; default {@link #DEFAULT_SWEEP_BATCH}. */
        public Builder sweepBatch(int batch) {
            requireUnset(sweepBatch, 0, "sweep batch");
            requireArgument(batch > 0, "sweep batch must be positive, was %s", batch);
            this.sweepBatch = batch;
            return this;
        }

        /** Where store operations are reported; default {@link StoreMetrics#NONE}. */
        public Builder metrics(StoreMetrics metrics) {
            requireUnset(this.metrics, "metrics");
            this.metrics = requireNonNull(metrics, "metrics");
            return this;
        }

        /**
         * The largest session document, in bytes of the stored JSON, that a save may produce; default
         * {@link #DEFAULT_MAX_SESSION_BYTES}, at most {@link #MAX_SESSION_BYTES_LIMIT}. Applies to what the
         * saving request sees: the session as it loaded it plus its changes.
         */
        public Builder maxSessionBytes(int bytes) {
            requireUnset(maxSessionBytes, 0, "max session bytes");
            requireArgument(bytes >= 1024 && bytes <= MAX_SESSION_BYTES_LIMIT,
                    "max session bytes must be between 1024 and %s, was %s", MAX_SESSION_BYTES_LIMIT, bytes);
            this.maxSessionBytes = bytes;
            return this;
        }

        /** A short name for the sweeper thread and logs (never a URL or path); default the store's class name. */
        public Builder name(String name) {
            requireUnset(this.name, "name");
            this.name = requireNonNull(name, "name");
            return this;
        }

        /**
         * Builds the manager, and starts its sweeper if the store is a {@link SweepableStore} and the sweep
         * interval is not zero. The returned manager implements the capabilities the store offers (see the
         * class comment).
         */
        public SessionManager build() {
            return PolicyManager.create(this);
        }
    }
}
