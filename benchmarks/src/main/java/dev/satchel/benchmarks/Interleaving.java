package dev.satchel.benchmarks;

import java.util.ArrayList;
import java.util.List;

/**
 * Several implementations measured in one JMH fork, taking turns iteration by iteration (issue 19). The
 * {@code impl} parameter names them joined by {@code +} ({@code -p impl=SATCHEL_OPEN+FLOOR}); the benchmark
 * sets all of them up, and before every iteration, warm-up included, makes the next one current. The turns
 * run forward, then backward ({@code A B C C B A A B C ...}), so no implementation always follows the same
 * one. A burst of load on this shared machine lasts longer than one iteration, so it falls on the
 * implementations of a cycle alike, which two forks minutes apart cannot promise.
 *
 * <p>What it costs: the benchmark's call into the implementation sees several receiver types, so it is not
 * inlined into JMH's loop (one virtual call per operation, for every side alike), and the implementations
 * share a heap and the JIT's profile of shared library code. One name alone is exactly the single-implementation
 * benchmark. Not thread-safe; JMH calls it from its iteration set-up.
 */
final class Interleaving {

    static final String SEPARATOR = "+";

    private Interleaving() {}

    /** The names in {@code spec}, in order; at least one, no duplicates. */
    static List<String> names(String spec) {
        List<String> names = new ArrayList<>();
        int start = 0;
        while (true) {
            int end = spec.indexOf(SEPARATOR, start);
            String name = (end < 0 ? spec.substring(start) : spec.substring(start, end)).strip();
            if (name.isEmpty() || names.contains(name)) {
                throw new IllegalArgumentException("impl is one name or several joined by '+', each once: " + spec);
            }
            names.add(name);
            if (end < 0) {
                return List.copyOf(names);
            }
            start = end + 1;
        }
    }

    /** The enum constants {@code spec} names. */
    static <E extends Enum<E>> List<E> parse(String spec, Class<E> type) {
        List<E> values = new ArrayList<>();
        for (String name : names(spec)) {
            values.add(Enum.valueOf(type, name));
        }
        return List.copyOf(values);
    }

    /** The index of the implementation current in iteration {@code iteration} (0-based, warm-up included) of {@code count}. */
    static int turn(int iteration, int count) {
        int cycle = iteration / count;
        int position = iteration % count;
        return cycle % 2 == 0 ? position : count - 1 - position;
    }

    /**
     * The measured iterations (0-based indices into JMH's raw data) in which implementation {@code index} of
     * {@code count} was current, after {@code warmups} warm-up iterations.
     */
    static List<Integer> slots(int index, int count, int warmups, int measurements) {
        List<Integer> slots = new ArrayList<>();
        for (int m = 0; m < measurements; m++) {
            if (turn(warmups + m, count) == index) {
                slots.add(m);
            }
        }
        return List.copyOf(slots);
    }
}
