package dev.satchel.spi;

import java.nio.charset.StandardCharsets;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;

/**
 * Session ids and randvals: 128 bits from {@link SecureRandom}, written as unpadded base64url, exactly
 * {@value #LENGTH} characters of {@code [A-Za-z0-9_-]}.
 *
 * <p>{@link #isValid(String)} is the gate every manager passes an id through before it reaches a store:
 * it accepts only the canonical encoding of 16 bytes (the last character carries four zero bits), so two
 * distinct accepted strings always decode to two distinct byte arrays, and nothing else — no path
 * separators, dots, percent escapes, control or non-ASCII characters, no oversized input — gets past it.
 * It uses no regular expression and allocates nothing.
 *
 * <p>Generation is spread over several independent {@code DRBG} instances, picked by thread, so threads
 * do not queue on one lock (a single shared {@code SecureRandom} does not scale past one core).
 *
 * <p>Thread-safe; all methods are static.
 */
public final class SessionIds {

    /** Length in characters of every session id and randval. */
    public static final int LENGTH = 22;

    private static final byte[] ALPHABET =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".getBytes(StandardCharsets.US_ASCII);
    /** Six-bit value of each ASCII character, or -1 when it is not in the base64url alphabet. */
    private static final byte[] SIXBITS = new byte[128];

    static {
        java.util.Arrays.fill(SIXBITS, (byte) -1);
        for (int i = 0; i < ALPHABET.length; i++) {
            SIXBITS[ALPHABET[i]] = (byte) i;
        }
    }

    private static final SecureRandom[] STRIPES = newStripes();
    private static final int STRIPE_MASK = STRIPES.length - 1;

    private SessionIds() {}

    /** Returns a new random session id. */
    public static String newId() {
        byte[] random = new byte[16];
        nextBytes(random);
        return encode(random, 0);
    }

    /**
     * Returns two independent random values, {@code [id, randval]}, drawn in one call to the random source.
     */
    public static String[] newIdAndRandval() {
        byte[] random = new byte[32];
        nextBytes(random);
        return new String[] {encode(random, 0), encode(random, 16)};
    }

    /**
     * Returns whether {@code candidate} is a well-formed session id: exactly {@value #LENGTH} base64url
     * characters in canonical form. {@code null} is not. Never throws, never allocates.
     */
    public static boolean isValid(String candidate) {
        return candidate != null && candidate.length() == LENGTH && isValidAt(candidate, 0);
    }

    /**
     * Returns whether the {@value #LENGTH} characters of {@code text} starting at {@code start} form a valid
     * id (an id inside a larger text, such as a cookie header); {@code false} when fewer characters are
     * there. Never throws, never allocates.
     */
    public static boolean isValid(CharSequence text, int start) {
        return text != null && start >= 0 && start <= text.length() - LENGTH && isValidAt(text, start);
    }

    /**
     * Returns whether the {@value #LENGTH} characters of {@code text} starting at {@code from} form a valid id.
     * The caller guarantees that {@code from + LENGTH <= text.length()}.
     */
    public static boolean isValidAt(CharSequence text, int from) {
        int last = from + LENGTH - 1;
        for (int i = from; i < last; i++) {
            char c = text.charAt(i);
            if (c >= 128 || SIXBITS[c] < 0) {
                return false;
            }
        }
        char c = text.charAt(last);
        // 22 characters carry 132 bits; the four beyond the 128 must be zero in the canonical encoding.
        return c < 128 && SIXBITS[c] >= 0 && (SIXBITS[c] & 0x0F) == 0;
    }

    /**
     * Returns whether the {@code length} characters of {@code text} starting at {@code from} are all in the
     * base64url alphabet. The caller guarantees that {@code from + length <= text.length()}.
     */
    public static boolean isBase64urlAt(CharSequence text, int from, int length) {
        for (int i = from, end = from + length; i < end; i++) {
            char c = text.charAt(i);
            if (c >= 128 || SIXBITS[c] < 0) {
                return false;
            }
        }
        return true;
    }

    /** Encodes 16 bytes of {@code bytes} starting at {@code offset} as a 22-character base64url string. */
    static String encode(byte[] bytes, int offset) {
        return base64url(bytes, offset, 16);
    }

    /** Unpadded base64url of {@code length} bytes, as an ASCII string. */
    public static String base64url(byte[] bytes, int offset, int length) {
        byte[] out = new byte[(length * 4 + 2) / 3];
        int o = 0;
        int end = offset + length;
        int i = offset;
        for (; i + 2 < end; i += 3) {
            int v = (bytes[i] & 0xFF) << 16 | (bytes[i + 1] & 0xFF) << 8 | (bytes[i + 2] & 0xFF);
            out[o++] = ALPHABET[v >>> 18];
            out[o++] = ALPHABET[(v >>> 12) & 0x3F];
            out[o++] = ALPHABET[(v >>> 6) & 0x3F];
            out[o++] = ALPHABET[v & 0x3F];
        }
        int rest = end - i;
        if (rest == 1) {
            int v = (bytes[i] & 0xFF) << 16;
            out[o++] = ALPHABET[v >>> 18];
            out[o] = ALPHABET[(v >>> 12) & 0x3F];
        } else if (rest == 2) {
            int v = (bytes[i] & 0xFF) << 16 | (bytes[i + 1] & 0xFF) << 8;
            out[o++] = ALPHABET[v >>> 18];
            out[o++] = ALPHABET[(v >>> 12) & 0x3F];
            out[o] = ALPHABET[(v >>> 6) & 0x3F];
        }
        return new String(out, StandardCharsets.US_ASCII);
    }

    private static void nextBytes(byte[] into) {
        STRIPES[stripeOf(Thread.currentThread()) & STRIPE_MASK].nextBytes(into);
    }

    @SuppressWarnings("deprecation") // Thread.getId(): threadId() exists only from Java 19 on
    private static int stripeOf(Thread thread) {
        long h = thread.getId() * 0x9E3779B97F4A7C15L;
        return (int) (h ^ (h >>> 32));
    }

    private static SecureRandom[] newStripes() {
        int processors = Math.max(1, Runtime.getRuntime().availableProcessors());
        int count = Integer.highestOneBit(Math.min(processors * 2, 64) * 2 - 1);
        SecureRandom[] stripes = new SecureRandom[count];
        for (int i = 0; i < count; i++) {
            stripes[i] = newRandom();
        }
        return stripes;
    }

    private static SecureRandom newRandom() {
        try {
            // Each DRBG instance is seeded on its own from the platform's entropy source and locks only itself.
            return SecureRandom.getInstance("DRBG");
        } catch (NoSuchAlgorithmException e) {
            return new SecureRandom();
        }
    }
}
