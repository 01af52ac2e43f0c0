package dev.satchel.store.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.PrincipalIndex;
import dev.satchel.Session;
import dev.satchel.SessionManager;
import dev.satchel.spi.SessionCodec;
import dev.satchel.spi.SessionRecord;
import dev.satchel.spi.UnreadableEntryException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The principal index with other processes: concurrent writers, and a writer killed in the middle of an update. */
class PrincipalIndexIT {

    private static final int MID_UPDATE_KILLS = 3;
    private static final int MIN_KILLS = 10;
    private static final int MAX_KILLS = 200;

    @TempDir
    Path dir;

    @Test
    void twoProcessesSettingPrincipalsOnDifferentSessionsConcurrentlyKeepTheIndexExact() throws Exception {
        int perProcess = 60;
        int rounds = 25;
        List<List<String>> ids = new ArrayList<>();
        try (SessionManager manager = FileBackedSessionManager.at(dir)) {
            for (int p = 0; p < 2; p++) {
                List<String> mine = new ArrayList<>();
                for (int i = 0; i < perProcess; i++) {
                    Session s = manager.newSession();
                    s.put("i", i);
                    assertTrue(manager.put(s));
                    mine.add(s.id());
                }
                ids.add(mine);
            }
        }
        List<List<String>> commands = new ArrayList<>();
        for (int p = 0; p < 2; p++) {
            Path list = Files.write(dir.resolve("ids-" + p + ".txt"), ids.get(p));
            commands.add(ChildProcess.java(PrincipalWriter.class, "assign", dir.toString(), list.toString(),
                    Integer.toString(rounds)));
        }
        ChildProcess.awaitDone(ChildProcess.startTogether(commands), Duration.ofMinutes(5));

        Map<String, Set<String>> expected = new HashMap<>();
        for (List<String> mine : ids) {
            for (int i = 0; i < mine.size(); i++) {
                String principal = PrincipalWriter.principalOf(i, rounds - 1);
                if (principal != null) {
                    expected.computeIfAbsent(principal, k -> new HashSet<>()).add(mine.get(i));
                }
            }
        }
        IndexFiles index = new IndexFiles(dir);
        try (SessionManager manager = FileBackedSessionManager.at(dir)) {
            PrincipalIndex principals = (PrincipalIndex) manager;
            for (int k = 0; k < 10; k++) {
                String principal = "p" + k;
                Set<String> want = expected.getOrDefault(principal, Set.of());
                assertEquals(want, index.entries(principal), principal + ": exactly its sessions, nothing stale");
                assertEquals(want, ids(principals.findByPrincipal(principal)), principal);
            }
            index.assertEverySessionIndexed("after two concurrent writers");
        }
    }

    /**
     * Kills a writer until it has died at least {@value #MID_UPDATE_KILLS} times in the middle of a principal
     * change — seen as its temporary file holding a new principal while the session file holds another (or is
     * not there yet) — and checks at each such moment that the entry of the new principal is already there and
     * the entry of the old one still is. After every kill, no session with a principal is missing from the
     * index, and find and remove by principal complete.
     */
    @Test
    void aWriterKilledInTheMiddleOfUpdatesLeavesNoSessionMissingAndFindAndRemoveComplete() throws Exception {
        IndexFiles index = new IndexFiles(dir);
        StoreFiles files = new StoreFiles(dir);
        long seed = System.nanoTime();
        Random random = new Random(seed);
        int kills = 0;
        int midChange = 0;
        while (kills < MIN_KILLS || midChange < MID_UPDATE_KILLS) {
            assertTrue(kills < MAX_KILLS, "after " + kills + " kills only " + midChange
                    + " hit a principal change in progress (seed " + seed + ")");
            ChildProcess.killWhileRunning(ChildProcess.java(PrincipalWriter.class, "churn", dir.toString()), "writing",
                    random.nextInt(100));
            kills++;
            String context = "kill " + kills + " (seed " + seed + ")";
            Map<String, String> onDisk = index.principalsOnDisk();
            for (String temp : files.entriesEndingWith(".tmp")) {
                Path tempFile = dir.resolve(temp);
                String sid = SessionFileNames.sessionIdOfBase(tempFile.getFileName().toString().substring(0, 32));
                SessionRecord next = decodedOrNull(Files.readAllBytes(tempFile));
                Files.delete(tempFile);
                if (next == null || next.principal() == null || next.principal().equals(onDisk.get(sid))) {
                    continue; // torn, or no principal change
                }
                midChange++;
                assertTrue(Files.exists(index.entryOf(next.principal(), sid)),
                        context + ": the new principal's entry exists before the session file names it");
                String before = onDisk.get(sid);
                if (before != null) {
                    assertTrue(Files.exists(index.entryOf(before, sid)),
                            context + ": the old principal's entry stays while the session file names it");
                }
            }

            index.assertEverySessionIndexed(context);
            try (SessionManager manager = FileBackedSessionManager.builder(dir).withoutBackgroundSweeper().build()) {
                PrincipalIndex principals = (PrincipalIndex) manager;
                for (String principal : new String[] {"alice", "bob", "carol"}) {
                    Set<String> want = onDisk.entrySet().stream().filter(e -> e.getValue().equals(principal))
                            .map(Map.Entry::getKey).collect(Collectors.toSet());
                    assertEquals(want, ids(principals.findByPrincipal(principal)), context + ": find " + principal);
                    assertEquals(want.size(), principals.removeByPrincipal(principal), context + ": remove " + principal);
                }
            }
            assertEquals(Map.of(), index.principalsOnDisk(), context + ": every session with a principal removed");
        }
        System.out.printf("principal index crash safety: %d kills, %d in the middle of a principal change%n",
                kills, midChange);
    }

    private static SessionRecord decodedOrNull(byte[] document) {
        try {
            return SessionCodec.decode(document);
        } catch (UnreadableEntryException e) {
            return null;
        }
    }

    private static Set<String> ids(List<Session> sessions) {
        return sessions.stream().map(Session::id).collect(Collectors.toSet());
    }
}
