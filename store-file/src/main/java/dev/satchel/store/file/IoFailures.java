package dev.satchel.store.file;

import dev.satchel.SessionStoreException;
import dev.satchel.SessionStoreUnavailableException;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;

/**
 * Turns {@link IOException}s into store exceptions that name no file. File names in this store are the hex
 * of session ids and the hash of principal names, so they stay out of every message and every attached
 * cause: an {@code IOException}'s message carries its paths, and is replaced by a copy that carries only the
 * reason. Static methods; thread-safe.
 */
final class IoFailures {

    private IoFailures() {}

    /**
     * The store exception for a failed file operation ({@code what}: which one):
     * {@link SessionStoreUnavailableException} when the directory refuses writes (permissions, a read-only
     * file system), else {@link SessionStoreException} (a full disk, an I/O error).
     */
    static SessionStoreException failure(String what, IOException e) {
        String reason = describe(e);
        if (e instanceof AccessDeniedException || reason.contains("Read-only file system")) {
            return new SessionStoreUnavailableException(what + ": " + reason, redacted(e));
        }
        return new SessionStoreException(what + ": " + reason, redacted(e));
    }

    /** What went wrong, without the file names an {@link IOException}'s message carries. */
    static String describe(IOException e) {
        String reason = e instanceof FileSystemException ? ((FileSystemException) e).getReason() : e.getMessage();
        return e.getClass().getSimpleName() + (reason == null ? "" : ": " + reason);
    }

    /** A copy of {@code e} (same stack trace and suppressed exceptions) whose message names no file. */
    static IOException redacted(IOException e) {
        IOException copy = new IOException(describe(e));
        copy.setStackTrace(e.getStackTrace());
        for (Throwable suppressed : e.getSuppressed()) {
            copy.addSuppressed(suppressed);
        }
        return copy;
    }
}
