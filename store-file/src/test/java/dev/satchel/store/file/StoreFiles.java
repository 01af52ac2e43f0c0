package dev.satchel.store.file;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;

import dev.satchel.spi.SessionCodec;
import dev.satchel.spi.SessionRecord;
import dev.satchel.testkit.StoreBackdoor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The files of a store directory, read and written directly, bypassing the manager: the contract's backdoor
 * and the store tests' way to plant and inspect files.
 */
class StoreFiles implements StoreBackdoor {

    final Path dir;

    StoreFiles(Path dir) {
        this.dir = dir;
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

    /** Every file and folder under the store directory, relative to it, the lock file excepted. */
    List<String> entries() {
        List<String> found = new ArrayList<>();
        try (Stream<Path> all = Files.walk(dir)) {
            all.filter(p -> !p.equals(dir) && !p.getFileName().toString().equals(SessionFileNames.LOCK_FILE))
                    .forEach(p -> found.add(dir.relativize(p).toString()));
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
