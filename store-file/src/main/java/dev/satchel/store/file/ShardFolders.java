package dev.satchel.store.file;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.util.List;

/**
 * How the store reaches the folders of its directory — the session shard folders and the folders of the
 * principal index below them — without ever following a symbolic link out of it. Two ways, chosen once at
 * start:
 *
 * <ul>
 *   <li>{@link SecureShardFolders} (Linux, macOS): every operation goes through directory handles
 *       ({@code openat}, {@code renameat}, {@code unlinkat} relative to the open shard folder, which is itself
 *       opened with {@code O_NOFOLLOW}). A link planted in the store, even while the store runs, is never
 *       followed.</li>
 *   <li>{@link PathShardFolders} (where the platform has no {@link SecureDirectoryStream}, e.g. Windows):
 *       paths checked to stay inside the store, the shard folder checked not to be a link before each
 *       operation, files opened with {@code NOFOLLOW_LINKS}. A link swapped in between the check and the
 *       use could still be followed; only someone who can already write the store directory can do that.</li>
 * </ul>
 *
 * <p>Implementations are thread-safe; each {@link Folder} serves one operation of one thread.
 */
abstract class ShardFolders implements Closeable {

    /** The store directory, a real path. */
    final Path root;
    /** Attributes of new files: mode {@code 0600} on POSIX, none elsewhere. */
    final FileAttribute<?>[] fileAttributes;
    private final FileAttribute<?>[] folderAttributes;

    ShardFolders(Path root, FileAttribute<?>[] fileAttributes, FileAttribute<?>[] folderAttributes) {
        this.root = root;
        this.fileAttributes = fileAttributes;
        this.folderAttributes = folderAttributes;
    }

    /**
     * Opens shard folder {@code shard}.
     *
     * @return the folder, or {@code null} when it does not exist
     * @throws IOException if it cannot be opened, or is a symbolic link or not a directory
     */
    abstract Folder open(String shard) throws IOException;

    /** Opens shard folder {@code shard}, creating it (mode {@code 0700} on POSIX) when missing. */
    final Folder openOrCreate(String shard) throws IOException {
        Folder folder = open(shard);
        if (folder != null) {
            return folder;
        }
        createFolder(SessionFileNames.contained(root, shard));
        folder = open(shard);
        if (folder == null) {
            throw new NoSuchFileException("shard folder " + shard + " vanished right after its creation");
        }
        return folder;
    }

    /**
     * Opens folder {@code name} inside {@code parent}, creating it (mode {@code 0700} on POSIX) when missing.
     * The new folder is created by path, after {@code parent} was opened without following links; it is then
     * opened relative to {@code parent}, so a link raced into its place is refused, not followed.
     *
     * @return the folder, and whether this call created it, as {@link Folder#created()}
     */
    final Folder openOrCreate(Folder parent, String name) throws IOException {
        Folder folder = parent.child(name);
        if (folder != null) {
            return folder;
        }
        boolean created = createFolder(SessionFileNames.contained(parent.path(), name));
        folder = parent.child(name);
        if (folder == null) {
            throw new NoSuchFileException("a folder of the store vanished right after its creation");
        }
        folder.created = created;
        return folder;
    }

    /** Creates folder {@code path}; {@code false} when it exists already. */
    private boolean createFolder(Path path) throws IOException {
        try {
            Files.createDirectory(path, folderAttributes);
            return true;
        } catch (FileAlreadyExistsException e) {
            return false; // created meanwhile by another thread or process; opening it checks what it is
        }
    }

    /** The failure for a folder name ({@code what}: which folder) that holds a link or a file instead. */
    static NotAFolderException notAFolder(String what, BasicFileAttributes found) {
        return new NotAFolderException(what + " is " + (found.isSymbolicLink() ? "a symbolic link" : "not a directory")
                + ", and the store follows no links out of its directory");
    }

    /** A link or a file where the store expects one of its folders. */
    static final class NotAFolderException extends FileSystemException {
        private static final long serialVersionUID = 1L;

        NotAFolderException(String reason) {
            super(null, null, reason);
        }
    }

    /**
     * The way to reach the shard folders under {@code root}: through directory handles when the platform
     * has them and {@code secureWanted}, else through checked paths. New files and folders get
     * {@code fileAttributes} and {@code folderAttributes}; {@code posix} says whether the file system is POSIX.
     */
    static ShardFolders forDirectory(Path root, boolean secureWanted, FileAttribute<?>[] fileAttributes,
            FileAttribute<?>[] folderAttributes, boolean posix) throws IOException {
        if (secureWanted) {
            DirectoryStream<Path> stream = Files.newDirectoryStream(root);
            if (stream instanceof SecureDirectoryStream) {
                return new SecureShardFolders(root, (SecureDirectoryStream<Path>) stream, fileAttributes,
                        folderAttributes);
            }
            stream.close();
        }
        return new PathShardFolders(root, fileAttributes, folderAttributes, posix);
    }

