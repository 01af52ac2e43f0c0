package dev.satchel.store.file;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static java.nio.file.StandardOpenOption.READ;
import static java.nio.file.StandardOpenOption.WRITE;

import dev.satchel.SessionStoreException;
import dev.satchel.SessionStoreTimeoutException;
import java.io.IOException;
import java.nio.channels.AsynchronousFileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The lock table of one store directory: {@link SessionFileNames#STRIPES} stripes, each held across the
 * threads of this JVM <em>and</em> across processes. Holding stripe {@code i} means holding, in this order,
 *
 * <ol>
 *   <li>the in-JVM lock {@code i} — {@code FileChannel} locks are per process, and a second lock on the same
 *       range from this JVM would throw {@code OverlappingFileLockException} instead of waiting; and</li>
 *   <li>an exclusive POSIX record lock ({@code fcntl}; {@code LockFileEx} on Windows) on byte {@code i} of the
 *       lock file {@value SessionFileNames#LOCK_FILE}, which another process — a JVM, or a Python script
 *       using {@code fcntl.lockf} — respects.</li>
 * </ol>
 *
 * <p>One more byte, {@link #INDEX_REBUILD} (4096, just past the stripes), is taken the same way by whoever
 * rebuilds the principal index, so two processes never rebuild it at once.
 *
 * <p>The lock file never grows: locks beyond the end of a file are allowed, and nothing is written to it.
 * It is opened once per JVM and store directory, shared by every manager over that directory (the table is
 * keyed by the file's identity, so two paths to one directory share it) and closed when the last one
 * closes — because the operating system drops <em>all</em> of a process's locks on a file as soon as the
 * process closes <em>any</em> descriptor of it. For the same reason it is opened as an
 * {@link AsynchronousFileChannel}, which, unlike {@code FileChannel}, is not closed when a thread using it
 * is interrupted.
 *
 * <p>The file lock is taken with non-blocking attempts and a short backoff (up to 1 ms) rather than a
 * blocking call, which could not be given a timeout or abandoned. Waiting is bounded by the timeout passed
 * to {@link #acquire}; locks are not fair between processes.
 */
final class StripeLocks {

    /** Open lock tables by lock-file identity. Guarded by itself. */
    private static final Map<Object, StripeLocks> OPEN = new HashMap<>();

    /** The lock byte of a principal index rebuild: the one after the last stripe. */
    static final int INDEX_REBUILD = SessionFileNames.STRIPES;

    private static final long FIRST_PAUSE_NANOS = TimeUnit.MICROSECONDS.toNanos(20);
    private static final long LONGEST_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(1);

    private final Object identity;
    private final AsynchronousFileChannel lockFile;
    private final ReentrantLock[] stripes = new ReentrantLock[SessionFileNames.STRIPES + 1];
    /** Managers using this table. Guarded by {@link #OPEN}. */
    private int users;

    private StripeLocks(Object identity, AsynchronousFileChannel lockFile) {
        this.identity = identity;
        this.lockFile = lockFile;
        for (int i = 0; i < stripes.length; i++) {
            stripes[i] = new ReentrantLock();
        }
    }

    /**
     * The lock table of lock file {@code path}, created (with {@code attributes}) if missing; shared with
     * every other user of that file in this JVM. Each call must be matched by one {@link #release()}.
     *
     * @throws IOException if the lock file cannot be created or opened, or is not a regular file
     */
    static StripeLocks open(Path path, FileAttribute<?>... attributes) throws IOException {
        try {
            // O_EXCL: when the file exists nothing is opened, so no descriptor of it is ever closed here.
            Files.createFile(path, attributes);
        } catch (FileAlreadyExistsException e) {
            // the usual case
        }
        BasicFileAttributes found = Files.readAttributes(path, BasicFileAttributes.class, NOFOLLOW_LINKS);
        if (!found.isRegularFile()) {
            throw new FileSystemException(null, null, "lock file " + SessionFileNames.LOCK_FILE + " is "
                    + (found.isSymbolicLink() ? "a symbolic link" : "not a regular file"));
        }
        Object identity = found.fileKey() != null ? found.fileKey() : path.toRealPath();
        synchronized (OPEN) {
            StripeLocks table = OPEN.get(identity);
            if (table == null) {
                table = new StripeLocks(identity, AsynchronousFileChannel.open(path, READ, WRITE, NOFOLLOW_LINKS));
                OPEN.put(identity, table);
            }
            table.users++;
            return table;
        }
    }

    /**
     * Takes stripe {@code stripe} (or {@link #INDEX_REBUILD}), waiting at most {@code timeoutNanos} in all.
     *
     * @return the held stripe; closing it releases it
     * @throws SessionStoreTimeoutException if the stripe stayed held by another thread or process
     * @throws SessionStoreException if interrupted while waiting (the interrupt status is kept), or the
     *     lock file fails
     */
    Held acquire(int stripe, long timeoutNanos) {
        long deadline = System.nanoTime() + timeoutNanos;
        ReentrantLock local = stripes[stripe];
        try {
            if (!local.tryLock(timeoutNanos, TimeUnit.NANOSECONDS)) {
                throw timedOut(timeoutNanos, "another thread");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SessionStoreException("interrupted while waiting for a session lock", e);
        }
        try {
            return new Held(local, lockByte(stripe, deadline, timeoutNanos));
        } catch (RuntimeException | Error e) {
            local.unlock();
            throw e;
        }
    }

    private FileLock lockByte(int stripe, long deadline, long timeoutNanos) {
        long pause = FIRST_PAUSE_NANOS;
        while (true) {
            FileLock lock;
            try {
                lock = lockFile.tryLock(stripe, 1, false);
            } catch (IOException e) {
                throw new SessionStoreException("locking a session in " + SessionFileNames.LOCK_FILE + " failed: "
                        + IoFailures.describe(e), IoFailures.redacted(e));
            }
            if (lock != null) {
                return lock;
            }
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw timedOut(timeoutNanos, "another process");
            }
            if (Thread.currentThread().isInterrupted()) {
                throw new SessionStoreException("interrupted while waiting for a session lock held by another process");
            }
            LockSupport.parkNanos(Math.min(pause, left));
            pause = Math.min(pause * 2, LONGEST_PAUSE_NANOS);
        }
    }

    private static SessionStoreTimeoutException timedOut(long timeoutNanos, String holder) {
        return new SessionStoreTimeoutException("a session stayed locked by " + holder + " for more than "
                + TimeUnit.NANOSECONDS.toMillis(timeoutNanos) + " ms", null);
    }

    /** Gives up this user's share of the table; the last one closes the lock file. Not idempotent. */
    void release() throws IOException {
        synchronized (OPEN) {
            if (--users > 0) {
                return;
            }
            OPEN.remove(identity);
            lockFile.close();
        }
    }

    /** A held stripe. */
    static final class Held implements AutoCloseable {
        private final ReentrantLock local;
        private final FileLock lock;

        private Held(ReentrantLock local, FileLock lock) {
            this.local = local;
            this.lock = lock;
        }

        /** Releases the stripe: the byte of the lock file, then the in-JVM lock. */
        @Override
        public void close() {
            try {
                lock.release();
            } catch (IOException e) {
                throw new SessionStoreException("unlocking a session in " + SessionFileNames.LOCK_FILE + " failed: "
                        + IoFailures.describe(e), IoFailures.redacted(e));
            } finally {
                local.unlock();
            }
        }
    }
}
