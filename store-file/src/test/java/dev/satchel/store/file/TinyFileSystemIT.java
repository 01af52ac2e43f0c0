package dev.satchel.store.file;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.satchel.SessionStoreUnavailableException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk and a read-only directory, made real: a tiny {@code tmpfs}, mounted in a private mount namespace
 * of a child JVM, so nothing outside sees it and it vanishes with the child. Where no such namespace can be
 * had, the read-only case falls back to permission bits (which bind a non-root user), and the full-disk case
 * is skipped with the reason.
 */
class TinyFileSystemIT {

    @TempDir
    Path tmp;

    @Test
    void aFullDiskFailsWritesClearlyAndKeepsEveryRecord() throws Exception {
        assumeTrue(PrivateMounts.prefix().isPresent(), PrivateMounts.whyUnavailable());
        Path dir = Files.createDirectory(tmp.resolve("tiny"));
        String output = ChildProcess.run(PrivateMounts.withTmpfs(dir, "256k",
                ChildProcess.java(TinyFileSystemScenarios.class, "full-disk", dir.toString())), Duration.ofMinutes(2));
        System.out.print(output);
        assertTrue(output.contains("OK"), output);
    }

    @Test
    void aReadOnlyDirectoryFailsWritesAndIsRefusedAtStart() throws Exception {
        Path dir = Files.createDirectory(tmp.resolve("tiny"));
        if (PrivateMounts.prefix().isPresent()) {
            String output = ChildProcess.run(PrivateMounts.withTmpfs(dir, "256k",
                    ChildProcess.java(TinyFileSystemScenarios.class, "read-only", dir.toString())), Duration.ofMinutes(2));
            System.out.print(output);
            assertTrue(output.contains("OK"), output);
            return;
        }
        assumeTrue(!runningAsRoot(), PrivateMounts.whyUnavailable() + ", and as root permission bits stop no write");
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-x------"));
        try {
            SessionStoreUnavailableException e = assertThrows(SessionStoreUnavailableException.class,
                    () -> FileBackedSessionManager.at(dir));
            assertTrue(e.getMessage().contains(dir.toString()) && e.getMessage().contains("not writable"), e.getMessage());
        } finally {
            Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
        }
    }

    private boolean runningAsRoot() throws Exception {
        Path mine = Files.createTempFile(tmp, "owner", "");
        return ((Integer) Files.getAttribute(mine, "unix:uid")) == 0;
    }
}
