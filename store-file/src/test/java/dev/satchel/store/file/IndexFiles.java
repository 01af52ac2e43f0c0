package dev.satchel.store.file;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.spi.SessionCodec;
import dev.satchel.spi.SessionRecord;
import dev.satchel.spi.UnreadableEntryException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The principal index of a store directory, read directly by its documented layout, and the invariant every
 * writer keeps: each readable session file that names a principal has its entry.
 */
final class IndexFiles {

    private final Path dir;

    IndexFiles(Path dir) {
        this.dir = dir;
    }

    /** The folder of {@code principal}'s entries. */
    Path folderOf(String principal) {
        String hash = PrincipalIndexFiles.hashOf(principal);
        return dir.resolve(PrincipalIndexFiles.FOLDER).resolve(hash.substring(0, 2)).resolve(hash);
    }

    /** The entry of session {@code sid} under {@code principal}. */
    Path entryOf(String principal, String sid) {
        return folderOf(principal).resolve(SessionFileNames.baseName(sid));
    }

    /** The session ids that have an entry under {@code principal}, stale ones included. */
    Set<String> entries(String principal) {
        Set<String> ids = new HashSet<>();
        try (Stream<Path> all = Files.list(folderOf(principal))) {
            all.forEach(p -> ids.add(SessionFileNames.sessionIdOfBase(p.getFileName().toString())));
        } catch (NoSuchFileException e) {
            return ids;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return ids;
    }

    /** Every readable session file's principal, by session id (sessions without one left out). */
    Map<String, String> principalsOnDisk() {
        Map<String, String> found = new HashMap<>();
        List<Path> sessionFiles = new ArrayList<>();
        try (Stream<Path> all = Files.walk(dir, 2)) {
            all.filter(p -> SessionFileNames.sessionIdOf(p.getFileName().toString()) != null).forEach(sessionFiles::add);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (Path file : sessionFiles) {
            try {
                SessionRecord r = SessionCodec.decode(Files.readAllBytes(file));
                if (r.principal() != null) {
                    found.put(r.id(), r.principal());
                }
            } catch (NoSuchFileException e) {
                // deleted meanwhile
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            } catch (UnreadableEntryException e) {
                // not a session this code can read
            }
        }
        return found;
    }

    /** Asserts the invariant: every session on disk with a principal has its index entry. */
    void assertEverySessionIndexed(String context) {
        for (Map.Entry<String, String> session : principalsOnDisk().entrySet()) {
            assertTrue(Files.exists(entryOf(session.getValue(), session.getKey()), NOFOLLOW_LINKS),
                    context + ": a session of " + session.getValue() + " is missing from the index");
        }
    }
}
