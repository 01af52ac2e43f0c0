package dev.satchel.store.file;

import dev.satchel.spi.SessionIds;
import java.nio.file.Path;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The on-disk naming scheme, in one place: which file holds a session, which shard folder it lives in,
 * which lock byte guards it, and how temporary and quarantined files are named.
 *
 * <p>A session's <em>base name</em> is the lowercase hex of the 16 bytes its id encodes (32 characters).
 * Hex has no letter case to lose, so two ids that differ only in case get different files even on a
 * case-insensitive file system, and it contains nothing a path could be made of. The first two
 * characters name the shard folder (256 of them), the first three the lock stripe (4096).
 *
 * <p>Thread-safe; all methods are static.
 */
final class SessionFileNames {

    /** Number of shard folders: every two-hex-digit name {@code 00} to {@code ff}. */
    static final int SHARDS = 256;
    /** Number of lock stripes: byte {@code i} of the lock file guards every session of stripe {@code i}. */
    static final int STRIPES = 4096;
    /** Name of the lock file in the store directory. */
    static final String LOCK_FILE = "satchel.lock";
    /** Suffix of a session file. */
    static final String SESSION_SUFFIX = ".json";
    /** Suffix of a write in progress. */
    static final String TEMP_SUFFIX = ".tmp";
    /** Suffix added to an unreadable session file when it is moved aside. */
    static final String CORRUPT_SUFFIX = ".corrupt";
    /** Prefix of the probe file written at start to check that the directory is writable. */
    static final String PROBE_PREFIX = "probe";

    private static final int BASE_LENGTH = 32;
    private static final HexFormat HEX = HexFormat.of();
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    private SessionFileNames() {}

    /**
     * The base name of session {@code sid}: the lowercase hex of its 16 bytes.
     *
     * @throws IllegalArgumentException if {@code sid} is not a valid session id
     */
    static String baseName(String sid) {
        if (!SessionIds.isValid(sid)) {
            throw new IllegalArgumentException("not a valid session id");
        }
        return HEX.formatHex(Base64.getUrlDecoder().decode(sid));
    }

    /** The file name of the session with base name {@code base}. */
    static String sessionFileName(String base) {
        return base + SESSION_SUFFIX;
    }

    /** The shard folder of the session with base name {@code base}. */
    static String shardOf(String base) {
        return base.substring(0, 2);
    }

    /** The shard folder with index {@code index}, 0 to {@link #SHARDS} - 1. */
    static String shardName(int index) {
        return HEX.toHexDigits((byte) index);
    }

    /** The lock stripe of the session with base name {@code base}: its first three hex digits as a number. */
    static int stripeOf(String base) {
        return Integer.parseInt(base, 0, 3, 16);
    }

    /**
     * The session id whose file is called {@code fileName}, or {@code null} when {@code fileName} is not
     * a session file name (a temporary or quarantined file, or anything else found in a shard folder).
     */
    static String sessionIdOf(String fileName) {
        if (fileName.length() != BASE_LENGTH + SESSION_SUFFIX.length() || !fileName.endsWith(SESSION_SUFFIX)) {
            return null;
        }
        return idOfBase(fileName, BASE_LENGTH);
    }

    /**
     * The session id whose base name is {@code name} — how a principal index entry is named — or {@code null}
     * when {@code name} is not a base name (32 lowercase hex digits).
     */
    static String sessionIdOfBase(String name) {
        return name.length() == BASE_LENGTH ? idOfBase(name, BASE_LENGTH) : null;
    }

    /** The id whose base name is the first {@code length} characters of {@code name}, or {@code null}. */
    private static String idOfBase(String name, int length) {
        for (int i = 0; i < length; i++) {
            char c = name.charAt(i);
            if ((c < '0' || c > '9') && (c < 'a' || c > 'f')) {
                return null;
            }
        }
        return BASE64URL.encodeToString(HEX.parseHex(name, 0, length));
    }

    /**
     * The name of a temporary file: {@code <prefix>.<writer>.<sequence>.tmp}, where {@code prefix} is the
     * base name being written (or {@link #PROBE_PREFIX}) and {@code writer} identifies the writing process.
     */
    static String tempName(String prefix, String writer, long sequence) {
        return prefix + '.' + writer + '.' + sequence + TEMP_SUFFIX;
    }

    /** Whether {@code fileName} is a temporary file name. */
    static boolean isTempName(String fileName) {
        return fileName.endsWith(TEMP_SUFFIX);
    }

    /** The writer part of temporary file name {@code fileName}, or {@code null} if it has none. */
    static String writerOf(String fileName) {
        int end = fileName.lastIndexOf('.', fileName.length() - TEMP_SUFFIX.length() - 1);
        int start = end < 0 ? -1 : fileName.lastIndexOf('.', end - 1);
        return start < 0 ? null : fileName.substring(start + 1, end);
    }

    /**
     * The path of session {@code sid}'s file under {@code root}, checked to lie inside {@code root} — which
     * a hex name always does; the check keeps it so if the scheme ever changes.
     *
     * @throws IllegalArgumentException if {@code sid} is not a valid session id
     */
    static Path pathOf(Path root, String sid) {
        String base = baseName(sid);
        return contained(contained(root, shardOf(base)), sessionFileName(base));
    }

    /**
     * {@code dir/name}, after checking that {@code name} is one plain file name, so the result is a direct
     * child of {@code dir}.
     *
     * @throws IllegalArgumentException if it is not
     */
    static Path contained(Path dir, String name) {
        requirePlainName(name);
        Path child = dir.resolve(name).normalize();
        if (!dir.equals(child.getParent())) {
            throw new IllegalArgumentException("not a plain file name");
        }
        return child;
    }

    /**
     * Checks that {@code name} is one plain file name: not empty, not {@code .} or {@code ..}, without
     * separators or NUL.
     *
     * @throws IllegalArgumentException if it is not
     */
    static String requirePlainName(String name) {
        if (name.isEmpty() || name.equals(".") || name.equals("..")) {
            throw new IllegalArgumentException("not a plain file name");
        }
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '/' || c == '\\' || c == '\0') {
                throw new IllegalArgumentException("not a plain file name");
            }
        }
        return name;
    }
}
