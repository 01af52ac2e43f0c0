package dev.satchel.interop;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.SessionManager;
import dev.satchel.store.file.FileBackedSessionManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The shared session on the file store: the Java side's {@link FileBackedSessionManager}, PHP's and Python's
 * file stores, one directory, one lock file, one principal index (checked here entry by entry).
 */
class FileStoreInteropIT extends SharedSessionScenarios {

    private Path dir;
    private SessionManager manager;

    @Override
    void startStore() {
        dir = Tools.newFolder("file-store-");
        manager = FileBackedSessionManager.builder(dir).withoutBackgroundSweeper().build();
    }

    @Override
    SessionManager manager() {
        return manager;
    }

    @Override
    String storeSpec() {
        return "file:" + dir;
    }

    @Override
    void plantNewerFormat(String sid, String randval) {
        long now = System.currentTimeMillis();
        write(sid, "{\"v\":2,\"id\":\"" + sid + "\",\"randval\":\"" + randval + "\",\"created\":" + now
                + ",\"lastAccess\":" + now + ",\"idleTimeoutMs\":3600000,\"deadline\":null,\"principal\":null,"
                + "\"version\":1,\"attrs\":{\"count\":41},\"something\":\"new\"}");
    }

    @Override
    void plantCorrupt(String sid) {
        write(sid, "{\"v\":1,\"id\":");
    }

    @Override
    String rawEntry(String sid) {
        Path file = file(sid);
        try {
            return Files.exists(file) ? Files.readString(file, StandardCharsets.UTF_8) : null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    void stopStore() {
        if (manager != null) {
            manager.close();
        }
    }

    @ParameterizedTest
    @EnumSource(Language.class)
    void aLogoutOnTheOtherSideTakesTheSessionOutOfTheIndexFiles(Language language) {
        Browser b = new Browser(COOKIE);
        b.get(java, "/count");
        String user = "erin-" + language;
        b.get(java, "/login?user=" + user);
        Path entry = indexEntry(user, b.sid());
        assertTrue(Files.isRegularFile(entry), "the Java side's login made the entry");
        assertEquals("bye", b.get(other(language), "/logout").body());
        assertFalse(Files.exists(entry), "the other side's logout removed it");
        assertFalse(Files.exists(entry.getParent()), "and the emptied principal folder");
    }

    private Path indexEntry(String principal, String sid) {
        String h;
        try {
            h = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(principal.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
        return dir.resolve("principals").resolve(h.substring(0, 2)).resolve(h)
                .resolve(HexFormat.of().formatHex(Base64.getUrlDecoder().decode(sid)));
    }

    private void write(String sid, String content) {
        try {
            Files.createDirectories(file(sid).getParent());
            Files.writeString(file(sid), content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private Path file(String sid) {
        String hex = HexFormat.of().formatHex(Base64.getUrlDecoder().decode(sid));
        return dir.resolve(hex.substring(0, 2)).resolve(hex + ".json");
    }
}
