package dev.satchel.benchmarks;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The benchmarks every store shares: {@code get}, {@code put} (one changed attribute on a working copy
 * loaded before) and {@code cycle} (get, change, put) over {@value #DEFAULT_SESSIONS} stored sessions picked
 * with a Zipf distribution. A subclass per store picks the implementations with an enum {@code @Param}
 * and returns the {@link StoreClient} for the current one; adding a store (JDBC, Riak) is one subclass.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public abstract class StoreBenchmark {

    static final String DEFAULT_SESSIONS = "10000";

    @Param(DEFAULT_SESSIONS)
    int sessions;

    StoreClient store;
    int[] picks;

    /** The client of the implementation the subclass's {@code @Param} names, empty. */
    protected abstract StoreClient open() throws Exception;

    /** Called at the end of setup, once the store is filled: nothing by default. */
    protected void ready() {}

    /** Each thread walks the picks from its own random start and keeps its own working copies. */
    @State(Scope.Thread)
    public static class ThreadState {
        int index = ThreadLocalRandom.current().nextInt();
        int value;
        /** This thread's working copies, loaded at its first {@code put} (in warm-up). */
        Object[] loaded;
    }

    @Setup
    public void setup() throws Exception {
        store = open();
        for (int n = 0; n < sessions; n++) {
            store.create(n);
        }
        store.populated();
        picks = Zipf.picks(sessions, 44);
        ready();
    }

    @TearDown
    public void tearDown() throws Exception {
        store.close();
    }

    @Benchmark
    public Object get(ThreadState t) throws Exception {
        return store.get(picks[t.index++ & Zipf.MASK]);
    }

    @Benchmark
    public Object put(ThreadState t) throws Exception {
        if (t.loaded == null) {
            t.loaded = new Object[sessions];
            for (int n = 0; n < sessions; n++) {
                t.loaded[n] = store.load(n);
            }
        }
        int n = picks[t.index++ & Zipf.MASK];
        return store.put(t.loaded[n], n, t.value++);
    }

    @Benchmark
    public Object cycle(ThreadState t) throws Exception {
        return store.cycle(picks[t.index++ & Zipf.MASK], t.value++);
    }
}
