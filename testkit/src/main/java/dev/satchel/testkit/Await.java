package dev.satchel.testkit;

import java.time.Duration;
import java.util.function.BooleanSupplier;

/**
 * Waits for a condition that another thread or process brings about — a server accepting connections, a
 * background sweeper finishing, a message arriving — instead of sleeping for a guessed time. The deadline is
 * generous and only ends a test that would otherwise hang; it is never what a test asserts.
 *
 * <pre>{@code
 * Await.until("the sweeper removed the expired session", () -> !backdoor.isStored(sid));
 * }</pre>
 */
public final class Await {

    /** How long {@link #until(String, BooleanSupplier)} waits before failing the test. */
    public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(60);

    private Await() {}

    /** Waits up to {@link #DEFAULT_TIMEOUT} for {@code condition}; see {@link #until(String, Duration, BooleanSupplier)}. */
    public static void until(String what, BooleanSupplier condition) {
        until(what, DEFAULT_TIMEOUT, condition);
    }

    /**
     * Returns as soon as {@code condition} holds, checking it at first every millisecond and then backing off
     * to every 50 ms.
     *
     * @throws AssertionError naming {@code what} when {@code timeout} passes first, or the thread is interrupted
     */
    public static void until(String what, Duration timeout, BooleanSupplier condition) {
        long deadline = System.nanoTime() + timeout.toNanos();
        long pauseMillis = 1;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() - deadline > 0) {
                throw new AssertionError("gave up after " + timeout + " waiting until " + what);
            }
            try {
                Thread.sleep(pauseMillis);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted while waiting until " + what, e);
            }
            pauseMillis = Math.min(50, pauseMillis * 2);
        }
    }
}
