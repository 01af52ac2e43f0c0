package dev.satchel;

import static dev.satchel.spi.BuilderRules.requireArgument;
import static dev.satchel.spi.BuilderRules.requireNonNull;
import static dev.satchel.spi.BuilderRules.requireUnset;

import dev.satchel.spi.BuilderRules;
import dev.satchel.spi.StoreMetrics;
import dev.satchel.spi.StoreSessionManager;
import java.time.Clock;
import java.time.Duration;

/**
 * The reference {@link SessionManager}: records in memory in this JVM, for tests, single-node development
 * and as the model every other store is checked against. The manager built implements {@link PrincipalIndex}
 * (by scanning every record) and {@link ExpiryEvents}; expired records are removed by a background sweeper
 * every {@linkplain Builder#sweepInterval sweep interval} (default one minute) unless built
 * {@linkplain Builder#withoutBackgroundSweeper() without one} ({@link StoreSessionManager#sweepNow} then
 * sweeps on demand).
 *
 * <p>Thread-safe. Sessions are lost when the JVM stops.
 */
public final class InMemorySessionManager {

    private InMemorySessionManager() {}

    /** A manager with the system clock and a background sweep every minute. */
    public static SessionManager create() {
        return builder().build();
    }

    /** Starts configuring a manager. */
    public static Builder builder() {
        return new Builder();
    }

    /** Configures an in-memory manager. Follows {@link dev.satchel.spi.BuilderRules}. Not thread-safe. */
    public static final class Builder {
        private Clock clock;
        private Duration sweepInterval;
        private StoreMetrics metrics;

        private Builder() {}

        /** Where store operations are reported; default {@link StoreMetrics#NONE}. */
        public Builder metrics(StoreMetrics metrics) {
            requireUnset(this.metrics, "metrics");
            this.metrics = requireNonNull(metrics, "metrics");
            return this;
        }

        /** The clock expiry is measured with; default {@link Clock#systemUTC()}. */
        public Builder clock(Clock clock) {
            requireUnset(this.clock, "clock");
            this.clock = requireNonNull(clock, "clock");
            return this;
        }

        /** How often the background sweeper removes expired records; default one minute. */
        public Builder sweepInterval(Duration interval) {
            requireUnset(sweepInterval, "sweep interval");
            requireNonNull(interval, "interval");
            requireArgument(!interval.isNegative() && !interval.isZero(), "sweep interval must be positive, was %s", interval);
            this.sweepInterval = interval;
            return this;
        }

        /** No background thread: expired records go only when {@link StoreSessionManager#sweepNow} is called. */
        public Builder withoutBackgroundSweeper() {
            requireUnset(sweepInterval, "sweep interval");
            this.sweepInterval = Duration.ZERO;
            return this;
        }

        /** Builds the manager (and starts its sweeper, if any). */
        public SessionManager build() {
            StoreSessionManager.Builder b = StoreSessionManager.over(new InMemorySessionStore()).name("in-memory");
            if (clock != null) {
                b.clock(clock);
            }
            if (sweepInterval != null) {
                b.sweepInterval(sweepInterval);
            }
            if (metrics != null) {
                b.metrics(metrics);
            }
            return b.build();
        }
    }
}
