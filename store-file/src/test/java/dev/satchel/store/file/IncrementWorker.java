package dev.satchel.store.file;

import dev.satchel.SessionManager;
import dev.satchel.Session;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Child process: increments one attribute of one session {@code count} times, each a get and a put of its
 * own, once a line arrives on standard input (so two workers start together).
 * Arguments: store directory, session id, attribute name, count.
 */
public final class IncrementWorker {

    private IncrementWorker() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        String sid = args[1];
        String attribute = args[2];
        int count = Integer.parseInt(args[3]);
        try (SessionManager manager = FileBackedSessionManager.builder(dir)
                .fsync(FileBackedSessionManager.Fsync.NONE).withoutBackgroundSweeper().build()) {
            System.out.println("ready");
            System.out.flush();
            new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
            for (int i = 0; i < count; i++) {
                Session s = manager.get(sid).orElseThrow(() -> new AssertionError("session vanished"));
                Integer n = s.get(attribute, Integer.class);
                s.put(attribute, n == null ? 1 : n + 1);
                s.put("last-writer", attribute); // one attribute both write: the later put wins, nothing else lost
                if (!manager.put(s)) {
                    throw new AssertionError("put refused");
                }
            }
        }
        System.out.println("done");
    }
}
