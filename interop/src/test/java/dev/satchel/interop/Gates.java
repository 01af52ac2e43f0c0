package dev.satchel.interop;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Files through which a test holds a request of any language at one point: the app creates {@code <gate>.loaded}
 * once it has loaded the session, and goes on once the test creates {@code <gate>}.
 */
final class Gates {

    static final Duration TIMEOUT = Duration.ofSeconds(30);

    private Gates() {}

    /** Waits until {@code file} exists. */
    static void await(Path file) {
        await("file " + file.getFileName() + " exists", () -> Files.exists(file));
    }

    /** Polls {@code condition} until it holds, or fails after {@link #TIMEOUT}. */
    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + TIMEOUT + " waiting until " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
    }
}
