package dev.satchel.benchmarks;

/**
 * The facade {@link StoreBenchmark} measures: one store (or a peer's) holding sessions numbered
 * {@code 0..n-1}, called as its users call it. A new store is one new implementation of this interface
 * and one {@link StoreBenchmark} subclass that picks it. Thread-safe as the store is; working copies
 * returned by {@link #load} belong to the thread that loaded them.
 */
interface StoreClient extends AutoCloseable {

    /** Stores session {@code n} with the {@link TypicalSession} attributes (setup, not measured). */
    void create(int n) throws Exception;

    /** Called once every session is created, before anything is measured. */
    default void populated() throws Exception {}

    /** Reads session {@code n}: what a request costs whose session is not cached. */
    Object get(int n) throws Exception;

    /** A working copy of session {@code n} for {@link #put} (setup, not measured); by default {@link #get}. */
    default Object load(int n) throws Exception {
        return get(n);
    }

    /**
     * Sets {@link TypicalSession#CHANGED} to {@code value} on {@code loaded}, a working copy of session
     * {@code n} this thread loaded, and saves it: what ending a request that changed one attribute costs.
     */
    Object put(Object loaded, int n, int value) throws Exception;

    /** {@link #get}, change one attribute, save: a whole uncached request that writes. */
    default Object cycle(int n, int value) throws Exception {
        return put(get(n), n, value);
    }

    /** Releases what the client holds and deletes what it stored. */
    @Override
    void close() throws Exception;
}
