package dev.satchel;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The reference {@link SessionManager}: records in a {@link ConcurrentHashMap} in this JVM, for tests,
 * single-node development and as the model every other store is checked against.
 *
 * <p>Each change is applied inside {@link ConcurrentHashMap#computeIfPresent}, which makes it atomic per
 * session. Expired records are removed by {@link #sweep()}, which a background thread calls every
 * {@linkplain Builder#sweepInterval sweep interval} (default one minute) unless built
 * {@linkplain Builder#withoutBackgroundSweeper() without one}; a sweep never removes a record that a
 * concurrent request has just refreshed. {@link #findByPrincipal} and {@link #removeByPrincipal} scan
 * every record.
 *
 * <p>Thread-safe. Sessions are lost when the JVM stops.
 */
public final class InMemorySessionManager extends AbstractSessionManager implements PrincipalIndex {

    private final ConcurrentHashMap<String, SessionRecord> records = new ConcurrentHashMap<>();

    private InMemorySessionManager(Builder b) {
        super(b.clock);
        if (b.sweepInterval != null) {
            startSweeper("satchel-in-memory-sweeper", b.sweepInterval, this::sweep);
        }
    }

    /** A manager with the system clock and a background sweep every minute. */
    public static InMemorySessionManager create() {
        return builder().build();
    }

    /** Starts configuring a manager. */
    public static Builder builder() {
        return new Builder();
    }

    /** Removes every expired record now and returns how many were removed. */
    public int sweep() {
        long now = clock().millis();
        int removed = 0;
        for (SessionRecord r : records.values()) {
            // remove(key, value): a record refreshed since it was read is a different value and stays.
            if (r.isExpiredAt(now) && records.remove(r.id(), r)) {
                removed++;
            }
        }
        return removed;
    }

    /** Number of records held, including expired ones not yet swept. */
    public int size() {
        return records.size();
    }

    /** The record held for {@code sid}, expired or not; for tests. */
    SessionRecord stored(String sid) {
        return records.get(sid);
    }

    @Override
    public List<Session> findByPrincipal(String principal) {
        List<Session> found = new ArrayList<>();
        if (principal == null) {
            return found;
        }
        long now = clock().millis();
        for (SessionRecord r : records.values()) {
            if (principal.equals(r.principal()) && !r.isExpiredAt(now)) {
                found.add(Session.of(r));
            }
        }
        return found;
    }

    @Override
    public int removeByPrincipal(String principal) {
        int removed = 0;
        if (principal == null) {
            return removed;
        }
        for (SessionRecord r : records.values()) {
            if (principal.equals(r.principal()) && records.remove(r.id()) != null) {
                removed++;
            }
        }
        return removed;
    }

    @Override
    protected SessionRecord load(String sid) {
        return records.get(sid);
    }

    @Override
    protected boolean create(SessionRecord record) {
        return records.putIfAbsent(record.id(), record) == null;
    }

    @Override
    protected SessionRecord apply(ChangeSet changes) {
        // Returning null from the function removes the entry: an expired record is dropped on the spot.
        return records.computeIfPresent(changes.sessionId(), (sid, stored) -> changes.applyTo(stored));
    }

    @Override
    protected void delete(String sid) {
        records.remove(sid);
    }

    /** Stops the background sweeper. Idempotent. The records stay readable. */
    @Override
    public void close() {
        stopSweeper(Duration.ofSeconds(1));
    }

    /** Configures an {@link InMemorySessionManager}. Not thread-safe. */
    public static final class Builder {
        private Clock clock = Clock.systemUTC();
        private Duration sweepInterval = Duration.ofMinutes(1);

        private Builder() {}

        /** The clock expiry is measured with; default {@link Clock#systemUTC()}. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** How often the background sweeper removes expired records; default one minute. */
        public Builder sweepInterval(Duration interval) {
            if (interval == null || interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("sweep interval must be positive, was " + interval);
            }
            this.sweepInterval = interval;
            return this;
        }

        /** No background thread: expired records go only when {@link #sweep()} is called. */
        public Builder withoutBackgroundSweeper() {
            this.sweepInterval = null;
            return this;
        }

        /** Builds the manager (and starts its sweeper, if any). */
        public InMemorySessionManager build() {
            return new InMemorySessionManager(this);
        }
    }
}
