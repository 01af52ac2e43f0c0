package dev.satchel.store.caching;

import dev.satchel.SessionManager;
import dev.satchel.spi.StoreSessionManager;
import dev.satchel.store.file.FileBackedSessionManager;
import dev.satchel.testkit.SessionManagerContract;
import dev.satchel.testkit.StoreBackdoor;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Base64;
import java.util.HexFormat;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cache over real session files passes the whole contract. The backdoor works on the files
 * themselves, by the file store's documented layout ({@code <dir>/<2 hex>/<32 hex>.json}, the hex of the
 * id's 16 bytes), so a corrupt file planted behind the cache must read as absent through it.
 */
class CachingOverFileTest extends SessionManagerContract {

    @TempDir
    Path dir;

    private SessionManager files;

    @Override
    protected SessionManager createManager(Clock clock) {
        files = FileBackedSessionManager.builder(dir).clock(clock).withoutBackgroundSweeper().build();
        return CachingSessionManager.over(files).clock(clock).build();
    }

    @Override
    protected StoreBackdoor backdoor() {
        return new StoreBackdoor() {
            @Override
            public boolean isStored(String sid) {
                return Files.exists(fileOf(sid));
            }

            @Override
            public boolean plantCorrupt(String sid) {
                Path file = fileOf(sid);
                try {
                    Files.createDirectories(file.getParent());
                    Files.writeString(file, "{\"v\":1,\"id\":", StandardCharsets.UTF_8);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
                return true;
            }

            @Override
            public int sweepExpired() {
                return StoreSessionManager.sweepNow(files);
            }
        };
    }

    private Path fileOf(String sid) {
        String hex = HexFormat.of().formatHex(Base64.getUrlDecoder().decode(sid));
        return dir.resolve(hex.substring(0, 2)).resolve(hex + ".json");
    }
}
