package dev.satchel.store.file;

import dev.satchel.SessionManager;
import dev.satchel.spi.StoreSessionManager;
import dev.satchel.testkit.SessionManagerContract;
import dev.satchel.testkit.StoreBackdoor;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.io.TempDir;

/**
 * The contract, over real files with the default settings (directory handles, {@code fsync} of data),
 * principal index cases included. The backdoor looks at the files themselves.
 */
class FileBackedSessionManagerTest extends SessionManagerContract {

    @TempDir
    Path dir;

    private StoreFiles files;

    @Override
    protected SessionManager createManager(Clock clock) {
        files = new StoreFiles(dir) {
            @Override
            public int sweepExpired() {
                return StoreSessionManager.sweepNow(manager);
            }
        };
        return configure(FileBackedSessionManager.builder(dir).clock(clock).withoutBackgroundSweeper()).build();
    }

    /** Another manager over the same directory, as another node on this host (or another process) has. */
    @Override
    protected SessionManager createSecondManager(Clock clock) {
        return configure(FileBackedSessionManager.builder(dir).clock(clock).withoutBackgroundSweeper()).build();
    }

    /** Settings beyond the clock and the sweeper; the defaults here. */
    FileBackedSessionManager.Builder configure(FileBackedSessionManager.Builder builder) {
        return builder;
    }

    @Override
    protected StoreBackdoor backdoor() {
        return files;
    }
}
