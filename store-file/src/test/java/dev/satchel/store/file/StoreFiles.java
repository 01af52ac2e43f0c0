package dev.satchel.store.file;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;

import dev.satchel.spi.SessionCodec;
import dev.satchel.spi.SessionRecord;
import dev.satchel.testkit.StoreBackdoor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The files of a store directory, read and written directly by the documented layout, bypassing the store:
 * the contracts' backdoor and the store tests' way to plant and inspect files.
 */
class StoreFiles implements StoreBackdoor {

    final Path dir;
    /** What {@link #plantNewerFormat} planted: the bytes and the modification time, by session id. */
    private final java.util.Map<String, List<Object>> newerFormats = new java.util.concurrent.ConcurrentHashMap<>();

    StoreFiles(Path dir) {
        this.dir = dir;
    }

    /**
     * Deletes {@code root} and everything under it; nothing if it does not exist. A writer still working in the
     * folder (a store holds directory handles, so it follows a folder moved out of it) may remove or add entries
     * meanwhile: what vanishes during the walk is skipped, and a folder not empty yet is walked again.
     *
     * @throws IllegalStateException if entries still appear after 100 passes
     */
    static void deleteTree(Path root) throws IOException {
        for (int pass = 0; Files.exists(root, NOFOLLOW_LINKS); pass++) {
            if (pass == 100) {
                throw new IllegalStateException(root + " still fills up after 100 passes");
            }
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                    if (e instanceof NoSuchFileException) {
                        return FileVisitResult.CONTINUE;
                    }
                    throw e;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path d, IOException e) throws IOException {
                    if (e != null && !(e instanceof NoSuchFileException)) {
                        throw e;
                    }
                    try {
                        Files.deleteIfExists(d);
                    } catch (DirectoryNotEmptyException late) {
                        // an entry added meanwhile: the next pass removes it
                    }
                    return FileVisitResult.CONTINUE;
                }
            });
        }
    }

    /** The file of session {@code sid}. */
    Path fileOf(String sid) {
        return SessionFileNames.pathOf(dir, sid);
    }

    @Override
    public boolean isStored(String sid) {
        return Files.exists(fileOf(sid), NOFOLLOW_LINKS);
    }

    @Override
    public boolean plantCorrupt(String sid) {
        plant(sid, "{\"v\":1,\"id\":\"" + sid + "\",\"randval\":");
        return true;
    }

    /**
     * Writes {@code record} as another program following the store's README does: the principal's index entry
     * first, then the session file, its time set to the expiry.
     */
    @Override
    public boolean persist(SessionRecord record) {
        try {
            if (record.principal() != null) {
                Path entry = new IndexFiles(dir).entryOf(record.principal(), record.id());
                Files.createDirectories(entry.getParent());
                if (!Files.exists(entry)) {
                    Files.createFile(entry);
                }
            }
            Path file = plant(record.id(), SessionCodec.encode(record));
            Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(record.expiresAt()));
            return true;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Replaces the file of {@code sid} with a version-2 document that keeps its principal, as a newer Satchel would. */
    @Override
    public boolean plantNewerFormat(String sid) {
        String principal = Files.exists(fileOf(sid), NOFOLLOW_LINKS) ? record(sid).principal() : null;
        byte[] document = newerFormat(sid, principal).getBytes(StandardCharsets.UTF_8);
        Path file = plant(sid, document);
        try {
            newerFormats.put(sid, List.of(document, Files.getLastModifiedTime(file, NOFOLLOW_LINKS)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return true;
    }

    /** Whether the file {@link #plantNewerFormat} planted is there with the same bytes and time. */
    @Override
    public boolean isNewerFormatIntact(String sid) {
        List<Object> planted = newerFormats.get(sid);
        try {
            return planted != null && java.util.Arrays.equals((byte[]) planted.get(0), Files.readAllBytes(fileOf(sid)))
                    && planted.get(1).equals(Files.getLastModifiedTime(fileOf(sid), NOFOLLOW_LINKS));
        } catch (java.nio.file.NoSuchFileException e) {
            return false;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A version-2 document for {@code sid}: what version 1 has, and a field version 1 does not know. */
    private static String newerFormat(String sid, String principal) {
        return "{\"v\":2,\"id\":\"" + sid + "\",\"randval\":\"" + sid + "\",\"created\":1,\"lastAccess\":1,"
                + "\"idleTimeoutMs\":1,\"deadline\":null,\"principal\":"
                + (principal == null ? "null" : "\"" + principal + "\"") + ",\"version\":1,\"attrs\":{},"
                + "\"keyring\":{\"kid\":3}}";
    }

    /** Writes {@code content} as the file of session {@code sid}, creating its shard folder if needed. */
    Path plant(String sid, String content) {
        return plant(sid, content.getBytes(StandardCharsets.UTF_8));
    }

    Path plant(String sid, byte[] content) {
        Path file = fileOf(sid);
        try {
            Files.createDirectories(file.getParent());
            return Files.write(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The record stored for {@code sid}, decoded straight from its file. */
    SessionRecord record(String sid) {
        try {
            return SessionCodec.decode(Files.readAllBytes(fileOf(sid)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Every file and folder under the store directory, relative to it, except the lock file and the principal
     * index (see {@link #indexEntries()}).
     */
    List<String> entries() {
        List<String> found = new ArrayList<>();
        Path index = dir.resolve(PrincipalIndexFiles.FOLDER);
        try (Stream<Path> all = Files.walk(dir)) {
            all.filter(p -> !p.equals(dir) && !p.getFileName().toString().equals(SessionFileNames.LOCK_FILE)
                    && !p.startsWith(index))
                    .forEach(p -> found.add(dir.relativize(p).toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return found;
    }

    /** Every file and folder of the principal index, relative to the store directory, in order. */
    List<String> indexEntries() {
        List<String> found = new ArrayList<>();
        Path index = dir.resolve(PrincipalIndexFiles.FOLDER);
        if (!Files.exists(index, NOFOLLOW_LINKS)) {
            return found;
        }
        try (Stream<Path> all = Files.walk(index)) {
            all.sorted().forEach(p -> found.add(dir.relativize(p).toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return found;
    }

    /** Names under the store directory that end with {@code suffix}. */
    List<String> entriesEndingWith(String suffix) {
        List<String> found = new ArrayList<>();
        for (String entry : entries()) {
            if (entry.endsWith(suffix)) {
                found.add(entry);
            }
        }
        return found;
    }
}
