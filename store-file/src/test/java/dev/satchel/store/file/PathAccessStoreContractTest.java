package dev.satchel.store.file;

/**
 * The store contract again, through the path-based folder access that platforms without
 * {@link java.nio.file.SecureDirectoryStream} (Windows) use, and with {@code fsync} off.
 */
class PathAccessStoreContractTest extends FileSessionStoreTest {

    @Override
    FileBackedSessionManager.Builder configure(FileBackedSessionManager.Builder builder) {
        builder.secureFolders = false;
        return builder.fsync(FileBackedSessionManager.Fsync.NONE);
    }
}
