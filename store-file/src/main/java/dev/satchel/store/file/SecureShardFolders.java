package dev.satchel.store.file;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Shard folders reached through directory handles: the store directory is held open, a shard folder is
 * opened relative to it with {@code O_NOFOLLOW}, and every file operation is relative to that open folder.
 * No path is resolved twice, so a link planted anywhere inside the store is never followed.
 */
final class SecureShardFolders extends ShardFolders {

    private static final Set<OpenOption> READING = Set.of(READ, NOFOLLOW_LINKS);
    private static final Set<OpenOption> CREATING = Set.of(CREATE_NEW, WRITE, NOFOLLOW_LINKS);

    private final SecureDirectoryStream<Path> rootHandle;

    SecureShardFolders(Path root, SecureDirectoryStream<Path> rootHandle, FileAttribute<?>[] fileAttributes,
            FileAttribute<?>[] folderAttributes) {
        super(root, fileAttributes, folderAttributes);
        this.rootHandle = rootHandle;
    }

    @Override
    Folder open(String shard) throws IOException {
        return openIn(rootHandle, SessionFileNames.requirePlainName(shard), root, "shard folder " + shard);
    }

    /**
     * Opens folder {@code name} of the folder open as {@code parent} (at {@code parentPath}), not following a
     * link; {@code null} when missing. {@code what} names it in a failure.
     */
    private SecureFolder openIn(SecureDirectoryStream<Path> parent, String name, Path parentPath, String what)
            throws IOException {
        Path relative = Path.of(name);
        try {
            return new SecureFolder(parent.newDirectoryStream(relative, NOFOLLOW_LINKS), parentPath.resolve(name));
        } catch (NoSuchFileException e) {
            return null;
        } catch (FileSystemException e) {
            BasicFileAttributes attributes;
            try {
                attributes = parent.getFileAttributeView(relative, BasicFileAttributeView.class, NOFOLLOW_LINKS)
                        .readAttributes();
            } catch (IOException again) {
                e.addSuppressed(again);
                throw e;
            }
            if (attributes.isDirectory()) {
                throw e;
            }
            throw notAFolder(what, attributes);
        }
    }

    @Override
    public void close() throws IOException {
        rootHandle.close();
    }

    private final class SecureFolder extends Folder {
        private final SecureDirectoryStream<Path> handle;
        private final Path path;

        SecureFolder(SecureDirectoryStream<Path> handle, Path path) {
            this.handle = handle;
            this.path = path;
        }

        @Override
        Path path() {
            return path;
        }

        @Override
        Folder openChild(String name) throws IOException {
            return openIn(handle, name, path, "a folder of the principal index");
        }

        @Override
        List<String> names() {
            List<String> names = new ArrayList<>();
            for (Path entry : handle) {
                names.add(entry.getFileName().toString());
            }
            return names;
        }

        @Override
        void sync() throws IOException {
            try (SeekableByteChannel self = handle.newByteChannel(Path.of("."), READING)) {
                ((FileChannel) self).force(true);
            }
        }

        @Override
        BasicFileAttributes readAttributes(String name) throws IOException {
            return handle.getFileAttributeView(Path.of(name), BasicFileAttributeView.class, NOFOLLOW_LINKS)
                    .readAttributes();
        }

        @Override
        SeekableByteChannel openForReading(String name) throws IOException {
            return handle.newByteChannel(Path.of(name), READING);
        }

        @Override
        FileChannel createNew(String name) throws IOException {
            SeekableByteChannel channel = handle.newByteChannel(Path.of(name), CREATING, fileAttributes);
            if (channel instanceof FileChannel) {
                return (FileChannel) channel;
            }
            channel.close();
            handle.deleteFile(Path.of(name));
            throw new IOException("the file system gives no FileChannel, so writes cannot be flushed");
        }

        @Override
        void setTimes(String name, FileTime modified, FileTime accessed) throws IOException {
            handle.getFileAttributeView(Path.of(name), BasicFileAttributeView.class, NOFOLLOW_LINKS)
                    .setTimes(modified, accessed, null);
        }

        @Override
        void move(String from, String to) throws IOException {
            handle.move(Path.of(from), handle, Path.of(to));
        }

        @Override
        void unlink(String name) throws IOException {
            handle.deleteFile(Path.of(name));
        }

        @Override
        void removeFolder(String name) throws IOException {
            handle.deleteDirectory(Path.of(name));
        }

        @Override
        public void close() throws IOException {
            handle.close();
        }
    }
}
