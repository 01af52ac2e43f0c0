package dev.satchel.store.file;

import dev.satchel.Session;
import dev.satchel.SessionManager;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Child process that sets, changes and clears principals, for {@link PrincipalIndexIT}.
 *
 * <ul>
 *   <li>{@code assign DIR IDS ROUNDS}: once a line arrives on standard input, sets the principal of every
 *       session listed in file {@code IDS}, {@code ROUNDS} times over, to {@link #principalOf}; prints
 *       {@code done}.</li>
 *   <li>{@code churn DIR}: creates sessions and changes their principals at random (some removed, some
 *       created), forever; prints {@code writing} after its first principal change. Killed by the test.</li>
 * </ul>
 */
public final class PrincipalWriter {

    /** The principals {@code churn} uses; {@code null} means none. */
    static final String[] CHURN_PRINCIPALS = {"alice", "bob", "carol", null};

    private PrincipalWriter() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[1]);
        try (SessionManager manager = FileBackedSessionManager.builder(dir).withoutBackgroundSweeper().build()) {
            if (args[0].equals("assign")) {
                assign(manager, Files.readAllLines(Path.of(args[2])), Integer.parseInt(args[3]));
            } else {
                churn(manager);
            }
        }
    }

    /** What {@code assign} leaves as the principal of the {@code i}th session after round {@code round}. */
    static String principalOf(int i, int round) {
        int k = (i + round) % 11;
        return k == 10 ? null : "p" + k;
    }

    private static void assign(SessionManager manager, List<String> ids, int rounds) throws Exception {
        System.out.println("ready");
        System.out.flush();
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
        for (int round = 0; round < rounds; round++) {
            for (int i = 0; i < ids.size(); i++) {
                Session s = manager.get(ids.get(i)).orElseThrow(() -> new AssertionError("session vanished"));
                s.setPrincipal(principalOf(i, round));
                if (!manager.put(s)) {
                    throw new AssertionError("put refused");
                }
            }
        }
        System.out.println("done");
    }

    private static void churn(SessionManager manager) {
        Random random = new Random();
        List<String> mine = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            mine.add(created(manager, random));
        }
        for (boolean announced = false; ; ) {
            int pick = random.nextInt(mine.size());
            if (random.nextInt(10) == 0) {
                manager.remove(mine.get(pick));
                mine.set(pick, created(manager, random));
            } else {
                Session s = manager.get(mine.get(pick)).orElseThrow(() -> new AssertionError("session vanished"));
                s.setPrincipal(CHURN_PRINCIPALS[random.nextInt(CHURN_PRINCIPALS.length)]);
                s.put("n", random.nextInt());
                if (!manager.put(s)) {
                    throw new AssertionError("put refused");
                }
            }
            if (!announced) {
                System.out.println("writing");
                System.out.flush();
                announced = true;
            }
        }
    }

    private static String created(SessionManager manager, Random random) {
        Session s = manager.newSession();
        s.put("n", 0);
        s.setPrincipal(CHURN_PRINCIPALS[random.nextInt(CHURN_PRINCIPALS.length)]);
        if (!manager.put(s)) {
            throw new AssertionError("put refused");
        }
        return s.id();
    }
}
