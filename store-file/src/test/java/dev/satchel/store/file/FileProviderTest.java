package dev.satchel.store.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.PrincipalIndex;
import dev.satchel.Session;
import dev.satchel.SessionManager;
import dev.satchel.SessionManagers;
import dev.satchel.spi.StoreMetrics;
import dev.satchel.testkit.MutableClock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** {@code file:} URIs through {@link SessionManagers}: the forms, the settings, and what is refused. */
class FileProviderTest {

    @TempDir
    Path tmp;

    private final MutableClock clock = MutableClock.startingNow();

    @Test
    void theFileSchemeIsKnownAndOpensAFileStoreWithTheCallersClockAndMetrics() {
        assertTrue(SessionManagers.schemes().contains("file"), SessionManagers.schemes().toString());
        Path dir = tmp.resolve("a b+c");
        List<StoreMetrics.Operation> reported = new CopyOnWriteArrayList<>();
        try (SessionManager manager = SessionManagers.open("file://" + dir.toUri().getRawPath() + "?sweepInterval=PT0S",
                clock, (op, outcome, nanos) -> reported.add(op))) {
            Session s = manager.newSession();
            s.setPrincipal("alice");
            s.setIdleTimeout(Duration.ofMinutes(1));
            assertTrue(manager.put(s));
            assertTrue(new StoreFiles(dir).isStored(s.id()), "a space (%20) and a plus decoded as a path");
            assertEquals(1, ((PrincipalIndex) manager).findByPrincipal("alice").size());
            clock.advance(Duration.ofMinutes(2));
            assertFalse(manager.exists(s.id()), "the caller's clock");
            assertTrue(reported.contains(StoreMetrics.Operation.CREATE), reported.toString());
            assertEquals(List.of(), sweeperThreads(), "sweepInterval=PT0S: no background sweeper");
        }
    }

    @Test
    void aPathWithoutSlashesIsRelativeAndSettingsAreApplied() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("rel"));
        String relative = Path.of("").toAbsolutePath().relativize(dir).toString();
        try (SessionManager manager = SessionManagers.open("file:" + relative + "?fsync=none&lockTimeout=PT1S", clock)) {
            Session s = manager.newSession();
            s.put("a", 1);
            assertTrue(manager.put(s));
            assertTrue(new StoreFiles(dir).isStored(s.id()));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"file:", "file://", "file://elsewhere/var/sessions", "file://user@localhost/x",
        "file:/tmp/x#frag", "file:/tmp/x?unknown=1", "file:/tmp/x?fsync=always", "file:/tmp/x?fsync=none&fsync=data",
        "file:/tmp/x?sweepInterval=5", "file:/tmp/x?lockTimeout=PT0S", "file:/tmp/x?sweepInterval=-PT1S",
        "file:/tmp/bad%zzescape"})
    void malformedUrisAndSettingsAreRefused(String uri) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SessionManagers.open(uri, clock));
        assertFalse(e.getMessage().contains("user@"), e.getMessage());
    }

    private static List<String> sweeperThreads() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(n -> n.equals("satchel-sweeper-file")).collect(Collectors.toList());
    }
}
