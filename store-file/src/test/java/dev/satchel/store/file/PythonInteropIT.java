package dev.satchel.store.file;

import dev.satchel.SessionManager;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.PrincipalIndex;
import dev.satchel.Session;
import dev.satchel.SessionStoreTimeoutException;
import dev.satchel.spi.SessionAccess;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Python, with its standard library only ({@code satchel_session.py}, the code the README shows), reads a
 * session file the Java store wrote, changes it, writes a new session, and takes the same locks.
 */
class PythonInteropIT {

    private static Path script;

    @TempDir
    Path dir;

    @BeforeAll
    static void findPython() throws Exception {
        assertTrue(pythonAvailable(), "python3 is not installed: apt-get install python3 (.ci/run installs it)");
        script = Path.of(PythonInteropIT.class.getResource("/satchel_session.py").toURI());
    }

    @Test
    void pythonChangesAJavaSessionAndWritesOneJavaReads() throws Exception {
        try (SessionManager manager = open(Duration.ofSeconds(10))) {
            Session s = manager.newSession();
            s.put("count", 41);
            s.put("name", "Zoë 😀 \"quoted\"");
            s.put("exact", (1L << 53) + 1);
            s.put("cart", List.of(Map.of("sku", "A-1", "qty", 2)));
            s.setPrincipal("alice");
            assertTrue(manager.put(s));

            python("modify", dir.toString(), s.id());
            Session changed = manager.get(s.id()).orElseThrow();
            assertEquals(42, changed.get("count"));
            assertEquals("python", changed.get("from"));
            assertEquals("Zoë 😀 \"quoted\"", changed.get("name"), "untouched attributes survive the round trip");
            assertEquals((1L << 53) + 1, changed.get("exact", Long.class));
            assertEquals(List.of(Map.of("sku", "A-1", "qty", 2)), changed.get("cart"));
            assertEquals("alice", changed.principal().orElseThrow());
            assertEquals(SessionAccess.record(s).version() + 1, SessionAccess.record(changed).version());

            String created = python("create", dir.toString()).trim();
            Session fromPython = manager.get(created).orElseThrow();
            assertEquals("hej från Python 🐍", fromPython.get("greeting"));
            assertEquals(Arrays.asList(1, 2.5, null, true), fromPython.get("numbers"));
            assertEquals(Long.MAX_VALUE, fromPython.get("big", Long.class));
            assertEquals("rw-------", java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(new StoreFiles(dir).fileOf(created))));

            fromPython.put("reply", "from Java");
            assertTrue(manager.put(fromPython), "Java merges into a session Python wrote");
            assertTrue(python("show", dir.toString(), created).contains("\"reply\": \"from Java\""));
        }
    }

    @Test
    void aLockPythonHoldsKeepsJavaWritersOut() throws Exception {
        try (SessionManager manager = open(Duration.ofMillis(300))) {
            Session s = manager.newSession();
            s.put("count", 1);
            assertTrue(manager.put(s));
            Session copy = manager.get(s.id()).orElseThrow();
            copy.put("count", 2);
            Process holder = new ProcessBuilder("python3", script.toString(), "hold", dir.toString(), s.id())
                    .redirectErrorStream(true).start();
            try {
                BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
                assertEquals("locked", out.readLine());
                assertThrows(SessionStoreTimeoutException.class, () -> manager.put(copy));
                holder.getOutputStream().write('\n');
                holder.getOutputStream().flush();
                assertTrue(holder.waitFor(30, TimeUnit.SECONDS));
            } finally {
                holder.destroyForcibly();
            }
            assertTrue(manager.put(copy));
        }
    }

    @Test
    void pythonKeepsThePrincipalIndexRight() throws Exception {
        try (SessionManager manager = open(Duration.ofSeconds(10))) {
            PrincipalIndex index = (PrincipalIndex) manager;
            Session s = manager.newSession();
            s.put("a", 1);
            s.setPrincipal("alice");
            assertTrue(manager.put(s));
            String fromPython = python("create", dir.toString(), "Zoë 😀").trim();
            assertEquals(Set.of(fromPython), ids(index.findByPrincipal("Zoë 😀")), "Python indexed its new session");

            python("login", dir.toString(), s.id(), "Zoë 😀");
            assertEquals(Set.of(fromPython, s.id()), ids(index.findByPrincipal("Zoë 😀")));
            assertEquals(Set.of(), ids(index.findByPrincipal("alice")));
            String alice = PrincipalIndexFiles.hashOf("alice");
            assertFalse(Files.exists(dir.resolve("principals").resolve(alice.substring(0, 2)).resolve(alice)),
                    "Python removed alice's entry and her emptied folder");

            python("login", dir.toString(), fromPython, "-");
            assertEquals(Set.of(s.id()), ids(index.findByPrincipal("Zoë 😀")));
            python("remove", dir.toString(), s.id());
            assertEquals(Set.of(), ids(index.findByPrincipal("Zoë 😀")));
            assertEquals(List.of("principals", "principals/2b",
                    "principals/" + PrincipalIndexFiles.hashOf("Zoë 😀").substring(0, 2), "principals/complete"),
                    new StoreFiles(dir).indexEntries(),
                    "nothing stale left: Python removed each entry after the session stopped naming the principal");
            assertTrue(manager.exists(fromPython));
        }
    }

    private static Set<String> ids(List<Session> sessions) {
        return sessions.stream().map(Session::id).collect(Collectors.toSet());
    }

    private SessionManager open(Duration lockTimeout) {
        return FileBackedSessionManager.builder(dir).withoutBackgroundSweeper().lockTimeout(lockTimeout).build();
    }

    private static String python(String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("python3", script.toString()));
        command.addAll(List.of(args));
        return ChildProcess.run(command, Duration.ofMinutes(1));
    }

    private static boolean pythonAvailable() {
        try {
            Process p = new ProcessBuilder("python3", "--version").redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (Exception e) {
            return false;
        }
    }
}
