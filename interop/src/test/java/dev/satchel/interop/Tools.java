package dev.satchel.interop;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The other languages' interpreters and this module's folders. A missing interpreter or extension fails the
 * test with what to install: nothing is skipped.
 */
final class Tools {

    /** The interop folder: {@code php/}, {@code python/}, {@code redis/}, {@code src/test/apps/}. */
    static final Path INTEROP = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().normalize();
    /** Where tests keep their data and logs. */
    static final Path TARGET = INTEROP.resolve("target");

    private static String python;
    private static String phpExtensions;

    private Tools() {}

    /**
     * A Python 3.11+ that has psycopg2: Debian's {@code /usr/bin/python3} first (where apt installs
     * python3-psycopg2), then {@code python3} on the PATH (which may be a build without apt's packages).
     */
    static synchronized String python() {
        if (python == null) {
            List<String> tried = new ArrayList<>();
            for (String candidate : List.of("/usr/bin/python3", "python3")) {
                tried.add(candidate);
                if (run(candidate, "-c", "import sys, psycopg2; sys.exit(0 if sys.version_info >= (3, 11) else 1)") == 0) {
                    python = candidate;
                    return python;
                }
            }
            throw new AssertionError("No Python 3.11+ with psycopg2 found (tried " + String.join(", ", tried)
                    + "): install python3 and python3-psycopg2 (Debian), as .ci/run does");
        }
        return python;
    }

    /** {@code php}, checked to be 8.2+ with {@code extensions} loaded. */
    static synchronized String php(String... extensions) {
        if (phpExtensions == null) {
            Path out = TARGET.resolve("php-extensions.txt");
            int status = runTo(out, "php", "-r",
                    "echo PHP_VERSION_ID >= 80200 ? 'ok' : 'old', ' ', implode(' ', get_loaded_extensions());");
            String text = read(out);
            if (status != 0 || !text.startsWith("ok ")) {
                throw new AssertionError("PHP 8.2+ is required on the PATH as php (" + (status != 0 ? "not runnable"
                        : "too old") + "): install php-cli (Debian), as .ci/run does");
            }
            phpExtensions = " " + text.substring(3).toLowerCase() + " ";
        }
        for (String extension : extensions) {
            if (!phpExtensions.contains(" " + extension + " ")) {
                throw new AssertionError("PHP lacks the " + extension + " extension: install php-" + extension
                        + " (Debian), as .ci/run does");
            }
        }
        return "php";
    }

    /** A port free on 127.0.0.1 now. */
    static int freePort() {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A new empty folder under target/. */
    static Path newFolder(String prefix) {
        try {
            Files.createDirectories(TARGET);
            return Files.createTempDirectory(TARGET, prefix);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String read(Path file) {
        try {
            return Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(" + e + ")";
        }
    }

    /** The exit status of {@code command}, or -1 if it cannot be started. */
    private static int run(String... command) {
        return runTo(null, command);
    }

    static int runTo(Path output, String... command) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            if (output != null) {
                Files.createDirectories(output.getParent());
                pb.redirectOutput(output.toFile());
            } else {
                pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
            }
            Process p = pb.start();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return -1;
            }
            return p.exitValue();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }
}
