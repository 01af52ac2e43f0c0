package dev.satchel.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.SessionManager;
import dev.satchel.SigningKeys;
import dev.satchel.spi.SessionAccess;
import dev.satchel.spi.SessionIds;
import dev.satchel.store.file.FileBackedSessionManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * PHP's own session functions on Satchel's handler ({@code src/test/apps/bridge.php}), where PHP's session
 * module would do otherwise than Satchel: each case against a session the Java side made and then reads.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PhpBridgeIT {

    private static final String COOKIE = "SID";

    private Path dir;
    private SessionManager manager;
    private JavaApp java;
    private AppProcess php;

    @BeforeAll
    void start() {
        byte[] key = new byte[32];
        new SecureRandom().nextBytes(key);
        dir = Tools.newFolder("bridge-");
        manager = FileBackedSessionManager.builder(dir).withoutBackgroundSweeper().build();
        java = JavaApp.start(manager, SigningKeys.of(key), COOKIE);
        php = Language.php("src/test/apps/bridge.php", "file:" + dir, Base64.getEncoder().encodeToString(key), COOKIE);
    }

    @AfterAll
    void stop() {
        if (php != null) {
            php.close();
        }
        if (java != null) {
            java.close();
        }
        if (manager != null) {
            manager.close();
        }
    }

    @Test
    void aNewSessionWhoseFirstDataComesAfterOutputIsNotStored() {
        long before = sessionFiles();
        Browser.Response r = Browser.send(php, "/late", null);
        assertEquals("output first", r.body());
        assertNull(r.setCookie(), "no cookie can be sent any more");
        assertEquals(before, sessionFiles(), "nothing stored that no cookie names");
        Gates.await("the warning is logged", () -> php.logTail().contains(
                "Satchel: a new session got its first data after the response had started"));
    }

    @Test
    void rotatingAfterOutputIsRefusedAndChangesNothing() {
        Browser b = new Browser(COOKIE);
        b.get(java, "/count");
        assertEquals("output first; refused", b.get(php, "/rotate-after-output").body());
        assertEquals("2", b.get(java, "/count").body(), "the old id still works");
    }

    @Test
    void anIdChosenThroughSessionIdIsNeverTaken() {
        String chosen = SessionIds.newId();
        Browser.Response r = Browser.send(php, "/chosen-id?id=" + chosen, null);
        assertNotEquals(chosen, r.body());
        assertNotEquals(chosen, r.cookieValue().substring(0, 22));
        assertTrue(manager.get(chosen).isEmpty());
        Browser victim = new Browser(COOKIE);
        victim.get(java, "/count");
        Browser.Response intruder = Browser.send(php, "/chosen-id?id=" + victim.sid(), null);
        assertNotEquals(victim.sid(), intruder.body(), "an existing id without its cookie is not taken either");
        assertEquals("-", victim.get(java, "/get?name=n").body());
    }

    @Test
    void anObjectIsRefusedWithAClearErrorAndNothingIsWritten() {
        Browser b = new Browser(COOKIE);
        b.get(java, "/count");
        Browser.Response r = b.get(php, "/object");
        assertEquals(500, r.status());
        assertTrue(r.body().contains("InvalidArgumentException: value of attribute 'o' is ArrayObject"), r.body());
        assertEquals("-", b.get(java, "/get?name=o").body());
        assertEquals("1", b.get(java, "/get?name=count").body());
    }

    @Test
    void sessionAbortWritesNothing() {
        Browser b = new Browser(COOKIE);
        b.get(java, "/count");
        assertEquals("aborted", b.get(php, "/abort").body());
        assertEquals("1", b.get(java, "/get?name=count").body());
    }

    @Test
    void regeneratingWithoutDeletingStillKillsTheOldId() {
        Browser b = new Browser(COOKIE);
        b.get(java, "/count");
        String old = COOKIE + "=" + b.cookie();
        Browser.Response r = b.get(php, "/rotate-keeping-old");
        assertEquals(r.body(), b.sid(), "the new id's cookie was sent");
        assertEquals("-", Browser.send(java, "/get?name=count", old).body(), "the old id is dead");
        assertEquals("1", b.get(java, "/get?name=count").body());
    }

    @Test
    void aSecondSessionStartInOneRequestSeesTheFirstsChanges() {
        Browser b = new Browser(COOKIE);
        b.get(java, "/count");
        assertEquals("twice", b.get(php, "/twice").body());
        assertEquals("1", b.get(java, "/get?name=first").body());
        assertEquals("2", b.get(java, "/get?name=second").body());
    }

    @Test
    void emptyingSessionRemovesEveryAttribute() {
        Browser b = new Browser(COOKIE);
        b.get(java, "/count");
        b.get(java, "/inc?name=x");
        assertEquals("emptied", b.get(php, "/empty").body());
        assertEquals("-", b.get(java, "/get?name=count").body());
        assertEquals("-", b.get(java, "/get?name=x").body());
    }

    @Test
    void phpsOwnSessionDestroyIsALogout() {
        Browser b = new Browser(COOKIE);
        b.get(java, "/login?user=zed");
        String cookie = COOKIE + "=" + b.cookie();
        String sid = b.sid();
        Browser.Response r = b.get(php, "/destroy");
        assertEquals("", r.cookieValue(), "the cookie expires");
        assertTrue(manager.get(sid).isEmpty());
        assertEquals("-", Browser.send(java, "/whoami", cookie).body());
    }

    @Test
    void aReadOnlyRequestWritesNothing() {
        Browser b = new Browser(COOKIE);
        b.get(java, "/count");
        long version = SessionAccess.record(manager.get(b.sid()).orElseThrow()).version();
        Browser.Response r = b.get(php, "/read");
        assertEquals("{\"count\":1}", r.body());
        assertNull(r.setCookie());
        assertEquals(version, SessionAccess.record(manager.get(b.sid()).orElseThrow()).version());
    }

    private long sessionFiles() {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(p -> p.toString().endsWith(".json")).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
