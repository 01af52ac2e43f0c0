package dev.satchel.store.file;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;
import static java.nio.file.StandardOpenOption.CREATE_NEW;
import static java.nio.file.StandardOpenOption.WRITE;

import dev.satchel.SessionStoreException;
import dev.satchel.SessionStoreUnavailableException;
import dev.satchel.spi.AbstractSessionManager;
import dev.satchel.spi.ChangeSet;
import dev.satchel.spi.SessionCodec;
import dev.satchel.spi.SessionRecord;
import dev.satchel.spi.UnreadableEntryException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link dev.satchel.SessionManager} over a directory of JSON files, one per session: the embedded
 * default store, for one process or several on one host.
 *
 * <h2>Layout</h2>
 * <pre>
 * dir/                                         the store directory (0700 when created here)
 *   satchel.lock                               lock file, always empty (see below)
 *   3f/                                        shard folder: the first two hex digits of its files' names (0700)
 *     3fa91c…e2.json                           one session (0600)
 *     3fa91c…e2.4242-1700000000000.17.tmp      a write in progress: writer pid-start, sequence number
 *     3fa91c…e2.json.corrupt                   an unreadable session file, moved aside
 * </pre>
 * A session file is named by the lowercase hex of the 16 bytes its id encodes, so names have no letter case
 * to lose on a case-insensitive file system and contain nothing a path could be made of. It holds exactly
 * {@link SessionCodec#encode} of the record — the language-neutral document — and its last-modified time is
 * set to the session's expiry (a hint for the sweeper; see below). 256 shard folders keep each folder small
 * (about 4,000 files per folder at a million sessions).
 *
 * <h2>Reads and writes</h2>
 * <ul>
 *   <li><b>Read</b> ({@code get}, {@code exists}): open the file without following links, check it is a
 *       regular file within the codec's size limit, decode it, check it holds this session's id. No lock:
 *       files are only ever replaced whole, so a reader sees the old or the new record.</li>
 *   <li><b>Write</b> ({@code put}): under the session's lock, read the stored record, merge the request's
 *       changes into it ({@link ChangeSet#applyTo}), write the result to a new temporary file in the same
 *       shard folder, optionally flush it ({@link Fsync}), and rename it over the session file in one atomic
 *       step. A process killed at any instant leaves the old or the new record and at most a stray temporary
 *       file, which the next start removes. A removed or expired session is not written back (no
 *       resurrection).</li>
 *   <li><b>Delete</b> ({@code remove}): under the same lock, so a racing {@code put} either completes before
 *       the delete or finds the session gone.</li>
 * </ul>
 *
 * <h2>Locking across threads and processes</h2>
 * Each session maps to one of 4096 lock stripes (the first three hex digits of its file name). Holding a
 * stripe means holding an in-JVM lock and an exclusive {@code fcntl} record lock on that byte of
 * {@code satchel.lock}; any process on the host that takes the same byte (another JVM, or Python's
 * {@code fcntl.lockf(fd, LOCK_EX, 1, stripe)}) is excluded. One lock file with byte-range locks keeps
 * the number of lock files at one and its size at zero, while two sessions contend only when they share a
 * stripe. Waiting is bounded by {@link Builder#lockTimeout}. Do not delete {@code satchel.lock} while the store
 * is in use, and do not open it by other means inside a JVM that runs a manager: closing any descriptor of it
 * drops all of the process's locks on it.
 *
 * <h2>Links, ids and hostile files</h2>
 * Ids are validated by the base class before any name is built from them, and every name is checked to be a
 * plain file name inside its folder. Where the platform offers it (Linux, macOS), all file operations go
 * through directory handles opened with {@code O_NOFOLLOW}, so no symbolic link planted inside the store —
 * a shard folder, a session file — is ever followed, not even one planted while the store runs; elsewhere
 * paths are checked before use. A session file that is not a regular file, too large, not a version-1
 * document or holds another session's id is {@linkplain UnreadableEntryException corrupt}: it is logged once,
 * moved aside as {@code <name>.corrupt} (the link itself, never its target) and the session reads as absent.
 *
 * <h2>Expiry</h2>
 * A background thread (daemon, owned by this manager) sweeps every {@linkplain Builder#sweepInterval sweep
 * interval}, examining at most about {@linkplain Builder#sweepBatchSize sweep batch size} files per pass and
 * resuming where the last pass stopped. Because each file's last-modified time is its session's expiry, a
 * pass only reads the directory entries and the file of a session whose time has come; it then deletes the
 * file under the session's lock after checking the record itself. Files written by other programs carry
 * their write time instead, so they are read once and their time corrected. {@link #sweep()} does a full pass
 * on demand.
 *
 * <h2>Start and close</h2>
 * The directory is created if missing; the manager refuses to start, with a
 * {@link SessionStoreUnavailableException} naming the directory, when it cannot create and delete a file in
 * it (read-only mount, no permission). Temporary files left by a crashed writer — one whose process is gone
 * — are removed at start and by the sweeper. {@link #close()} stops the sweeper and releases the directory
 * handle and the lock file; it is idempotent, and the manager cannot be used afterwards.
 *
 * <p>Thread-safe. Not for network file systems: it relies on atomic rename and {@code fcntl} locks on one
 * host. Processes sharing a directory should share a PID namespace (one host, or one container), since
 * leftover temporary files are recognised by their writer's process id; if they do not, a temporary file
 * of a running writer may be taken for a leftover, and that one write fails with an exception — never a
 * torn record.
 */
public final class FileBackedSessionManager extends AbstractSessionManager {

    /**
     * When a write is flushed to the device. Whatever the mode, a write goes to a temporary file renamed over
     * the old one in one step, so a killed process never leaves a torn record; the modes differ in what a
     * power failure or kernel crash can cost.
     */
    public enum Fsync {
        /**
         * Never flush; the operating system writes back when it likes. Survives any process crash, but after a
         * power failure or kernel crash a file written shortly before may be empty or torn — the rename can reach
         * the disk before the data — and that session is then lost (read as corrupt and moved aside), even the
         * state it had before. Cheapest: no device flush per write. For stores that are expendable or live on
         * {@code tmpfs}.
         */
        NONE,
        /**
         * Flush the temporary file's data before the rename ({@code fdatasync}). After a power failure every
         * file holds a complete record, the old or the new one; a change made just before may be lost, since the
         * rename itself is not flushed. One device flush per write. The default: a session store can afford to
         * lose the last change to a session at a power failure, but not the whole session.
         */
        DATA,
        /**
         * Also flush the shard folder after the rename or deletion: when {@code put} or {@code remove} returns,
         * the change survives a power failure — a logout stays a logout. Two device flushes per write. For
         * stores where losing a recent change is unacceptable.
         */
        DATA_AND_DIRECTORY
    }

    private static final Logger LOG = LoggerFactory.getLogger(FileBackedSessionManager.class);

    /** Identifies this process in temporary file names: {@code pid-startEpochMillis}. */
    private static final String WRITER = writerId(ProcessHandle.current());
    private static final AtomicLong TEMP_SEQUENCE = new AtomicLong();
    /** A temporary file older than this is a leftover whoever wrote it. */
    private static final long STALE_TEMP_MILLIS = TimeUnit.HOURS.toMillis(1);
    /** Latest expiry hint written as a modification time (year 2200); later expiries are written as this. */
    private static final long LATEST_HINT_MILLIS = 7_258_118_400_000L;
    private static final String CLOSED = "this FileBackedSessionManager is closed";

    private final Path root;
    private final Fsync fsync;
    private final int sweepBatchSize;
    private final long lockTimeoutNanos;
    private final ShardFolders folders;
    private final StripeLocks locks;
    /** Operations hold the read lock; {@link #close()} takes the write lock once they have finished. */
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private volatile boolean closed;
    /** Next shard the background sweeper visits. Only touched by the sweeper thread. */
    private int sweepCursor;

    private FileBackedSessionManager(Builder b) {
        super(b.clock);
        this.fsync = b.fsync;
        this.sweepBatchSize = b.sweepBatchSize;
        this.lockTimeoutNanos = b.lockTimeout.toNanos();
        boolean posix = b.dir.getFileSystem().supportedFileAttributeViews().contains("posix");
        FileAttribute<?>[] fileAttributes = posix
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
        FileAttribute<?>[] folderAttributes = posix
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"))}
                : new FileAttribute<?>[0];
        this.root = prepareDirectory(b.dir, fileAttributes, folderAttributes);
        ShardFolders openedFolders = null;
        StripeLocks openedLocks = null;
        try {
            openedFolders = ShardFolders.forDirectory(root, b.secureFolders, fileAttributes, folderAttributes, posix);
            openedLocks = StripeLocks.open(root.resolve(SessionFileNames.LOCK_FILE), fileAttributes);
        } catch (IOException e) {
            closeQuietly(openedFolders, null);
            throw new SessionStoreUnavailableException("session directory " + root + " cannot be used: "
                    + describe(e), redacted(e));
        }
        this.folders = openedFolders;
        this.locks = openedLocks;
        removeLeftoverTempFiles();
        if (b.sweepInterval != null) {
            startSweeper("satchel-file-sweeper", b.sweepInterval, () -> sweepBatch().removed);
        }
    }

    /**
     * A manager over directory {@code dir} with every default: the system clock, {@link Fsync#DATA}, a sweep
     * every minute.
     *
     * @throws SessionStoreUnavailableException if the directory cannot be created or written
     */
    public static FileBackedSessionManager at(Path dir) {
        return builder(dir).build();
    }

    /** Starts configuring a manager over directory {@code dir} (created on {@link Builder#build()} if missing). */
    public static Builder builder(Path dir) {
        return new Builder(dir);
    }

    /** The store directory, as a real path (links in the configured path resolved). */
    public Path directory() {
        return root;
    }

    /**
     * Deletes every expired session now, in a full pass over the directory, and returns how many went. Also
     * moves corrupt files aside and removes leftover temporary files it meets. May run while the store is in
     * use, by several processes at once.
     *
     * @throws IllegalStateException if the manager is closed
     */
    public int sweep() {
        SweepCount count = new SweepCount();
        for (int shard = 0; shard < SessionFileNames.SHARDS; shard++) {
            sweepShard(shard, count);
        }
        return count.removed;
    }

    /**
     * One background pass: whole shard folders from where the last pass stopped, until about
     * {@link Builder#sweepBatchSize} files were examined or every folder was visited once.
     */
    SweepCount sweepBatch() {
        SweepCount count = new SweepCount();
        for (int visited = 0; visited < SessionFileNames.SHARDS && count.examined < sweepBatchSize; visited++) {
            int shard = sweepCursor;
            sweepCursor = (shard + 1) % SessionFileNames.SHARDS;
            sweepShard(shard, count);
        }
        return count;
    }

    @Override
    protected SessionRecord load(String sid) {
        String base = SessionFileNames.baseName(sid);
        enter();
        try (ShardFolders.Folder folder = folders.open(SessionFileNames.shardOf(base))) {
            return folder == null ? null : read(folder, base, sid);
        } catch (IOException e) {
            throw failure("reading a session file failed", e);
        } finally {
            exit();
        }
    }

    @Override
    protected boolean create(SessionRecord record) {
        return underLock(record.id(), true, "writing a session file failed", (folder, base) -> {
            if (folder.attributes(SessionFileNames.sessionFileName(base)) != null) {
                return false;
            }
            write(folder, base, record);
            return true;
        });
    }

    @Override
    protected SessionRecord apply(ChangeSet changes) {
        String sid = changes.sessionId();
        return underLock(sid, false, "writing a session file failed", (folder, base) -> {
            // An unreadable file throws UnreadableEntryException: the base class logs it and calls discardCorrupt.
            SessionRecord stored = read(folder, base, sid);
            if (stored == null) {
                return null;
            }
            SessionRecord merged = changes.applyTo(stored);
            if (merged == null) {
                deleteFile(folder, base);
                return null;
            }
            write(folder, base, merged);
            return merged;
        });
    }

    @Override
    protected void delete(String sid) {
        underLock(sid, false, "deleting a session file failed", (folder, base) -> {
            deleteFile(folder, base);
            return null;
        });
    }

    /**
     * Moves the file of {@code sid} aside, under its lock, if it is still unreadable: another thread or process
     * may have dealt with it since it was found so.
     */
    @Override
    protected void discardCorrupt(String sid) {
        try {
            underLock(sid, false, "moving an unreadable session file aside failed", (folder, base) -> {
                try {
                    read(folder, base, sid);
                } catch (UnreadableEntryException stillCorrupt) {
                    quarantine(folder, base);
                }
                return null;
            });
        } catch (SessionStoreException e) {
            LOG.warn("Could not move an unreadable session file aside: {}", e.getMessage());
        }
    }

    /** What a write does in a session's shard folder while it holds the session's lock. */
    @FunctionalInterface
    private interface LockedWork<T> {
        T run(ShardFolders.Folder folder, String base) throws IOException;
    }

    /**
     * Runs {@code work} in the shard folder of session {@code sid} while holding the session's lock; when the
     * folder does not exist, returns {@code null} without running it, unless {@code createFolder}.
     *
     * @throws SessionStoreException starting with {@code failure} if a file operation fails
     */
    @SuppressWarnings("try") // the session's lock is held for the block and never referenced in it
    private <T> T underLock(String sid, boolean createFolder, String failure, LockedWork<T> work) {
        String base = SessionFileNames.baseName(sid);
        String shard = SessionFileNames.shardOf(base);
        enter();
        try (StripeLocks.Held held = lock(base);
                ShardFolders.Folder folder = createFolder ? folders.openOrCreate(shard) : folders.open(shard)) {
            return folder == null ? null : work.run(folder, base);
        } catch (IOException e) {
            throw failure(failure, e);
        } finally {
            exit();
        }
    }

    /**
     * Stops the sweeper and releases the directory handle and this manager's share of the lock file, after
     * operations in progress have finished. Idempotent.
     */
    @Override
    public void close() {
        lifecycle.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
        } finally {
            lifecycle.writeLock().unlock();
        }
        if (!stopSweeper(Duration.ofSeconds(10))) {
            LOG.warn("The session file sweeper did not stop within 10 s");
        }
        closeQuietly(folders, locks);
    }

    // ------------------------------------------------------------------ file operations

    /**
     * The record in session file {@code base} of {@code folder}, or {@code null} when there is none.
     *
     * @throws UnreadableEntryException if the file is not a regular file, too large, not a valid document, or
     *     holds another session's id
     */
    private SessionRecord read(ShardFolders.Folder folder, String base, String sid) throws IOException {
        String name = SessionFileNames.sessionFileName(base);
        BasicFileAttributes attributes = folder.attributes(name);
        if (attributes == null) {
            return null;
        }
        if (!attributes.isRegularFile()) {
            throw new UnreadableEntryException("session file is "
                    + (attributes.isSymbolicLink() ? "a symbolic link" : "not a regular file"));
        }
        if (attributes.size() > SessionCodec.MAX_DOCUMENT_LENGTH) {
            throw new UnreadableEntryException("session file is larger than " + SessionCodec.MAX_DOCUMENT_LENGTH
                    + " bytes");
        }
        byte[] document;
        try {
            document = folder.read(name, attributes.size(), SessionCodec.MAX_DOCUMENT_LENGTH);
        } catch (NoSuchFileException e) {
            return null; // deleted since its attributes were read
        }
        if (document == null) {
            throw new UnreadableEntryException("session file grew past " + SessionCodec.MAX_DOCUMENT_LENGTH
                    + " bytes while being read");
        }
        SessionRecord record = SessionCodec.decode(document);
        if (!record.id().equals(sid)) {
            throw new UnreadableEntryException("session file holds the record of another session");
        }
        return record;
    }

    /** Replaces session file {@code base} with {@code record}: temporary file, flush, rename. */
    private void write(ShardFolders.Folder folder, String base, SessionRecord record) throws IOException {
        byte[] document = SessionCodec.encode(record);
        String name = SessionFileNames.sessionFileName(base);
        String temp = writeTemp(folder, base, document);
        try {
            folder.rename(temp, name);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(folder, temp, e);
            throw e;
        }
        // After the rename, so a temporary file's time is its age; a crash in between leaves the write time,
        // which is earlier than the expiry and so only makes the sweeper look at the file sooner.
        folder.setModifiedTime(name, expiryHint(record));
        if (fsync == Fsync.DATA_AND_DIRECTORY) {
            folder.sync();
        }
    }

    /** Writes {@code document} to a new temporary file for session file {@code base}; returns its name. */
    private String writeTemp(ShardFolders.Folder folder, String base, byte[] document) throws IOException {
        for (int attempt = 0; ; attempt++) {
            String temp = SessionFileNames.tempName(base, WRITER, TEMP_SEQUENCE.incrementAndGet());
            try {
                folder.writeNew(temp, document, fsync != Fsync.NONE);
                return temp;
            } catch (FileAlreadyExistsException e) {
                if (attempt == 2) {
                    throw e; // a leftover of an earlier process with this id would not collide three times
                }
            } catch (IOException | RuntimeException e) {
                deleteQuietly(folder, temp, e);
                throw e;
            }
        }
    }

    private void deleteFile(ShardFolders.Folder folder, String base) throws IOException {
        String name = SessionFileNames.sessionFileName(base);
        try {
            folder.delete(name);
        } catch (NoSuchFileException e) {
            return;
        } catch (FileSystemException e) {
            BasicFileAttributes found = folder.attributes(name);
            if (found == null || found.isRegularFile() || found.isSymbolicLink()) {
                throw e;
            }
            quarantine(folder, base); // a directory or other non-file planted under the name: move it aside
        }
        if (fsync == Fsync.DATA_AND_DIRECTORY) {
            folder.sync();
        }
    }

    /** Moves session file {@code base} aside as {@code <name>.corrupt}, replacing an earlier one. */
    private static void quarantine(ShardFolders.Folder folder, String base) {
        String name = SessionFileNames.sessionFileName(base);
        try {
            folder.rename(name, name + SessionFileNames.CORRUPT_SUFFIX);
        } catch (NoSuchFileException e) {
            // already gone
        } catch (IOException e) {
            try {
                folder.delete(name);
            } catch (IOException again) {
                LOG.warn("Could not move an unreadable session file aside nor delete it: {}", describe(again));
            }
        }
    }

    private static FileTime expiryHint(SessionRecord record) {
        return FileTime.fromMillis(Math.min(record.expiresAt(), LATEST_HINT_MILLIS));
    }

    private StripeLocks.Held lock(String base) {
        return locks.acquire(SessionFileNames.stripeOf(base), lockTimeoutNanos);
    }

    // ------------------------------------------------------------------ sweeping

    /** Counts of one sweep. */
    static final class SweepCount {
        /** Directory entries looked at. */
        int examined;
        /** Expired sessions deleted. */
        int removed;
    }

    private void sweepShard(int index, SweepCount count) {
        String shard = SessionFileNames.shardName(index);
        enter();
        try (ShardFolders.Folder folder = folders.open(shard)) {
            if (folder == null) {
                return;
            }
            long now = clock().millis();
            for (String name : folder.names()) {
                if (closed) {
                    return;
                }
                count.examined++;
                String sid = SessionFileNames.sessionIdOf(name);
                if (sid != null) {
                    BasicFileAttributes attributes = folder.attributes(name);
                    boolean due = attributes != null
                            && (!attributes.isRegularFile() || attributes.lastModifiedTime().toMillis() <= now);
                    if (due && removeIfExpired(folder, sid)) {
                        count.removed++;
                    }
                } else if (SessionFileNames.isTempName(name)) {
                    removeIfLeftover(folder, name);
                }
            }
        } catch (IOException | SessionStoreException e) {
            LOG.warn("Sweeping shard folder {} failed: {}", shard, e instanceof IOException
                    ? describe((IOException) e) : e.getMessage());
        } finally {
            exit();
        }
    }

    /** Under the session's lock: deletes its file if expired, moves it aside if corrupt, else fixes its time. */
    @SuppressWarnings("try") // the session's lock is held for the block and never referenced in it
    private boolean removeIfExpired(ShardFolders.Folder folder, String sid) throws IOException {
        String base = SessionFileNames.baseName(sid);
        try (StripeLocks.Held held = lock(base)) {
            SessionRecord stored;
            try {
                stored = read(folder, base, sid);
            } catch (UnreadableEntryException e) {
                LOG.warn("Moving an unreadable session file aside: {}", e.getMessage());
                quarantine(folder, base);
                return false;
            }
            if (stored == null) {
                return false;
            }
            if (stored.isExpiredAt(clock().millis())) {
                deleteFile(folder, base);
                return true;
            }
            // Written by another program (or the hint write failed): set the hint so it is not read again.
            folder.setModifiedTime(SessionFileNames.sessionFileName(base), expiryHint(stored));
            return false;
        }
    }

    // ------------------------------------------------------------------ temporary files

    /** Deletes leftover temporary files in every shard folder and the store directory itself. */
    private void removeLeftoverTempFiles() {
        for (int index = 0; index < SessionFileNames.SHARDS; index++) {
            String shard = SessionFileNames.shardName(index);
            try (ShardFolders.Folder folder = folders.open(shard)) {
                if (folder != null) {
                    for (String name : folder.names()) {
                        if (SessionFileNames.isTempName(name)) {
                            removeIfLeftover(folder, name);
                        }
                    }
                }
            } catch (IOException e) {
                LOG.warn("Could not look for leftover temporary files in shard folder {}: {}", shard, describe(e));
            }
        }
        try (DirectoryStream<Path> probes = Files.newDirectoryStream(root,
                SessionFileNames.PROBE_PREFIX + ".*" + SessionFileNames.TEMP_SUFFIX)) {
            for (Path probe : probes) {
                BasicFileAttributes attributes = Files.readAttributes(probe, BasicFileAttributes.class, NOFOLLOW_LINKS);
                if (isLeftover(probe.getFileName().toString(), attributes)) {
                    Files.deleteIfExists(probe);
                }
            }
        } catch (IOException e) {
            LOG.warn("Could not look for leftover probe files: {}", describe(e));
        }
    }

    private static void removeIfLeftover(ShardFolders.Folder folder, String name) throws IOException {
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

    /**
     * Whether temporary file {@code name} is a leftover: older than an hour, or written by a process that is
     * gone (no process with its pid, or one started at another time). A file of a live writer is kept.
     */
    static boolean isLeftover(String name, BasicFileAttributes attributes) {
        if (System.currentTimeMillis() - attributes.lastModifiedTime().toMillis() > STALE_TEMP_MILLIS) {
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

    static String writerId(ProcessHandle process) {
        return process.pid() + "-" + process.info().startInstant().map(Instant::toEpochMilli).orElse(0L);
    }

    // ------------------------------------------------------------------ start, lifecycle and failures

    /**
     * Creates {@code dir} if missing, resolves it to a real path, and checks that a file can be created and
     * deleted in it.
     */
    private static Path prepareDirectory(Path dir, FileAttribute<?>[] fileAttributes,
            FileAttribute<?>[] folderAttributes) {
        Path absolute = dir.toAbsolutePath().normalize();
        Path real;
        try {
            Files.createDirectories(absolute, folderAttributes);
            real = absolute.toRealPath();
        } catch (IOException e) {
            throw new SessionStoreUnavailableException("session directory " + absolute
                    + " cannot be created or is not a directory: " + describe(e), redacted(e));
        }
        if (!Files.isDirectory(real)) {
            throw new SessionStoreUnavailableException("session directory " + absolute + " is not a directory", null);
        }
        Path probe = real.resolve(SessionFileNames.tempName(SessionFileNames.PROBE_PREFIX, WRITER,
                TEMP_SEQUENCE.incrementAndGet()));
        try {
            try (SeekableByteChannel out = Files.newByteChannel(probe, Set.of(CREATE_NEW, WRITE, NOFOLLOW_LINKS),
                    fileAttributes)) {
                out.write(ByteBuffer.wrap(new byte[] {'\n'}));
            } finally {
                Files.deleteIfExists(probe);
            }
        } catch (IOException e) {
            throw new SessionStoreUnavailableException("session directory " + real + " is not writable ("
                    + describe(e) + "); the file store must create, rename and delete files in it", redacted(e));
        }
        return real;
    }

    private void enter() {
        lifecycle.readLock().lock();
        if (closed) {
            lifecycle.readLock().unlock();
            throw new IllegalStateException(CLOSED);
        }
    }

    private void exit() {
        lifecycle.readLock().unlock();
    }

    private static void deleteQuietly(ShardFolders.Folder folder, String name, Exception failure) {
        try {
            folder.delete(name);
        } catch (NoSuchFileException e) {
            // never created, or already gone
        } catch (IOException | RuntimeException e) {
            failure.addSuppressed(redacted(e instanceof IOException ? (IOException) e : new IOException(e)));
        }
    }

    private static void closeQuietly(ShardFolders openedFolders, StripeLocks openedLocks) {
        try {
            if (openedFolders != null) {
                openedFolders.close();
            }
        } catch (IOException e) {
            LOG.warn("Closing the session directory failed: {}", describe(e));
        }
        try {
            if (openedLocks != null) {
                openedLocks.release();
            }
        } catch (IOException e) {
            LOG.warn("Closing the session lock file failed: {}", describe(e));
        }
    }

    /**
     * The store exception for a failed file operation: {@link SessionStoreUnavailableException} when the
     * directory refuses writes (permissions, read-only file system), else {@link SessionStoreException} (a full
     * disk, an I/O error). File names — the hex of a session id — are left out of the message and the cause.
     */
    private static SessionStoreException failure(String what, IOException e) {
        String reason = describe(e);
        if (e instanceof AccessDeniedException || reason.contains("Read-only file system")) {
            return new SessionStoreUnavailableException(what + ": " + reason, redacted(e));
        }
        return new SessionStoreException(what + ": " + reason, redacted(e));
    }

    /** What went wrong, without the file names an {@link IOException}'s message carries. */
    static String describe(IOException e) {
        String reason = e instanceof FileSystemException ? ((FileSystemException) e).getReason() : e.getMessage();
        return e.getClass().getSimpleName() + (reason == null ? "" : ": " + reason);
    }

    /** A copy of {@code e} (same stack trace) whose message names no file, to attach as a cause. */
    static IOException redacted(IOException e) {
        IOException copy = new IOException(describe(e));
        copy.setStackTrace(e.getStackTrace());
        for (Throwable suppressed : e.getSuppressed()) {
            copy.addSuppressed(suppressed);
        }
        return copy;
    }

    /**
     * Configures a {@link FileBackedSessionManager}. Each setting is checked when set. Not thread-safe.
     */
    public static final class Builder {
        private final Path dir;
        private Clock clock = Clock.systemUTC();
        private Fsync fsync = Fsync.DATA;
        private Duration sweepInterval = Duration.ofMinutes(1);
        private int sweepBatchSize = 50_000;
        private Duration lockTimeout = Duration.ofSeconds(10);
        /** Whether to use directory handles where the platform has them; off only to test the path fallback. */
        boolean secureFolders = true;

        private Builder(Path dir) {
            this.dir = Objects.requireNonNull(dir, "dir");
        }

        /** The clock expiry is measured with; default {@link Clock#systemUTC()}. */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /** When writes are flushed to the device; default {@link Fsync#DATA}. See {@link Fsync}. */
        public Builder fsync(Fsync mode) {
            this.fsync = Objects.requireNonNull(mode, "fsync mode");
            return this;
        }

        /** How long the background sweeper waits between passes; default one minute. */
        public Builder sweepInterval(Duration interval) {
            if (interval == null || interval.isNegative() || interval.isZero()) {
                throw new IllegalArgumentException("sweep interval must be positive, was " + interval);
            }
            this.sweepInterval = interval;
            return this;
        }

        /**
         * About how many files one background pass examines at most, default 50,000: a pass visits whole shard
         * folders until it has examined this many files, so it may exceed the number by one folder's worth.
         * Examining a file whose expiry has not come costs one {@code stat}; the next pass resumes where this one
         * stopped. Does not limit {@link FileBackedSessionManager#sweep()}.
         */
        public Builder sweepBatchSize(int files) {
            if (files <= 0) {
                throw new IllegalArgumentException("sweep batch size must be positive, was " + files);
            }
            this.sweepBatchSize = files;
            return this;
        }

        /** No background sweeper: expired sessions go only when {@link FileBackedSessionManager#sweep()} is called. */
        public Builder withoutBackgroundSweeper() {
            this.sweepInterval = null;
            return this;
        }

        /**
         * How long an operation waits for a session's lock held by another thread or process before failing
         * with a {@link dev.satchel.SessionStoreTimeoutException}; default 10 seconds.
         */
        public Builder lockTimeout(Duration timeout) {
            if (timeout == null || timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("lock timeout must be positive, was " + timeout);
            }
            this.lockTimeout = timeout;
            return this;
        }

        /**
         * Creates the directory if missing, checks it is writable, removes leftover temporary files and starts the
         * sweeper.
         *
         * @throws SessionStoreUnavailableException if the directory cannot be created or written, or its lock
         *     file cannot be opened
         */
        public FileBackedSessionManager build() {
            return new FileBackedSessionManager(this);
        }
    }
}
