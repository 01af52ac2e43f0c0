package dev.satchel.store.file;

import dev.satchel.spi.SessionCodec;
import dev.satchel.spi.SessionRecord;
import dev.satchel.spi.UnreadableEntryException;
import dev.satchel.store.file.FileBackedSessionManager.Fsync;
import dev.satchel.store.file.ShardFolders.Folder;
import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bytes of session files in an open shard folder: reading one, replacing one in a single atomic step,
 * deleting one, and moving an unreadable one aside. Takes no lock: writes are called with the session's
 * lock held. Thread-safe.
 */
final class SessionFiles {

    private static final Logger LOG = LoggerFactory.getLogger(SessionFiles.class);

    /** Latest expiry hint written as a modification time (year 2200); later expiries are written as this. */
    private static final long LATEST_HINT_MILLIS = 7_258_118_400_000L;

    private final Fsync fsync;

    SessionFiles(Fsync fsync) {
        this.fsync = fsync;
    }

    /**
     * The record in session file {@code base} of {@code folder}, or {@code null} when there is none.
     *
     * @throws UnreadableEntryException if the file is not a regular file, too large, not a valid document
     *     ({@linkplain UnreadableEntryException#newerFormat() or of a newer format}), or holds another
     *     session's id
     */
    SessionRecord read(Folder folder, String base, String sid) throws IOException {
        String name = SessionFileNames.sessionFileName(base);
        BasicFileAttributes attributes = folder.attributes(name);
        if (attributes == null) {
            return null;
        }
        if (!attributes.isRegularFile()) {
            throw new UnreadableEntryException("session file is "
                    + (attributes.isSymbolicLink() ? "a symbolic link" : "not a regular file"));
        }
        if (attributes.size() > SessionCodec.MAX_DOCUMENT_LENGTH) {
            throw new UnreadableEntryException("session file is larger than " + SessionCodec.MAX_DOCUMENT_LENGTH
                    + " bytes");
        }
        byte[] document;
        try {
            document = folder.read(name, attributes.size(), SessionCodec.MAX_DOCUMENT_LENGTH);
        } catch (NoSuchFileException e) {
            return null; // deleted since its attributes were read
        }
        if (document == null) {
            throw new UnreadableEntryException("session file grew past " + SessionCodec.MAX_DOCUMENT_LENGTH
                    + " bytes while being read");
        }
        SessionRecord record = SessionCodec.decode(document);
        if (!record.id().equals(sid)) {
            throw new UnreadableEntryException("session file holds the record of another session");
        }
        return record;
    }

    /**
     * Replaces session file {@code base} with {@code record}: a new temporary file in the same folder,
     * flushed unless {@link Fsync#NONE}, renamed over the session file in one step; then the file's time is
     * set to the session's expiry, and with {@link Fsync#DATA_AND_DIRECTORY} the folder is flushed.
     */
    void write(Folder folder, String base, SessionRecord record) throws IOException {
        byte[] document = SessionCodec.encode(record);
        String name = SessionFileNames.sessionFileName(base);
        String temp = writeTemp(folder, base, document);
        try {
            folder.rename(temp, name);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(folder, temp, e);
            throw e;
        }
        // After the rename, so a temporary file's time is its age; a crash in between leaves the write time,
        // which is earlier than the expiry and so only makes the sweeper look at the file sooner.
        setExpiryHint(folder, base, record);
        if (fsync == Fsync.DATA_AND_DIRECTORY) {
            folder.sync();
        }
    }

    /** Sets the modification time of session file {@code base} to {@code record}'s expiry (see the sweeper). */
    void setExpiryHint(Folder folder, String base, SessionRecord record) throws IOException {
        folder.setModifiedTime(SessionFileNames.sessionFileName(base),
                FileTime.fromMillis(Math.min(record.expiresAt(), LATEST_HINT_MILLIS)));
    }

    /** Writes {@code document} to a new temporary file for session file {@code base}; returns its name. */
    private String writeTemp(Folder folder, String base, byte[] document) throws IOException {
        for (int attempt = 0; ; attempt++) {
            String temp = TempFiles.newName(base);
            try {
                folder.writeNew(temp, document, fsync != Fsync.NONE);
                return temp;
            } catch (FileAlreadyExistsException e) {
                if (attempt == 2) {
                    throw e; // a leftover of an earlier process with this id would not collide three times
                }
            } catch (IOException | RuntimeException e) {
                deleteQuietly(folder, temp, e);
                throw e;
            }
        }
    }

    /**
     * Deletes session file {@code base}, whatever it is; a directory or other non-file planted under its
     * name is moved aside. With {@link Fsync#DATA_AND_DIRECTORY} the folder is flushed.
     */
    void delete(Folder folder, String base) throws IOException {
        String name = SessionFileNames.sessionFileName(base);
        try {
            folder.delete(name);
        } catch (NoSuchFileException e) {
            return;
        } catch (FileSystemException e) {
            BasicFileAttributes found = folder.attributes(name);
            if (found == null || found.isRegularFile() || found.isSymbolicLink()) {
                throw e;
            }
            quarantine(folder, base);
        }
        if (fsync == Fsync.DATA_AND_DIRECTORY) {
            folder.sync();
        }
    }

    /**
     * Moves session file {@code base} aside as {@code <name>.corrupt} (replacing an earlier one), or deletes
     * it when it cannot be moved. A link is moved itself, never its target.
     */
    void quarantine(Folder folder, String base) {
        String name = SessionFileNames.sessionFileName(base);
        try {
            folder.rename(name, name + SessionFileNames.CORRUPT_SUFFIX);
        } catch (NoSuchFileException e) {
            // already gone
        } catch (IOException e) {
            try {
                folder.delete(name);
            } catch (IOException again) {
                LOG.warn("Could not move an unreadable session file aside nor delete it: {}",
                        IoFailures.describe(again));
            }
        }
    }

    private static void deleteQuietly(Folder folder, String name, Exception failure) {
        try {
            folder.delete(name);
        } catch (NoSuchFileException e) {
            // never created, or already gone
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(IoFailures.redacted(e instanceof IOException ? (IOException) e : new IOException(e)));
        }
    }
}
