package dev.satchel.benchmarks;

import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
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
 * with a Zipf distribution. A subclass per store names its implementations in a {@code String} {@code @Param}
 * (one, or several joined by {@code +} to take turns in one fork: {@link Interleaving}) and opens the
 * {@link StoreClient} of each; adding a store (JDBC, Riak) is one subclass.
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

    StoreClient[] stores;
    /** The client of the current iteration, and its index in {@link #stores}. */
    StoreClient store;
    int current;
    private int iteration;
    int[] picks;

    /** The subclass's {@code impl} parameter: one implementation's name, or several joined by {@code +}. */
    protected abstract String implementations();

    /**
     * The client of implementation {@code name}, empty. Clients opened in one fork share the server: a
     * subclass empties it once, before the first, never between them.
     */
    protected abstract StoreClient open(String name) throws Exception;

    /** Called once after every client is closed: nothing by default (a subclass stops what its clients shared). */
    protected void closeShared() throws Exception {}

    /** Called at the end of setup, once the store is filled: nothing by default. */
    protected void ready() {}

    /** Each thread walks the picks from its own random start and keeps its own working copies. */
    @State(Scope.Thread)
    public static class ThreadState {
        int index = ThreadLocalRandom.current().nextInt();
        int value;
        /** This thread's working copies of client {@link #loadedFor}'s sessions, loaded at its first {@code put} (in warm-up). */
        Object[] loaded;
        int loadedFor = -1;
        /** The working copies of every client, by index. */
        Object[][] loadedByStore;

        /** Makes {@link #loaded} client {@code current}'s copies (null until loaded): once per turn, not per call. */
        void turnTo(int current, int stores) {
            if (loadedByStore == null) {
                loadedByStore = new Object[stores][];
            }
            loaded = loadedByStore[current];
            loadedFor = current;
        }
    }

    @Setup
    public void setup() throws Exception {
        List<String> names = Interleaving.names(implementations());
        stores = new StoreClient[names.size()];
        for (int i = 0; i < stores.length; i++) {
            stores[i] = open(names.get(i));
            for (int n = 0; n < sessions; n++) {
                stores[i].create(n);
            }
            stores[i].populated();
        }
        picks = Zipf.picks(sessions, 44);
        ready();
    }

    /** Before every iteration, warm-up included: whose turn it is. */
    @Setup(Level.Iteration)
    public void turn() {
        current = Interleaving.turn(iteration++, stores.length);
        store = stores[current];
    }

    @TearDown
    public void tearDown() throws Exception {
        try {
            for (StoreClient s : stores) {
                s.close();
            }
        } finally {
            closeShared();
        }
    }

    @Benchmark
    public Object get(ThreadState t) throws Exception {
        return store.get(picks[t.index++ & Zipf.MASK]);
    }

    @Benchmark
    public Object put(ThreadState t) throws Exception {
        if (t.loadedFor != current) {
            t.turnTo(current, stores.length);
        }
        if (t.loaded == null) {
            t.loaded = new Object[sessions];
            for (int n = 0; n < sessions; n++) {
                t.loaded[n] = store.load(n);
            }
            t.loadedByStore[current] = t.loaded;
        }
        int n = picks[t.index++ & Zipf.MASK];
        return store.put(t.loaded[n], n, t.value++);
    }

    @Benchmark
    public Object cycle(ThreadState t) throws Exception {
        return store.cycle(picks[t.index++ & Zipf.MASK], t.value++);
    }
}
