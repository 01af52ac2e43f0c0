package dev.satchel.store.file;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Runs a command in a private mount namespace ({@code unshare}), where it may mount a tiny {@code tmpfs}
 * that nobody else sees and that disappears with the process — as root directly, otherwise through an
 * unprivileged user namespace when the kernel allows one.
 */
final class PrivateMounts {

    private static final List<List<String>> CANDIDATES = List.of(
            List.of("unshare", "--mount", "--"),
            List.of("unshare", "--user", "--map-root-user", "--mount", "--"));

    private static Optional<List<String>> prefix;

    private PrivateMounts() {}

    /** The command prefix that gives a private mount namespace, or empty when none can be had here. */
    static synchronized Optional<List<String>> prefix() {
        if (prefix == null) {
            prefix = Optional.empty();
            for (List<String> candidate : CANDIDATES) {
                if (works(candidate)) {
                    prefix = Optional.of(candidate);
                    break;
                }
            }
        }
        return prefix;
    }

    /** Why {@link #prefix()} is empty, for a skipped test's message. */
    static String whyUnavailable() {
        return "no private mount namespace here (needs root or unprivileged user namespaces, and unshare(1)),"
                + " so no tiny file system can be mounted";
    }

    /**
     * {@code command}, run with a fresh {@code tmpfs} of {@code size} (e.g. {@code "256k"}) mounted on
     * {@code dir}, which must exist.
     */
    static List<String> withTmpfs(Path dir, String size, List<String> command) {
        List<String> full = new ArrayList<>(prefix().orElseThrow());
        full.add("sh");
        full.add("-c");
        full.add("mount -t tmpfs -o size=" + size + ",mode=0700 tmpfs \"$0\" && exec \"$@\"");
        full.add(dir.toString());
        full.addAll(command);
        return full;
    }

    private static boolean works(List<String> candidate) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("satchel-mount-probe");
            List<String> command = new ArrayList<>(candidate);
            command.addAll(List.of("sh", "-c", "mount -t tmpfs -o size=64k tmpfs \"$0\"", dir.toString()));
            Process p = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            if (dir != null) {
                try {
                    Files.deleteIfExists(dir);
                } catch (IOException e) {
                    // a temp directory left behind
                }
            }
        }
    }
}
