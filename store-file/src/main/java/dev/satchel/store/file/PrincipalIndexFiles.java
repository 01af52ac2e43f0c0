package dev.satchel.store.file;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;

import dev.satchel.store.file.ShardFolders.Folder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The principal index on disk: which sessions have which principal, so that a principal's sessions are
 * found by listing one folder, in time proportional to their number.
 *
 * <pre>
 * dir/principals/                       the index (0700)
 *   complete                            empty; present when every session's principal is in the index
 *   9f/                                 index shard: the first two hex digits of the principal's hash (0700)
 *     9f86d0…0a08/                      one principal: the SHA-256 of its name's UTF-8 bytes, lowercase hex (0700)
 *       3fa91c…e2                       one entry: empty file named by the session's base name (0600)
 * </pre>
 *
 * A principal's name never becomes a path: only its hash does. One folder per principal holding one empty
 * file per session keeps every file empty and every read bounded by that principal's sessions, even at
 * 100,000 of them.
 *
 * <p>The rules every writer follows (this store, and other programs writing the directory): an entry
 * (principal, session) is created or deleted only while holding that session's lock; it is created
 * <em>before</em> the session file first names the principal, and deleted only <em>after</em> the session
 * file no longer names it (changed, cleared, deleted). So at any instant, a crash included, a live session
 * with a principal has its entry; an entry may point at a session that is gone or has another principal
 * (a stale entry), which readers skip. A writer that deletes an entry then deletes the principal's folder if
 * it is empty; a writer that finds the folder gone while creating an entry creates it again and retries.
 *
 * <p>Stateless but for the folder access; thread-safe.
 */
final class PrincipalIndexFiles {

    /** The index folder, in the store directory. */
    static final String FOLDER = "principals";
    /** The file in {@link #FOLDER} that says the index is complete. */
    static final String COMPLETE = "complete";

    private static final HexFormat HEX = HexFormat.of();
    private static final int ATTEMPTS = 5;

    private final ShardFolders folders;
    /** Whether a new entry is flushed to the device before the session file names its principal. */
    private final boolean flush;

    PrincipalIndexFiles(ShardFolders folders, boolean flush) {
        this.folders = folders;
        this.flush = flush;
    }

