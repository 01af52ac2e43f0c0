package dev.satchel.benchmarks;

/**
 * The tiny facade {@link HotPathBenchmark} measures: one implementation holding the population of sessions
 * in memory, asked for session {@code i} as its users ask it. Not thread-safe beyond what the
 * implementation is: each thread passes its own scratch object.
 */
interface HotPath {

    /** Per-thread scratch space (a reusable lookup key, a buffer), or {@code null} when none is needed. */
    default Object newScratch() {
        return null;
    }

    /** The read-only lookup of session {@code i}: what a request that only reads costs. */
    Object open(int i, Object scratch);

    /**
     * A whole request on session {@code i} as the implementation's framework runs it: look up, change the
     * {@link TypicalSession#CHANGED} attribute when {@code write}, and end the request (commit, save or
     * release).
     */
    Object request(int i, boolean write, Object scratch);

    /** Whether session {@code i} is found (and, where there is one, its cookie verifies); for the smoke test. */
    boolean finds(int i);
}
