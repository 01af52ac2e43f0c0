package dev.satchel.servlet;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The objects one request set or read, by attribute name: what {@code getAttribute} returns again. A request
 * touches a few names, so up to {@value #LINEAR} of them sit in two small arrays searched in order — no table
 * and no node per entry, which made a quarter of the filter's garbage per request in a profile of the
 * end-to-end benchmark's app — and past that in a {@code HashMap}. Null values are not kept. Not thread-safe: the session's lock guards it.
 */
final class LiveValues {

    /** Names kept in the arrays before moving to a map. */
    static final int LINEAR = 8;

    private String[] names;
    private Object[] values;
    private int size;
    /** Every entry, once there are more than {@link #LINEAR}; the arrays are dropped then. */
    private Map<String, Object> map;

    /** The value kept under {@code name}, or null. */
    Object get(String name) {
        if (map != null) {
            return map.get(name);
        }
        int i = indexOf(name);
        return i < 0 ? null : values[i];
    }

    /** Keeps {@code value} (not null) under {@code name}, replacing what was kept. */
    void put(String name, Object value) {
        if (map != null) {
            map.put(name, value);
            return;
        }
        int i = indexOf(name);
        if (i >= 0) {
            values[i] = value;
            return;
        }
        if (size == LINEAR) {
            map = new HashMap<>();
            for (int j = 0; j < size; j++) {
                map.put(names[j], values[j]);
            }
            map.put(name, value);
            names = null;
            values = null;
            size = 0;
            return;
        }
        if (names == null) {
            names = new String[2];
            values = new Object[2];
        } else if (size == names.length) {
            names = Arrays.copyOf(names, size * 2);
            values = Arrays.copyOf(values, size * 2);
        }
        names[size] = name;
        values[size] = value;
        size++;
    }

    /** Forgets what was kept under {@code name}. */
    void remove(String name) {
        if (map != null) {
            map.remove(name);
            return;
        }
        int i = indexOf(name);
        if (i >= 0) {
            size--;
            System.arraycopy(names, i + 1, names, i, size - i);
            System.arraycopy(values, i + 1, values, i, size - i);
            names[size] = null;
            values[size] = null;
        }
    }

    /** Whether a kept value matches {@code test}. */
    boolean anyValue(Predicate<Object> test) {
        if (map != null) {
            return map.values().stream().anyMatch(test);
        }
        for (int i = 0; i < size; i++) {
            if (test.test(values[i])) {
                return true;
            }
        }
        return false;
    }

    private int indexOf(String name) {
        for (int i = 0; i < size; i++) {
            if (names[i].equals(name)) {
                return i;
            }
        }
        return -1;
    }
}
