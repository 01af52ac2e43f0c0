package dev.satchel.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Where the file benchmarks write: a new folder under {@code -Dsatchel.bench.dir} (the run script points it
 * at {@code benchmarks/target/bench-data}, on the project's disk), else under the temporary directory. Every
 * file implementation of one run writes to the same disk.
 */
final class Scratch {

    static final String DIR_PROPERTY = "satchel.bench.dir";

    private Scratch() {}

    /** A new, empty folder named after {@code what}. */
    static Path newDir(String what) {
        try {
            String base = System.getProperty(DIR_PROPERTY);
            if (base == null || base.isEmpty()) {
                return Files.createTempDirectory("satchel-bench-" + what);
            }
            Path parent = Paths.get(base);
            Files.createDirectories(parent);
            return Files.createTempDirectory(parent, what + "-");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Deletes {@code dir} and everything under it. */
    static void delete(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.reverseOrder())::iterator) {
                Files.deleteIfExists(p);
            }
        }
    }
}