    /** The folder name of {@code principal}: the lowercase hex SHA-256 of its UTF-8 bytes (64 characters). */
    static String hashOf(String principal) {
        try {
            // An unpaired surrogate, which UTF-8 cannot hold, is encoded as '?' (what Python's "replace" does).
            return HEX.formatHex(MessageDigest.getInstance("SHA-256").digest(principal.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }

    /**
     * Adds the entry of session {@code base} under {@code principal}, creating folders as needed; with
     * {@code durable}, flushes it to the device unless the store writes without flushing. Call with the
     * session's lock held, before the session file names {@code principal}.
     */
    void add(String principal, String base, boolean durable) throws IOException {
        String hash = hashOf(principal);
        for (int attempt = 1; ; attempt++) {
            try (Folder index = folders.openOrCreate(FOLDER);
                    Folder shard = folders.openOrCreate(index, hash.substring(0, 2));
                    Folder own = folders.openOrCreate(shard, hash)) {
                try {
                    own.createEmpty(base);
                } catch (FileAlreadyExistsException e) {
                    // there already: a stale entry, or a rebuild got here first
                }
                if (durable && flush) {
                    own.sync();
                    if (own.created()) {
                        shard.sync();
                    }
                    if (shard.created()) {
                        index.sync();
                    }
                }
                return;
            } catch (NoSuchFileException e) {
                // The principal's folder was deleted as empty by a writer removing its last entry, between our
                // opening it and creating the entry: create it again.
                if (attempt == ATTEMPTS) {
                    throw e;
                }
            } catch (ShardFolders.NotAFolderException e) {
                // A link or file where a folder of the index belongs. Remove it (the link itself, never its
                // target) so that writes go on, and since entries may have gone with it, mark the index
                // incomplete: the next lookup rebuilds it.
                if (attempt == ATTEMPTS) {
                    throw e;
                }
                markIncomplete(); // first: a crash in between must not leave a complete index missing entries
                deleteDamage();
            }
        }
    }

    /**
     * Removes the entry of session {@code base} under {@code principal}, and the principal's folder if that
     * left it empty. Call with the session's lock held, after the session file stopped naming
     * {@code principal}. Idempotent.
     */
    void remove(String principal, String base) throws IOException {
        String hash = hashOf(principal);
        try (Folder index = folders.open(FOLDER)) {
            if (index == null) {
                return;
            }
            try (Folder shard = index.child(hash.substring(0, 2))) {
                if (shard == null) {
                    return;
                }
                try (Folder own = shard.child(hash)) {
                    if (own == null) {
                        return;
                    }
                    try {
                        own.delete(base);
                    } catch (NoSuchFileException e) {
                        // not there: removed already, or never added by a writer that crashed
                    }
                }
                shard.deleteIfEmpty(hash);
            }
        }
    }

    /**
     * The base names of the sessions indexed under {@code principal} (stale ones included); names in the
     * principal's folder that are not base names are ignored.
     *
     * @throws IOException if a folder of the index is a link or not a folder (the index is damaged)
     */
    List<String> entries(String principal) throws IOException {
        String hash = hashOf(principal);
        try (Folder index = folders.open(FOLDER)) {
            if (index == null) {
                return List.of();
            }
            try (Folder shard = index.child(hash.substring(0, 2))) {
                if (shard == null) {
                    return List.of();
                }
                try (Folder own = shard.child(hash)) {
                    if (own == null) {
                        return List.of();
                    }
                    List<String> names = own.names();
                    List<String> bases = new ArrayList<>(names.size());
                    for (String name : names) {
                        if (SessionFileNames.sessionIdOfBase(name) != null) {
                            bases.add(name);
                        }
                    }
                    return bases;
                }
            }
        }
    }

    /**
     * Whether the index is complete ({@value #COMPLETE} exists).
     *
     * @throws IOException if {@value #FOLDER} is a link or not a folder (the index is damaged)
     */
    boolean isComplete() throws IOException {
        try (Folder index = folders.open(FOLDER)) {
            return index != null && index.attributes(COMPLETE) != null;
        }
    }

    /** Records that the index is complete, flushed unless the store writes without flushing. */
    void markComplete() throws IOException {
        try (Folder index = folders.openOrCreate(FOLDER)) {
            try {
                index.createEmpty(COMPLETE);
            } catch (FileAlreadyExistsException e) {
                // marked already
            }
            if (flush) {
                index.sync();
            }
        }
    }

    /** Records that the index may miss entries, so that the next lookup rebuilds it. */
    void markIncomplete() throws IOException {
        try (Folder index = folders.open(FOLDER)) {
            if (index != null) {
                try {
                    index.delete(COMPLETE);
                } catch (NoSuchFileException e) {
                    // not marked complete
                }
            }
        } catch (ShardFolders.NotAFolderException e) {
            // the index folder itself is a link or a file: no "complete" of this store can be reached through it
        }
    }

    /**
     * Deletes what cannot be part of a sound index, before a rebuild: a link or file in place of the index
     * folder, of an index shard or of a principal's folder (the link itself, never its target).
     *
     * @return how many such entries were deleted
     */
    int deleteDamage() throws IOException {
        Path folder = SessionFileNames.contained(folders.root, FOLDER);
        BasicFileAttributes found;
        try {
            found = Files.readAttributes(folder, BasicFileAttributes.class, NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return 0;
        }
        if (!found.isDirectory()) {
            Files.delete(folder);
            return 1;
        }
        int deleted = 0;
        try (Folder index = folders.open(FOLDER)) {
            if (index == null) {
                return 0;
            }
            for (String shardName : index.names()) {
                if (shardName.equals(COMPLETE)) {
                    continue;
                }
                BasicFileAttributes shardFound = index.attributes(shardName);
                if (shardFound == null) {
                    continue;
                }
                if (!shardFound.isDirectory()) {
                    index.delete(shardName);
                    deleted++;
                    continue;
                }
                try (Folder shard = index.child(shardName)) {
                    for (String principal : shard == null ? List.<String>of() : shard.names()) {
                        BasicFileAttributes own = shard.attributes(principal);
                        if (own != null && !own.isDirectory()) {
                            shard.delete(principal);
                            deleted++;
                        }
                    }
                }
            }
        }
        return deleted;
    }
}
