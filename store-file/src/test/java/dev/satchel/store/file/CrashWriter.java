package dev.satchel.store.file;

import dev.satchel.SessionManager;
import dev.satchel.Session;
import java.nio.file.Path;

/**
 * Child process: rewrites one session in a tight loop until killed. Version {@code n} of the session holds
 * {@code n} and {@link #payload(int) payload(n)}, so a torn or mixed record cannot pass for a written one.
 * Prints {@code writing} after its first write. Arguments: store directory, session id, fsync mode.
 */
public final class CrashWriter {

    private CrashWriter() {}

    public static void main(String[] args) {
        Path dir = Path.of(args[0]);
        String sid = args[1];
        FileBackedSessionManager.Fsync mode = FileBackedSessionManager.Fsync.valueOf(args[2]);
        try (SessionManager manager = FileBackedSessionManager.builder(dir).fsync(mode)
                .withoutBackgroundSweeper().build()) {
            for (boolean announced = false; ; ) {
                Session s = manager.get(sid).orElseThrow(() -> new AssertionError("session vanished"));
                int n = s.get("n", Integer.class) + 1;
                s.put("n", n);
                s.put("payload", payload(n));
                if (!manager.put(s)) {
                    throw new AssertionError("put refused");
                }
                if (!announced) {
                    System.out.println("writing");
                    System.out.flush();
                    announced = true;
                }
            }
        }
    }

    /** The payload of version {@code n}: 2 to 34 KB of text that names {@code n}, its length depending on n. */
    static String payload(int n) {
        String unit = "version " + n + ";";
        int size = 2048 + (int) ((n * 7919L) % 32768);
        StringBuilder b = new StringBuilder(size + unit.length());
        while (b.length() < size) {
            b.append(unit);
        }
        return b.toString();
    }
}
