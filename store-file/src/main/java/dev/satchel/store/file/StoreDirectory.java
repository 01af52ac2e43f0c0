package dev.satchel.store.file;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.WRITE;

import dev.satchel.SessionStoreUnavailableException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store directory, made ready for use: created if missing (mode {@code 0700} on POSIX, every folder
 * created on the way too), resolved to a real path, and checked to let a file be created and deleted in it
 * — so that a read-only mount or a missing permission stops the start with a clear message instead of
 * failing the first write. Also holds the modes new files ({@code 0600}) and folders ({@code 0700}) get.
 * Immutable.
 */
final class StoreDirectory {

    private static final Logger LOG = LoggerFactory.getLogger(StoreDirectory.class);

    /** The directory, a real path. */
    final Path root;
    /** Whether the file system is POSIX (modes can be set). */
    final boolean posix;
    /** Attributes of new files: mode {@code 0600} on POSIX, none elsewhere. */
    final FileAttribute<?>[] fileAttributes;
    /** Attributes of new folders: mode {@code 0700} on POSIX, none elsewhere. */
    final FileAttribute<?>[] folderAttributes;

    private StoreDirectory(Path root, boolean posix, FileAttribute<?>[] fileAttributes,
            FileAttribute<?>[] folderAttributes) {
        this.root = root;
        this.posix = posix;
        this.fileAttributes = fileAttributes;
        this.folderAttributes = folderAttributes;
    }

    /**
     * Creates {@code dir} if missing, resolves it to a real path, and checks that a file can be created and
     * deleted in it.
     *
     * @throws SessionStoreUnavailableException naming the directory, if it cannot be created, is not a
     *     directory, or is not writable
     */
    static StoreDirectory prepare(Path dir) {
        boolean posix = dir.getFileSystem().supportedFileAttributeViews().contains("posix");
        FileAttribute<?>[] fileAttributes = posix
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
        FileAttribute<?>[] folderAttributes = posix
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))}
                : new FileAttribute<?>[0];
        Path absolute = dir.toAbsolutePath().normalize();
        Path real;
        try {
            Files.createDirectories(absolute, folderAttributes);
            real = absolute.toRealPath();
        } catch (IOException e) {
            throw new SessionStoreUnavailableException("session directory " + absolute
                    + " cannot be created or is not a directory: " + IoFailures.describe(e), IoFailures.redacted(e));
        }
        if (!Files.isDirectory(real)) {
            throw new SessionStoreUnavailableException("session directory " + absolute + " is not a directory", null);
        }
        Path probe = real.resolve(TempFiles.newName(SessionFileNames.PROBE_PREFIX));
        try {
            try (SeekableByteChannel out = Files.newByteChannel(probe, Set.of(CREATE_NEW, WRITE, NOFOLLOW_LINKS),
                    fileAttributes)) {
                out.write(ByteBuffer.wrap(new byte[] {'\n'}));
            } finally {
                Files.deleteIfExists(probe);
            }
        } catch (IOException e) {
            throw new SessionStoreUnavailableException("session directory " + real + " is not writable ("
                    + IoFailures.describe(e) + "); the file store must create, rename and delete files in it",
                    IoFailures.redacted(e));
        }
        return new StoreDirectory(real, posix, fileAttributes, folderAttributes);
    }

    /** Deletes probe files that processes since gone left in the directory. */
    void removeLeftoverProbes(TempFiles temps) {
        try (DirectoryStream<Path> probes = Files.newDirectoryStream(root,
                SessionFileNames.PROBE_PREFIX + ".*" + SessionFileNames.TEMP_SUFFIX)) {
            for (Path probe : probes) {
                BasicFileAttributes attributes = Files.readAttributes(probe, BasicFileAttributes.class, NOFOLLOW_LINKS);
                if (temps.isLeftover(probe.getFileName().toString(), attributes)) {
                    Files.deleteIfExists(probe);
                }
            }
        } catch (IOException e) {
            LOG.warn("Could not look for leftover probe files: {}", IoFailures.describe(e));
        }
    }
}
