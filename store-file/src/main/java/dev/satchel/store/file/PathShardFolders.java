package dev.satchel.store.file;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static java.nio.file.StandardCopyOption.ATOMIC_MOVE;
import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Shard folders reached through paths, for platforms without {@link java.nio.file.SecureDirectoryStream}:
 * every path is built from plain names and checked to stay inside the store, a shard folder is checked
 * not to be a link each time it is opened, and files are opened with {@code NOFOLLOW_LINKS}.
 */
final class PathShardFolders extends ShardFolders {

    private static final Set<OpenOption> READING = Set.of(READ, NOFOLLOW_LINKS);
    private static final Set<OpenOption> CREATING = Set.of(CREATE_NEW, WRITE, NOFOLLOW_LINKS);

    /** Whether folders can be opened to be flushed: on POSIX, not on Windows. */
    private final boolean foldersSyncable;

    PathShardFolders(Path root, FileAttribute<?>[] fileAttributes, FileAttribute<?>[] folderAttributes,
            boolean posix) {
        super(root, fileAttributes, folderAttributes);
        this.foldersSyncable = posix;
    }

    @Override
    Folder open(String shard) throws IOException {
        return openAt(SessionFileNames.contained(root, shard), "shard folder " + shard);
    }

    /** Opens folder {@code folder} after checking it is one, not a link; {@code null} when missing. */
    private Folder openAt(Path folder, String what) throws IOException {
        BasicFileAttributes attributes;
        try {
            attributes = Files.readAttributes(folder, BasicFileAttributes.class, NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            return null;
        }
        if (!attributes.isDirectory()) {
            throw notAFolder(what, attributes);
        }
        return new PathFolder(folder);
    }

    @Override
    public void close() {}

    private final class PathFolder extends Folder {
        private final Path dir;

        PathFolder(Path dir) {
            this.dir = dir;
        }

        private Path file(String name) {
            return SessionFileNames.contained(dir, name);
        }

        @Override
        Path path() {
            return dir;
        }

        @Override
        Folder openChild(String name) throws IOException {
            return openAt(file(name), "a folder of the principal index");
        }

        @Override
        List<String> names() throws IOException {
            List<String> names = new ArrayList<>();
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
                for (Path entry : entries) {
                    names.add(entry.getFileName().toString());
                }
            }
            return names;
        }

        @Override
        void sync() throws IOException {
            if (!foldersSyncable) {
                return; // Windows: NTFS journals its directory changes, and a folder cannot be opened to flush
            }
            try (FileChannel self = FileChannel.open(dir, READ)) {
                self.force(true);
            }
        }

        @Override
        BasicFileAttributes readAttributes(String name) throws IOException {
            return Files.readAttributes(file(name), BasicFileAttributes.class, NOFOLLOW_LINKS);
        }

        @Override
        SeekableByteChannel openForReading(String name) throws IOException {
            return Files.newByteChannel(file(name), READING);
        }

        @Override
        FileChannel createNew(String name) throws IOException {
            return FileChannel.open(file(name), CREATING, fileAttributes);
        }

        @Override
        void setTimes(String name, FileTime modified, FileTime accessed) throws IOException {
            Files.getFileAttributeView(file(name), BasicFileAttributeView.class, NOFOLLOW_LINKS)
                    .setTimes(modified, accessed, null);
        }

        @Override
        void move(String from, String to) throws IOException {
            Files.move(file(from), file(to), ATOMIC_MOVE);
        }

        @Override
        void unlink(String name) throws IOException {
            Files.delete(file(name));
        }

        @Override
        void removeFolder(String name) throws IOException {
            Path folder = file(name);
            if (!Files.isDirectory(folder, NOFOLLOW_LINKS)) {
                throw new NoSuchFileException("no folder by that name");
            }
            Files.delete(folder); // a folder swapped for a link since the check: the link itself goes
        }

        @Override
        public void close() {}
    }
}
