package dev.satchel.store.file;

import dev.satchel.store.file.ShardFolders.Folder;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Temporary files: how a write names its temporary file, and which temporary files are leftovers of an
 * interrupted write that may be deleted.
 *
 * <p>A temporary file is named {@code <prefix>.<writer>.<sequence>.tmp} (see
 * {@link SessionFileNames#tempName}), where {@code writer} is {@code pid-startEpochMillis} of the writing
 * process. It is a leftover when it is older than an hour by the store's clock, or its writer is gone: no
 * process has that pid, or the process that has it started at another time. A file of a live writer is
 * kept. Thread-safe.
 */
final class TempFiles {

    private static final Logger LOG = LoggerFactory.getLogger(TempFiles.class);

    /** Identifies this process in temporary file names: {@code pid-startEpochMillis}. */
    static final String WRITER = writerId(ProcessHandle.current());
    /** A temporary file older than this is a leftover whoever wrote it. */
    static final long STALE_MILLIS = TimeUnit.HOURS.toMillis(1);

    private static final AtomicLong SEQUENCE = new AtomicLong();

    private final Clock clock;

    /** Temporary files whose age is measured with {@code clock}. */
    TempFiles(Clock clock) {
        this.clock = clock;
    }

    /** A new temporary file name for {@code prefix} (a session's base name, or a probe), unique in this JVM. */
    static String newName(String prefix) {
        return SessionFileNames.tempName(prefix, WRITER, SEQUENCE.incrementAndGet());
    }

    /** Deletes temporary file {@code name} of {@code folder} if it is a leftover. */
    void removeIfLeftover(Folder folder, String name) throws IOException {
        BasicFileAttributes attributes = folder.attributes(name);
        if (attributes != null && isLeftover(name, attributes)) {
            try {
                folder.delete(name);
                LOG.info("Removed a temporary session file left by an interrupted write");
            } catch (NoSuchFileException e) {
                // renamed or removed by its writer meanwhile
            }
        }
    }

    /** Whether temporary file {@code name}, with {@code attributes}, is a leftover (see the class comment). */
    boolean isLeftover(String name, BasicFileAttributes attributes) {
        if (clock.millis() - attributes.lastModifiedTime().toMillis() > STALE_MILLIS) {
            return true;
        }
        String writer = SessionFileNames.writerOf(name);
        if (writer == null) {
            return true;
        }
        if (writer.equals(WRITER)) {
            return false;
        }
        int dash = writer.indexOf('-');
        long pid;
        long started;
        try {
            pid = Long.parseLong(writer, 0, dash, 10);
            started = Long.parseLong(writer, dash + 1, writer.length(), 10);
        } catch (NumberFormatException | IndexOutOfBoundsException e) {
            return true;
        }
        Optional<ProcessHandle> process = ProcessHandle.of(pid);
        if (process.isEmpty()) {
            return true;
        }
        Optional<Instant> processStarted = process.get().info().startInstant();
        // A live process with this pid but another start time reused the pid; when either time is unknown
        // the writer is presumed alive, and the age rule removes the file later if it is not.
        return started != 0 && processStarted.isPresent() && processStarted.get().toEpochMilli() != started;
    }

    /** The writer part of temporary file names written by {@code process}. */
    static String writerId(ProcessHandle process) {
        return process.pid() + "-" + process.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
    }
}