    /**
     * One open shard folder. Every name passed is a plain file name inside it (checked), and no operation
     * follows a link at that name. Not thread-safe; closed after one operation.
     */
    abstract static class Folder implements Closeable {

        private static final byte[] EMPTY = new byte[0];

        /** Set by {@link ShardFolders#openOrCreate(Folder, String)} when it created this folder. */
        private boolean created;

        /** Whether this folder was created by the call that opened it. */
        final boolean created() {
            return created;
        }

        /** Attributes of {@code name}, not following a link, or {@code null} when there is no such file. */
        final BasicFileAttributes attributes(String name) throws IOException {
            try {
                return readAttributes(SessionFileNames.requirePlainName(name));
            } catch (NoSuchFileException e) {
                return null;
            }
        }

        /**
         * Reads all of regular file {@code name}, which {@link #attributes} reported {@code expectedSize}
         * bytes long, up to {@code limit} bytes.
         *
         * @return the content, or {@code null} when it is longer than {@code limit}
         * @throws NoSuchFileException if it is gone
         */
        final byte[] read(String name, long expectedSize, long limit) throws IOException {
            try (SeekableByteChannel in = openForReading(SessionFileNames.requirePlainName(name))) {
                ByteBuffer buffer = ByteBuffer.allocate((int) Math.min(limit + 1, Math.max(expectedSize + 1, 64)));
                while (in.read(buffer) >= 0) {
                    if (!buffer.hasRemaining()) {
                        if (buffer.capacity() > limit) {
                            return null;
                        }
                        ByteBuffer larger = ByteBuffer.allocate((int) Math.min(limit + 1, buffer.capacity() * 2L));
                        buffer.flip();
                        buffer = larger.put(buffer);
                    }
                }
                byte[] content = new byte[buffer.position()];
                buffer.flip().get(content);
                return content;
            }
        }

        /**
         * Creates {@code name}, which must not exist (mode {@code 0600} on POSIX), and writes {@code content}
         * to it; with {@code force}, flushes the content to the device before returning.
         */
        final void writeNew(String name, byte[] content, boolean force) throws IOException {
            try (FileChannel out = createNew(SessionFileNames.requirePlainName(name))) {
                ByteBuffer buffer = ByteBuffer.wrap(content);
                while (buffer.hasRemaining()) {
                    out.write(buffer);
                }
                if (force) {
                    out.force(false);
                }
            }
        }

        /**
         * Creates empty file {@code name} (mode {@code 0600} on POSIX), unflushed.
         *
         * @throws java.nio.file.FileAlreadyExistsException if it exists
         * @throws NoSuchFileException if this folder was deleted since it was opened
         */
        final void createEmpty(String name) throws IOException {
            writeNew(name, EMPTY, false);
        }

        /** Sets the last-modified time of {@code name}, not following a link; its access time stays. */
        final void setModifiedTime(String name, FileTime time) throws IOException {
            setTimes(SessionFileNames.requirePlainName(name), time, null);
        }

        /** Renames {@code from} to {@code to} in one atomic step, replacing {@code to} if it exists. */
        final void rename(String from, String to) throws IOException {
            move(SessionFileNames.requirePlainName(from), SessionFileNames.requirePlainName(to));
        }

        /**
         * Deletes {@code name} (a link itself, never its target).
         *
         * @throws NoSuchFileException if there is no such file
         */
        final void delete(String name) throws IOException {
            unlink(SessionFileNames.requirePlainName(name));
        }

        /**
         * Deletes folder {@code name} if it is empty.
         *
         * @return {@code false} when it is not empty or not there
         */
        final boolean deleteIfEmpty(String name) throws IOException {
            try {
                removeFolder(SessionFileNames.requirePlainName(name));
                return true;
            } catch (java.nio.file.DirectoryNotEmptyException | NoSuchFileException e) {
                return false;
            }
        }

        /**
         * Opens folder {@code name} inside this one, not following a link.
         *
         * @return the folder, or {@code null} when there is none by that name
         * @throws IOException if it cannot be opened, or is a symbolic link or not a directory
         */
        final Folder child(String name) throws IOException {
            return openChild(SessionFileNames.requirePlainName(name));
        }

        /** This folder's path (for creating folders in it, which no directory handle can do). */
        abstract Path path();

        /** The names in this folder. Called at most once per opened folder. */
        abstract List<String> names() throws IOException;

        /** Flushes this folder's entries (creations, renames, deletions) to the device. */
        abstract void sync() throws IOException;

        abstract BasicFileAttributes readAttributes(String name) throws IOException;

        abstract SeekableByteChannel openForReading(String name) throws IOException;

        abstract FileChannel createNew(String name) throws IOException;

        abstract void setTimes(String name, FileTime modified, FileTime accessed) throws IOException;

        abstract void move(String from, String to) throws IOException;

        abstract void unlink(String name) throws IOException;

        abstract void removeFolder(String name) throws IOException;

        abstract Folder openChild(String name) throws IOException;
    }
}
