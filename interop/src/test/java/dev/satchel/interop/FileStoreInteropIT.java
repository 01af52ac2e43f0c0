package dev.satchel.interop;

import dev.satchel.SessionManager;
import dev.satchel.store.file.FileBackedSessionManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import java.util.Base64;

/**
 * The shared session on the file store: the Java side's {@link FileBackedSessionManager}, PHP's and Python's
 * file stores, one directory, one lock file. Other languages may not log in here (the principal index has no
 * defined format yet): that is tested to be refused.
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
    boolean otherSideMayChangePrincipal() {
        return false;
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
