package dev.satchel.store.file;

import dev.satchel.spi.SessionStore;
import dev.satchel.testkit.SessionStoreContract;
import dev.satchel.testkit.StoreBackdoor;
import java.nio.file.Path;
import java.time.Clock;
import org.junit.jupiter.api.io.TempDir;

/** The store contract, on the SPI directly, over real files with the default settings; the backdoor reads the files. */
class FileSessionStoreTest extends SessionStoreContract {

    @TempDir
    Path dir;

    private StoreFiles files;

    @Override
    protected SessionStore createStore(Clock clock) {
        files = new StoreFiles(dir);
        return configure(FileBackedSessionManager.builder(dir)).openStore(clock);
    }

    /** Settings of the store under test; the defaults here. */
    FileBackedSessionManager.Builder configure(FileBackedSessionManager.Builder builder) {
        return builder;
    }

    @Override
    protected StoreBackdoor backdoor() {
        return files;
    }
}
