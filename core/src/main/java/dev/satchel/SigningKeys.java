package dev.satchel;

import dev.satchel.spi.SessionIds;
import dev.satchel.spi.SessionRecord;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Objects;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The HMAC-SHA256 keys that sign session cookies. A cookie is {@code sid!digest} with
 * {@code digest = base64url(HMAC-SHA256(key, sid + ":" + randval))}, where the randval never leaves the
 * server: without the key nobody can sign a cookie, and without the randval a guessed or leaked sid cannot
 * be signed either.
 *
 * <p>Keys rotate: the first (newest) key signs, every key verifies. A cookie that verifies only with an
 * older key is accepted and re-issued under the newest one; drop the old key once no live session can
 * still carry it (after the absolute timeout). Keys shorter than {@value #MIN_KEY_BYTES} bytes are refused.
 *
 * <p>Verification compares in constant time. The expected digest of a record is computed on first use
 * and kept with the record, so a cached session costs one comparison per request, not one HMAC.
 *
 * <p>Immutable and thread-safe. {@link #toString()} shows no key material.
 */
public final class SigningKeys {

    /** The shortest key accepted, in bytes (the output size of SHA-256). */
    public static final int MIN_KEY_BYTES = 32;
    /** Length in characters of a digest: base64url of 32 bytes, unpadded. */
    static final int DIGEST_LENGTH = 43;

    private static final String ALGORITHM = "HmacSHA256";

    /** One initialised prototype per key, newest first; cloned per use because a {@link Mac} is not thread-safe. */
    private final Mac[] macs;

    private SigningKeys(byte[][] keys) {
        macs = new Mac[keys.length];
        for (int i = 0; i < keys.length; i++) {
            macs[i] = newMac(keys[i]);
        }
    }

    /**
     * Keys from raw bytes: {@code newest} signs, every key verifies. The arrays are copied.
     *
     * @throws IllegalArgumentException if any key is shorter than {@value #MIN_KEY_BYTES} bytes
     */
    public static SigningKeys of(byte[] newest, byte[]... older) {
        byte[][] keys = new byte[1 + older.length][];
        keys[0] = checked(newest, 0);
        for (int i = 0; i < older.length; i++) {
            keys[i + 1] = checked(older[i], i + 1);
        }
        return new SigningKeys(keys);
    }

    /**
     * Keys from base64 text (standard or URL-safe alphabet, padding optional), as they would come from an
     * environment variable or a secret store.
     *
     * @throws IllegalArgumentException if a key is not base64 or decodes to fewer than {@value #MIN_KEY_BYTES} bytes
     */
    public static SigningKeys fromBase64(String newest, String... older) {
        byte[][] rest = new byte[older.length][];
        for (int i = 0; i < older.length; i++) {
            rest[i] = decodeBase64(older[i], i + 1);
        }
        return of(decodeBase64(newest, 0), rest);
    }

    /** Returns a new random key of {@value #MIN_KEY_BYTES} bytes, encoded as unpadded base64url. */
    public static String generateBase64Key() {
        byte[] key = new byte[MIN_KEY_BYTES];
        new SecureRandom().nextBytes(key);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(key);
    }

    /** Number of keys, newest included. */
    public int size() {
        return macs.length;
    }

    /** Shows only the number of keys. */
    @Override
    public String toString() {
        return "SigningKeys[" + macs.length + (macs.length == 1 ? " key]" : " keys]");
    }

    /** The cookie digest of {@code record} under the newest key. */
    String digest(SessionRecord record) {
        return new String(digests(record, 0).newest, StandardCharsets.US_ASCII);
    }

    /**
     * Finds which key signed {@code record} if {@code text[from, from + DIGEST_LENGTH)} is its digest.
     * Each comparison takes the same time whatever the characters; only which key matched is observable.
     *
     * @return the index of the matching key (0 is the newest), or -1 when no key matches
     */
    int verify(SessionRecord record, CharSequence text, int from) {
        Digests d = digests(record, 0);
        if (constantTimeEquals(d.newest, text, from)) {
            return 0;
        }
        if (macs.length == 1) {
            return -1;
        }
        d = digests(record, macs.length - 1);
        for (int k = 1; k < macs.length; k++) {
            if (constantTimeEquals(d.all[k], text, from)) {
                return k;
            }
        }
        return -1;
    }

    /** The memoised digests of {@code record} with at least keys {@code 0..upTo} computed. */
    private Digests digests(SessionRecord record, int upTo) {
        Object memo = record.digestMemo();
        if (memo instanceof Digests) {
            Digests d = (Digests) memo;
            if (d.keys == this && (upTo == 0 || d.all[upTo] != null)) {
                return d;
            }
        }
        byte[][] ascii = new byte[macs.length][];
        byte[] message = (record.id() + ':' + record.randval()).getBytes(StandardCharsets.US_ASCII);
        for (int k = 0; k <= upTo; k++) {
            ascii[k] = SessionIds.base64url(mac(k).doFinal(message), 0, 32).getBytes(StandardCharsets.US_ASCII);
        }
        Digests d = new Digests(this, ascii);
        record.digestMemo(d);
        return d;
    }

    private Mac mac(int k) {
        try {
            return (Mac) macs[k].clone();
        } catch (CloneNotSupportedException e) {
            throw new IllegalStateException("HmacSHA256 provider does not support cloning", e);
        }
    }

    private static boolean constantTimeEquals(byte[] expected, CharSequence text, int from) {
        int diff = 0;
        for (int i = 0; i < DIGEST_LENGTH; i++) {
            diff |= expected[i] ^ text.charAt(from + i);
        }
        return diff == 0;
    }

    private static byte[] checked(byte[] key, int index) {
        Objects.requireNonNull(key, "signing key");
        if (key.length < MIN_KEY_BYTES) {
            throw new IllegalArgumentException("signing key " + index + " is " + key.length
                    + " bytes; HMAC-SHA256 keys must be at least " + MIN_KEY_BYTES
                    + " random bytes (generate one with SigningKeys.generateBase64Key())");
        }
        return key.clone();
    }

    private static byte[] decodeBase64(String text, int index) {
        Objects.requireNonNull(text, "signing key");
        String s = text.strip().replace('+', '-').replace('/', '_');
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == '=') {
            end--;
        }
        try {
            return Base64.getUrlDecoder().decode(s.substring(0, end));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("signing key " + index + " is not valid base64", null);
        }
    }

    private static Mac newMac(byte[] key) {
        try {
            Mac mac = Mac.getInstance(ALGORITHM);
            mac.init(new SecretKeySpec(key, ALGORITHM));
            return mac;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available", e);
        }
    }

    /**
     * Digests of one record under one {@link SigningKeys}, as ASCII; immutable once published. The newest
     * key's has a field of its own: the one every request compares, one pointer away.
     */
    private static final class Digests {
        final SigningKeys keys;
        final byte[] newest;
        /** Index {@code k}: key {@code k}'s digest, or {@code null} until an older key is needed; {@code null} with one key. */
        final byte[][] all;

        Digests(SigningKeys keys, byte[][] all) {
            this.keys = keys;
            this.newest = all[0];
            // One key (the common case): no array kept, 24 bytes less on every cached record.
            this.all = all.length == 1 ? null : all;
        }
    }
}
