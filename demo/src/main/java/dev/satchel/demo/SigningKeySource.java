package dev.satchel.demo;

import dev.satchel.SigningKeys;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the demo's cookie-signing keys come from: {@value #KEY_VARIABLE} (base64, at least 32 bytes) with
 * optional {@value #PREVIOUS_VARIABLE} (comma-separated, still accepted) for rotation; without them, a key
 * generated once and kept in {@value #KEY_FILE} ({@code 0600}) in the data folder, so sessions survive a
 * restart. Logs where the key came from, never the key.
 */
final class SigningKeySource {

    static final String KEY_VARIABLE = "SATCHEL_SIGNING_KEY";
    static final String PREVIOUS_VARIABLE = "SATCHEL_PREVIOUS_KEYS";
    static final String KEY_FILE = "signing-key";

    private static final Logger LOG = LoggerFactory.getLogger(SigningKeySource.class);
    private static final Set<PosixFilePermission> OWNER_ONLY = PosixFilePermissions.fromString("rw-------");

    private SigningKeySource() {}

    /**
     * The keys to sign and verify with.
     *
     * @throws IllegalArgumentException if a configured key is not base64 of at least 32 bytes, or the key
     *     file is damaged (the message names the variable or the file, never the key)
     * @throws IOException if the key file cannot be read or written
     */
    static SigningKeys load(Path dataDir, Map<String, String> env) throws IOException {
        String[] previous = previousKeys(env.get(PREVIOUS_VARIABLE));
        String configured = env.get(KEY_VARIABLE);
        if (configured != null && !configured.isBlank()) {
            SigningKeys keys = parse(configured.trim(), previous, KEY_VARIABLE + " or " + PREVIOUS_VARIABLE);
            LOG.info("Signing cookies with the key from {} ({} key(s) accepted)", KEY_VARIABLE, keys.size());
            return keys;
        }
        Path file = dataDir.resolve(KEY_FILE);
        String key = Files.exists(file) ? readKeyFile(file) : createKeyFile(file);
        return parse(key, previous, "the key file " + file + " (delete it to generate a new key)");
    }

    private static SigningKeys parse(String newest, String[] previous, String source) {
        try {
            return SigningKeys.fromBase64(newest, previous);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unusable signing key in " + source + ": " + e.getMessage(), e);
        }
    }

    private static String[] previousKeys(String list) {
        List<String> keys = new ArrayList<>();
        if (list != null) {
            for (String k : list.split(",")) {
                if (!k.isBlank()) {
                    keys.add(k.trim());
                }
            }
        }
        return keys.toArray(new String[0]);
    }

    private static String readKeyFile(Path file) throws IOException {
        PosixFileAttributeView posix = Files.getFileAttributeView(file, PosixFileAttributeView.class);
        if (posix != null && !posix.readAttributes().permissions().equals(OWNER_ONLY)) {
            LOG.warn("The signing key file {} was readable by others; restricting it to its owner (0600)", file);
            posix.setPermissions(OWNER_ONLY);
        }
        LOG.info("Signing cookies with the key kept in {}", file);
        return Files.readString(file, StandardCharsets.US_ASCII).trim();
    }

    /** Writes a new key to a private temporary file and moves it in place, so no reader sees half a key. */
    private static String createKeyFile(Path file) throws IOException {
        Path dir = file.toAbsolutePath().getParent();
        boolean posix = Files.getFileStore(dir).supportsFileAttributeView(PosixFileAttributeView.class);
        Path tmp = posix
                ? Files.createTempFile(dir, ".signing-key", ".tmp", PosixFilePermissions.asFileAttribute(OWNER_ONLY))
                : Files.createTempFile(dir, ".signing-key", ".tmp");
        try {
            String key = SigningKeys.generateBase64Key();
            Files.writeString(tmp, key + "\n", StandardCharsets.US_ASCII);
            try {
                Files.move(tmp, file);
            } catch (FileAlreadyExistsException e) {
                return readKeyFile(file); // another process started at the same moment and won
            }
            if (!posix) {
                LOG.warn("This file system has no POSIX permissions: protect {} yourself", file);
            }
            LOG.info("Generated a new signing key and keep it in {} (owner-only); set {} to manage keys yourself",
                    file, KEY_VARIABLE);
            return key;
        } finally {
            Files.deleteIfExists(tmp);
        }
    }
}
