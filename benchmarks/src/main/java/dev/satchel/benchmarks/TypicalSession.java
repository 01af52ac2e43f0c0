package dev.satchel.benchmarks;

import dev.satchel.Session;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The session every benchmark stores: five attributes of a logged-in shopper — a user name, two roles, a
 * CSRF token, a cart of three lines and a visit counter ({@value #CHANGED}, the attribute a writing request
 * changes). The same values go to every implementation: JSON in Satchel, Java objects in the peers.
 */
final class TypicalSession {

    /** The attribute a writing request changes. */
    static final String CHANGED = "visits";

    private TypicalSession() {}

    /** The attributes of session number {@code n}, as plain (serializable) Java objects, in a stable order. */
    static Map<String, Object> attributes(int n) {
        Map<String, Object> a = new LinkedHashMap<>();
        a.put("user", "user" + n + "@example.com");
        a.put("roles", new ArrayList<>(List.of("customer", "newsletter")));
        a.put("csrf", csrfToken(n));
        ArrayList<Object> cart = new ArrayList<>();
        cart.add(line("SKU-1042", 1));
        cart.add(line("SKU-2210", 2));
        cart.add(line("SKU-3311", 1));
        a.put("cart", cart);
        a.put(CHANGED, n % 50);
        return a;
    }

    /** Puts the attributes of session number {@code n} into {@code s}. */
    static void fill(Session s, int n) {
        attributes(n).forEach(s::put);
    }

    private static Map<String, Object> line(String sku, int quantity) {
        Map<String, Object> line = new HashMap<>();
        line.put("sku", sku);
        line.put("qty", quantity);
        return line;
    }

    /** 43 base64url characters, like a 256-bit token, different per session. */
    private static String csrfToken(int n) {
        StringBuilder b = new StringBuilder(43);
        long x = n * 0x9E3779B97F4A7C15L + 1;
        String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        while (b.length() < 43) {
            x ^= x << 13;
            x ^= x >>> 7;
            x ^= x << 17;
            b.append(alphabet.charAt((int) (x & 63)));
        }
        return b.toString();
    }
}
