package dev.satchel.store.file;

import dev.satchel.SessionManager;
import dev.satchel.Session;
import dev.satchel.SessionStoreException;
import dev.satchel.SessionStoreUnavailableException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * Child process run with a tiny {@code tmpfs} mounted on the store directory, in a mount namespace of its
 * own (see {@link PrivateMounts}). Arguments: {@code full-disk} or {@code read-only}, store directory.
 * Prints what it saw and {@code OK}; any failed check ends it with an exception and a non-zero status.
 */
public final class TinyFileSystemScenarios {

    private static final String BLOB = "x".repeat(3000);

    private TinyFileSystemScenarios() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[1]);
        if (args[0].equals("full-disk")) {
            fullDisk(dir);
        } else {
            readOnly(dir);
        }
        System.out.println("OK");
    }

    private static void fullDisk(Path dir) throws Exception {
        try (SessionManager manager = FileBackedSessionManager.builder(dir).withoutBackgroundSweeper().build()) {
            List<String> stored = new ArrayList<>();
            SessionStoreException failure = null;
            while (failure == null && stored.size() < 10_000) {
                Session s = manager.newSession();
                s.put("i", stored.size());
                s.put("blob", BLOB);
                try {
                    check(manager.put(s), "put refused");
                    stored.add(s.id());
                } catch (SessionStoreException e) {
                    failure = e;
                }
            }
            check(failure != null, "the file system never filled up");
            check(failure.getClass() == SessionStoreException.class, "a full disk is a store failure: " + failure);
            check(failure.getMessage().contains("No space left on device"), "the message says why: " + failure);
            check(failure.getCause() != null, "the cause is attached");
            System.out.println("full disk after " + stored.size() + " sessions: " + failure.getMessage());

            for (int i = 0; i < stored.size(); i++) {
                Session s = manager.get(stored.get(i)).orElseThrow();
                check(s.get("i", Integer.class) == i && BLOB.equals(s.get("blob")), "session " + i + " is intact");
            }
            Session grown = manager.get(stored.get(0)).orElseThrow();
            grown.put("blob", "y".repeat(200_000));
            try {
                manager.put(grown);
                check(false, "a change that cannot fit was stored");
            } catch (SessionStoreException expected) {
                check(BLOB.equals(manager.get(stored.get(0)).orElseThrow().get("blob")), "the old record stays");
            }
            check(files(dir, ".tmp").isEmpty(), "no temporary file is left behind: " + files(dir, ".tmp"));

            for (int i = 0; i < stored.size(); i += 2) {
                manager.remove(stored.get(i));
            }
            Session after = manager.newSession();
            after.put("blob", BLOB);
            check(manager.put(after), "writes work again once space is freed");
        }
    }

    @SuppressWarnings("try") // a resource held for its block, never referenced in it
    private static void readOnly(Path dir) throws Exception {
        String sid;
        try (SessionManager manager = FileBackedSessionManager.builder(dir).withoutBackgroundSweeper().build()) {
            Session s = manager.newSession();
            s.put("a", 1);
            check(manager.put(s), "put refused");
            sid = s.id();
        }
        // A read-only view of the directory mounted over it (a read-only bind mount: unlike remounting the file
        // system itself, allowed in an unprivileged user namespace too).
        mount("--bind", dir.toString(), dir.toString());
        mount("-o", "remount,bind,ro", dir.toString());
        try (SessionManager refused = FileBackedSessionManager.at(dir)) {
            check(false, "started on a read-only directory");
        } catch (SessionStoreUnavailableException e) {
            check(e.getMessage().contains(dir.toString()) && e.getMessage().contains("not writable"),
                    "the message names the directory and the problem: " + e.getMessage());
            System.out.println("start on read-only directory: " + e.getMessage());
        }
        mount("-o", "remount,bind,rw", dir.toString());

        // Read-only while running. Linux refuses to make a mount read-only while a file on it is open for writing,
        // as a running manager's lock file is, so the read-only view goes on top: a manager reaching its files by
        // path (the fallback for platforms without directory handles) writes through it, while its lock file
        // stays open on the writable mount underneath.
        FileBackedSessionManager.Builder byPath = FileBackedSessionManager.builder(dir).withoutBackgroundSweeper();
        byPath.secureFolders = false;
        try (SessionManager manager = byPath.build()) {
            mount("--bind", dir.toString(), dir.toString());
            mount("-o", "remount,bind,ro", dir.toString());
            Session copy = manager.get(sid).orElseThrow();
            copy.put("a", 2);
            try {
                manager.put(copy);
                check(false, "a write to a read-only file system succeeded");
            } catch (SessionStoreUnavailableException e) {
                check(e.getMessage().contains("Read-only file system"), "the message says why: " + e.getMessage());
                System.out.println("write while read-only: " + e.getMessage());
            }
            check(manager.get(sid).orElseThrow().get("a", Integer.class) == 1, "reads still work");
        }
    }

    private static void mount(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("mount"));
        command.addAll(List.of(args));
        Process mount = new ProcessBuilder(command).inheritIO().start();
        check(mount.waitFor(30, TimeUnit.SECONDS) && mount.exitValue() == 0, String.join(" ", command));
    }

    private static List<String> files(Path dir, String suffix) throws Exception {
        try (Stream<Path> all = Files.walk(dir)) {
            return all.map(Path::toString).filter(name -> name.endsWith(suffix)).collect(Collectors.toList());
        }
    }

    private static void check(boolean condition, String what) {
        if (!condition) {
            throw new AssertionError(what);
        }
    }
}
