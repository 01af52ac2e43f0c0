package dev.satchel.spi;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Which unreadable entries were logged already, so each is logged at WARN once and at DEBUG after. Bounded:
 * it remembers the {@value #CAPACITY} most recent ids, so a flood of distinct bad entries cannot grow it,
 * at the price of a second WARN for an id forgotten since. Thread-safe.
 */
final class UnreadableEntries {

    static final int CAPACITY = 4_096;

    private final Map<String, Boolean> seen = new LinkedHashMap<>(64, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
            return size() > CAPACITY;
        }
    };

    /** Whether {@code id} is reported for the first time (and remembers it). */
    synchronized boolean firstTime(String id) {
        return seen.put(id, Boolean.TRUE) == null;
    }
}
