package dev.satchel.benchmarks;

import dev.satchel.store.file.FileBackedSessionManager.Fsync;
import dev.satchel.store.file.FileBackedSessionManager;
import java.nio.file.Path;
import java.util.Locale;
import org.openjdk.jmh.annotations.Param;

/**
 * The file store at each fsync level next to Tomcat's {@code FileStore} on the same disk: {@code get},
 * {@code put} of one changed attribute, and the {@code cycle} of both, over {@value #DEFAULT_SESSIONS}
 * sessions. Tomcat's store writes the file in place with Java serialization and never flushes it, so its
 * like is {@link Impl#SATCHEL_FSYNC_NONE}.
 *
 * <pre>
 * java -Dsatchel.bench.dir=benchmarks/target/bench-data -jar benchmarks/target/benchmarks.jar FileStoreBenchmark -t 1 -prof gc
 * </pre>
 */
public class FileStoreBenchmark extends StoreBenchmark {

    /** What is measured. */
    public enum Impl {
        /** {@code FileBackedSessionManager}, {@code Fsync.NONE}: temp file and rename, no flush. */
        SATCHEL_FSYNC_NONE,
        /** {@code Fsync.DATA} (the default): {@code fdatasync} of the temp file before the rename. */
        SATCHEL_FSYNC_DATA,
        /** {@code Fsync.DATA_AND_DIRECTORY}: also the folder after the rename. */
        SATCHEL_FSYNC_DATA_AND_DIRECTORY,
        /** Tomcat {@code PersistentManager}'s {@code FileStore}: {@code load(id)}, {@code save(session)}. */
        TOMCAT_FILE_STORE
    }

    /** One {@link Impl}, or several joined by {@code +} to take turns in one fork ({@link Interleaving}). */
    @Param({"SATCHEL_FSYNC_NONE", "SATCHEL_FSYNC_DATA", "SATCHEL_FSYNC_DATA_AND_DIRECTORY", "TOMCAT_FILE_STORE"})
    String impl;

    @Override
    protected String implementations() {
        return impl;
    }

    @Override
    protected StoreClient open(String name) throws Exception {
        Impl which = Impl.valueOf(name);
        Path dir = Scratch.newDir("file-" + which.name().toLowerCase(Locale.ROOT));
        switch (which) {
            case SATCHEL_FSYNC_NONE:
                return satchel(dir, Fsync.NONE);
            case SATCHEL_FSYNC_DATA:
                return satchel(dir, Fsync.DATA);
            case SATCHEL_FSYNC_DATA_AND_DIRECTORY:
                return satchel(dir, Fsync.DATA_AND_DIRECTORY);
            case TOMCAT_FILE_STORE:
                return new TomcatFileStoreClient(dir, sessions);
            default:
                throw new AssertionError(which);
        }
    }

    private StoreClient satchel(Path dir, Fsync fsync) {
        // Filled without flushing (setup is not measured and must stay short), then reopened at the level
        // measured; the filler is closed first, since closing a manager drops this process's locks on the folder.
        return new SatchelStoreClient(FileBackedSessionManager.builder(dir).fsync(Fsync.NONE).withoutBackgroundSweeper().build(),
                () -> FileBackedSessionManager.builder(dir).fsync(fsync).withoutBackgroundSweeper().build(),
                sessions, () -> Scratch.delete(dir));
    }
}
