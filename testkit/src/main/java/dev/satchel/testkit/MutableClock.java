package dev.satchel.testkit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link Clock} that stands still until a test moves it, so expiry is tested without sleeping.
 * Millisecond resolution. Thread-safe: concurrent readers see every {@link #advance} atomically.
 */
public final class MutableClock extends Clock {

    private final AtomicLong millis;

    private MutableClock(long epochMillis) {
        this.millis = new AtomicLong(epochMillis);
    }

    /** A clock standing at {@code instant} (truncated to milliseconds). */
    public static MutableClock at(Instant instant) {
        return new MutableClock(instant.toEpochMilli());
    }

    /** A clock standing at the current time, truncated to milliseconds. */
    public static MutableClock startingNow() {
        return at(Instant.now());
    }

    /** Moves the clock forward (or back, for a negative amount) by {@code amount}. */
    public void advance(Duration amount) {
        millis.addAndGet(amount.toMillis());
    }

    /** Sets the clock to {@code instant}. */
    public void set(Instant instant) {
        millis.set(instant.toEpochMilli());
    }

    @Override
    public long millis() {
        return millis.get();
    }

    @Override
    public Instant instant() {
        return Instant.ofEpochMilli(millis.get());
    }

    @Override
    public ZoneId getZone() {
        return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
        throw new UnsupportedOperationException("MutableClock is always UTC");
    }

    @Override
    public String toString() {
        return "MutableClock[" + instant() + "]";
    }
}
