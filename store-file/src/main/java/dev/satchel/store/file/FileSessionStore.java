package dev.satchel.store.file;

import static java.nio.file.LinkOption.NOFOLLOW_LINKS;

import dev.satchel.SessionStoreException;
import dev.satchel.SessionStoreTimeoutException;
import dev.satchel.SessionStoreUnavailableException;
import dev.satchel.spi.ChangeSet;
import dev.satchel.spi.PrincipalIndexedStore;
import dev.satchel.spi.SessionRecord;
import dev.satchel.spi.SweepableStore;
import dev.satchel.spi.UnreadableEntryException;
import dev.satchel.store.file.FileBackedSessionManager.Fsync;
import dev.satchel.store.file.ShardFolders.Folder;
import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The file store's I/O: one JSON file per session in a directory, and the principal index beside them. No
 * policy — the manager {@link FileBackedSessionManager} builds around it decides about expiry, unreadable
 * entries and sweeping; see that class for the layout.
 *
 * <ul>
 *   <li><b>{@link #load}</b>: open the file without following links, check it is a regular file within the
 *       codec's size limit, decode it, check it holds this session's id. No lock: files are only ever
 *       replaced whole, so a reader sees the old or the new record.</li>
 *   <li><b>{@link #create}, {@link #apply}, {@link #delete}, {@link #discard}</b>: under the session's lock
 *       ({@link StripeLocks}, across threads and processes). A write goes to a temporary file renamed over
 *       the session file in one step ({@link SessionFiles}). A principal index entry is added before the
 *       session file names the principal and removed after it stopped naming it
 *       ({@link PrincipalIndexFiles}), so a crash at any instant leaves at worst a stale entry.</li>
 *   <li><b>{@link #sweep}</b>: resumes where the last call stopped and visits shard folders until it has
 *       deleted {@code limit} sessions or seen every folder once. A file's modification time is its session's
 *       expiry, so a file not yet due costs one {@code stat}; a due file is read and deleted under its lock,
 *       then its index entry removed. Unreadable files are left alone; leftover temporary files are
 *       deleted.</li>
 *   <li><b>{@link #idsOfPrincipal}</b>: lists the principal's index folder; an entry whose session file is
 *       gone is deleted (under that session's lock) and skipped. An index that is missing, incomplete or
 *       damaged is first rebuilt from a scan of every session file, under the index rebuild lock, and that
 *       is logged once per rebuild.</li>
 * </ul>
 *
 * <p>Thread-safe. {@link #close()} waits for operations in progress, then releases the directory handle and
 * this store's share of the lock file; afterwards every operation throws {@link IllegalStateException}.
 */
final class FileSessionStore implements SweepableStore, PrincipalIndexedStore {

    private static final Logger LOG = LoggerFactory.getLogger(FileSessionStore.class);
    private static final String CLOSED = "this file session store is closed";

    private final StoreDirectory directory;
    private final ShardFolders folders;
    private final StripeLocks locks;
    private final SessionFiles files;
    private final TempFiles temps;
    private final PrincipalIndexFiles index;
    private final long lockTimeoutNanos;
    /** Operations hold the read lock; {@link #close()} takes the write lock once they have finished. */
    private final ReentrantReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private volatile boolean closed;

    /** Guards the sweep cursor: one sweep at a time. */
    private final Object sweeping = new Object();
    /** The shard folder the next sweep starts in. */
    private int cursorShard;
    /** Names of {@link #cursorShard} the last sweep did not get to, or {@code null} to list it afresh. */
    private List<String> cursorNames;

    private FileSessionStore(StoreDirectory directory, ShardFolders folders, StripeLocks locks, Fsync fsync,
            long lockTimeoutNanos, Clock clock) {
        this.directory = directory;
        this.folders = folders;
        this.locks = locks;
        this.files = new SessionFiles(fsync);
        this.temps = new TempFiles(clock);
        this.index = new PrincipalIndexFiles(folders, fsync != Fsync.NONE);
        this.lockTimeoutNanos = lockTimeoutNanos;
    }

    /**
     * Opens the store in {@code dir} (created if missing), removes leftover temporary files, and marks the
     * principal index of a store without sessions complete.
     *
     * @param secureFolders whether to use directory handles where the platform has them (off only to test the
     *     path fallback)
     * @param clock measures the age of temporary files
     * @throws SessionStoreUnavailableException if the directory cannot be created or written, or its lock
     *     file cannot be opened
     */
    static FileSessionStore open(java.nio.file.Path dir, Fsync fsync, long lockTimeoutNanos, Clock clock,
            boolean secureFolders) {
        StoreDirectory directory = StoreDirectory.prepare(dir);
        ShardFolders folders = null;
        StripeLocks locks;
        try {
            folders = ShardFolders.forDirectory(directory.root, secureFolders, directory.fileAttributes,
                    directory.folderAttributes, directory.posix);
            locks = StripeLocks.open(directory.root.resolve(SessionFileNames.LOCK_FILE), directory.fileAttributes);
        } catch (IOException e) {
            closeQuietly(folders, null);
            throw new SessionStoreUnavailableException("session directory " + directory.root + " cannot be used: "
                    + IoFailures.describe(e), IoFailures.redacted(e));
        }
        FileSessionStore store = new FileSessionStore(directory, folders, locks, fsync, lockTimeoutNanos, clock);
        store.startUp();
        return store;
    }

    @Override
    public SessionRecord load(String id) {
        String base = SessionFileNames.baseName(id);
        enter();
        try (Folder folder = folders.open(SessionFileNames.shardOf(base))) {
            return folder == null ? null : files.read(folder, base, id);
        } catch (IOException e) {
            throw IoFailures.failure("reading a session file failed", e);
        } finally {
            exit();
        }
    }

    @Override
    public boolean create(SessionRecord record) {
        return underLock(record.id(), true, "writing a session file failed", (folder, base) -> {
            if (folder.attributes(SessionFileNames.sessionFileName(base)) != null) {
                return false;
            }
            if (record.principal() != null) {
                index.add(record.principal(), base, true);
            }
            files.write(folder, base, record);
            return true;
        });
    }

    @Override
    public SessionRecord apply(ChangeSet changes) {
        String sid = changes.sessionId();
        return underLock(sid, false, "writing a session file failed", (folder, base) -> {
            SessionRecord stored = files.read(folder, base, sid); // unreadable: throws, nothing is written
            if (stored == null) {
                return null;
            }
            String before = stored.principal();
            SessionRecord merged = changes.applyTo(stored);
            if (merged == null) {
                files.delete(folder, base);
                unindex(before, base);
                return null;
            }
            String after = merged.principal();
            boolean moved = !Objects.equals(before, after);
            if (moved && after != null) {
                index.add(after, base, true); // before the file names it
            }
            files.write(folder, base, merged);
            if (moved) {
                unindex(before, base); // after the file stopped naming it
            }
            return merged;
        });
    }

    @Override
    public void delete(String id) {
        underLock(id, false, "deleting a session file failed", (folder, base) -> {
            String principal = principalIfReadable(folder, base, id);
            files.delete(folder, base);
            unindex(principal, base);
            return null;
        });
    }

    /** Moves the file of {@code id} aside if it is still corrupt: not if it became readable or is of a newer format. */
    @Override
    public void discard(String id) {
        underLock(id, false, "moving an unreadable session file aside failed", (folder, base) -> {
            try {
                files.read(folder, base, id);
            } catch (UnreadableEntryException e) {
                if (!e.newerFormat()) {
                    files.quarantine(folder, base);
                }
            }
            return null;
        });
    }

    @Override
    public int sweep(long now, int limit, Consumer<? super SessionRecord> removed) {
        synchronized (sweeping) {
            int start = cursorShard;
            boolean resumed = cursorNames != null;
            int count = 0;
            // The rest of the shard the last call stopped in, then every other shard, then — if that first one
            // was only a rest — the first one again whole: each call that stops short has seen every file once.
            int steps = resumed ? SessionFileNames.SHARDS + 1 : SessionFileNames.SHARDS;
            for (int step = 0; step < steps; step++) {
                int shard = (start + step) % SessionFileNames.SHARDS;
                List<String> names = step == 0 ? cursorNames : null;
                cursorNames = null;
                count += sweepShard(shard, names, now, limit - count, removed);
                if (count >= limit) {
                    cursorShard = cursorNames == null ? (shard + 1) % SessionFileNames.SHARDS : shard;
                    return count;
                }
            }
            cursorShard = start;
            return count;
        }
    }

    @Override
    public Collection<String> idsOfPrincipal(String principal) {
        enter();
        try {
            List<String> bases = indexEntries(principal);
            List<String> ids = new ArrayList<>(bases.size());
            for (String base : bases) {
                if (sessionFileExists(base)) {
                    ids.add(SessionFileNames.sessionIdOfBase(base));
                } else {
                    removeIfGone(principal, base);
                }
            }
            return ids;
        } catch (IOException e) {
            throw IoFailures.failure("reading the principal index failed", e);
        } finally {
            exit();
        }
    }

    /**
     * Releases the directory handle and this store's share of the lock file, after operations in progress
     * have finished. Idempotent.
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
        closeQuietly(folders, locks);
    }

    // ------------------------------------------------------------------ locked work

    /** What a write does in a session's shard folder while it holds the session's lock. */
    @FunctionalInterface
    private interface LockedWork<T> {
        T run(Folder folder, String base) throws IOException;
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
                Folder folder = createFolder ? folders.openOrCreate(shard) : folders.open(shard)) {
            return folder == null ? null : work.run(folder, base);
        } catch (IOException e) {
            throw IoFailures.failure(failure, e);
        } finally {
            exit();
        }
    }

    private StripeLocks.Held lock(String base) {
        return locks.acquire(SessionFileNames.stripeOf(base), lockTimeoutNanos);
    }

    /** The principal stored in session file {@code base}, or {@code null} if none, unreadable or gone. */
    private String principalIfReadable(Folder folder, String base, String sid) {
        try {
            SessionRecord stored = files.read(folder, base, sid);
            return stored == null ? null : stored.principal();
        } catch (IOException | UnreadableEntryException e) {
            return null; // its index entry, if any, stays as a stale entry that lookups clean up
        }
    }

    /**
     * Removes the index entry of session {@code base} under {@code principal} (nothing when it is {@code null}),
     * with the session's lock held and after its file stopped naming the principal. A failure leaves a stale
     * entry, which is allowed, so it is logged rather than failing a write that has happened.
     */
    private void unindex(String principal, String base) {
        if (principal == null) {
            return;
        }
        try {
            index.remove(principal, base);
        } catch (IOException e) {
            LOG.warn("Could not remove a principal index entry; it stays as a stale entry: {}", IoFailures.describe(e));
        }
    }

    // ------------------------------------------------------------------ sweeping

    /**
     * Sweeps shard folder {@code shardIndex} — its {@code names}, or all of it when {@code null} — deleting at
     * most {@code budget} expired sessions. When it stops for the budget, it leaves the names it did not get
     * to in {@link #cursorNames}. A failing folder is logged and skipped, so one bad folder does not stop the
     * sweeper.
     */
    private int sweepShard(int shardIndex, List<String> names, long now, int budget,
            Consumer<? super SessionRecord> removed) {
        String shard = SessionFileNames.shardName(shardIndex);
        int count = 0;
        enter();
        try (Folder folder = folders.open(shard)) {
            if (folder == null) {
                return 0;
            }
            List<String> all = names != null ? names : folder.names();
            for (int i = 0; i < all.size(); i++) {
                String name = all.get(i);
                String sid = SessionFileNames.sessionIdOf(name);
                if (sid != null) {
                    BasicFileAttributes attributes = folder.attributes(name);
                    boolean due = attributes != null && attributes.isRegularFile()
                            && attributes.lastModifiedTime().toMillis() <= now;
                    if (due && deleteIfExpired(folder, sid, now, removed) && ++count == budget) {
                        cursorNames = new ArrayList<>(all.subList(i + 1, all.size()));
                        return count;
                    }
                } else if (SessionFileNames.isTempName(name)) {
                    temps.removeIfLeftover(folder, name);
                }
            }
        } catch (IOException | SessionStoreException e) {
            LOG.warn("Sweeping shard folder {} failed: {}", shard, e instanceof IOException
                    ? IoFailures.describe((IOException) e) : e.getMessage());
        } finally {
            exit();
        }
        return count;
    }

    /**
     * Under the session's lock: deletes its file and index entry if the record has expired at {@code now},
     * else sets the file's time to the expiry (a file written by another program carries its write time).
     * An unreadable file is left alone.
     */
    @SuppressWarnings("try") // the session's lock is held for the block and never referenced in it
    private boolean deleteIfExpired(Folder folder, String sid, long now, Consumer<? super SessionRecord> removed)
            throws IOException {
        String base = SessionFileNames.baseName(sid);
        SessionRecord stored;
        try (StripeLocks.Held held = lock(base)) {
            try {
                stored = files.read(folder, base, sid);
            } catch (UnreadableEntryException e) {
                return false;
            }
            if (stored == null) {
                return false;
            }
            if (!stored.isExpiredAt(now)) {
                files.setExpiryHint(folder, base, stored);
                return false;
            }
            files.delete(folder, base);
            unindex(stored.principal(), base);
        }
        removed.accept(stored); // outside the lock: a listener's time is not the store's
        return true;
    }

    // ------------------------------------------------------------------ the principal index

    /** The index entries of {@code principal}, rebuilding the index first if it is incomplete or damaged. */
    @SuppressWarnings("try") // the rebuild lock is held for the block and never referenced in it
    private List<String> indexEntries(String principal) throws IOException {
        List<String> entries = entriesIfSound(principal);
        if (entries != null) {
            return entries;
        }
        StripeLocks.Held rebuilding;
        try {
            rebuilding = locks.acquire(StripeLocks.INDEX_REBUILD, lockTimeoutNanos);
        } catch (SessionStoreTimeoutException e) {
            throw new SessionStoreTimeoutException("the principal index is being rebuilt by another thread or process"
                    + " for longer than the lock timeout; try again later", e);
        }
        try (StripeLocks.Held held = rebuilding) {
            entries = entriesIfSound(principal); // rebuilt meanwhile by another thread or process?
            if (entries != null) {
                return entries;
            }
            rebuildIndex();
        }
        return index.entries(principal);
    }

    /** The entries of {@code principal}, or {@code null} when the index is incomplete or damaged. */
    private List<String> entriesIfSound(String principal) throws IOException {
        try {
            return index.isComplete() ? index.entries(principal) : null;
        } catch (FileSystemException e) {
            return null; // a link or file in place of a folder of the index
        }
    }

    /**
     * Rebuilds the index: deletes what is damaged, adds the entry of every session file that names a principal
     * (each under its session's lock, so no concurrent write is missed), then marks the index complete. Stale
     * entries found on the way stay, as they may. Called with the index rebuild lock held.
     */
    private void rebuildIndex() throws IOException {
        long started = System.nanoTime();
        boolean existed = Files.exists(directory.root.resolve(PrincipalIndexFiles.FOLDER), NOFOLLOW_LINKS);
        index.markIncomplete(); // first: a crash during the rebuild leaves it to be rebuilt again
        int damaged = index.deleteDamage();
        int scanned = 0;
        int indexed = 0;
        for (int shardIndex = 0; shardIndex < SessionFileNames.SHARDS; shardIndex++) {
            try (Folder folder = folders.open(SessionFileNames.shardName(shardIndex))) {
                if (folder == null) {
                    continue;
                }
                for (String name : folder.names()) {
                    String sid = SessionFileNames.sessionIdOf(name);
                    if (sid != null) {
                        scanned++;
                        if (indexSession(folder, sid)) {
                            indexed++;
                        }
                    }
                }
            }
        }
        index.markComplete();
        LOG.warn("The principal index was {}; rebuilt it from {} session files ({} with a principal) in {} ms",
                !existed ? "missing" : damaged > 0 ? "damaged (" + damaged + " entries that were not folders removed)"
                        : "incomplete", scanned, indexed, TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
    }

    /** Under the session's lock: adds the index entry of session {@code sid} if its file names a principal. */
    @SuppressWarnings("try") // the session's lock is held for the block and never referenced in it
    private boolean indexSession(Folder folder, String sid) throws IOException {
        String base = SessionFileNames.baseName(sid);
        try (StripeLocks.Held held = lock(base)) {
            SessionRecord stored;
            try {
                stored = files.read(folder, base, sid);
            } catch (UnreadableEntryException e) {
                return false;
            }
            if (stored == null || stored.principal() == null) {
                return false;
            }
            // Unflushed: one flush per entry would make a rebuild of a large store take hours on a disk.
            index.add(stored.principal(), base, false);
            return true;
        }
    }

    private boolean sessionFileExists(String base) throws IOException {
        try (Folder folder = folders.open(SessionFileNames.shardOf(base))) {
            return folder != null && folder.attributes(SessionFileNames.sessionFileName(base)) != null;
        }
    }

    /** Under the session's lock: deletes index entry ({@code principal}, {@code base}) if the session is gone. */
    @SuppressWarnings("try") // the session's lock is held for the block and never referenced in it
    private void removeIfGone(String principal, String base) throws IOException {
        try (StripeLocks.Held held = lock(base)) {
            // Checked again under the lock: a writer creating the session adds the entry before the file.
            if (!sessionFileExists(base)) {
                index.remove(principal, base);
            }
        }
    }

    // ------------------------------------------------------------------ start and lifecycle

    /**
     * Deletes leftover temporary files in every shard folder and probe files in the directory; when no shard
     * folder holds a session file, marks the principal index complete (there is nothing to rebuild it from).
     */
    private void startUp() {
        boolean sessionsSeen = false;
        boolean allListed = true;
        for (int shardIndex = 0; shardIndex < SessionFileNames.SHARDS; shardIndex++) {
            String shard = SessionFileNames.shardName(shardIndex);
            try (Folder folder = folders.open(shard)) {
                if (folder != null) {
                    for (String name : folder.names()) {
                        if (SessionFileNames.isTempName(name)) {
                            temps.removeIfLeftover(folder, name);
                        } else if (SessionFileNames.sessionIdOf(name) != null) {
                            sessionsSeen = true;
                        }
                    }
                }
            } catch (IOException e) {
                allListed = false;
                LOG.warn("Could not look for leftover temporary files in shard folder {}: {}", shard,
                        IoFailures.describe(e));
            }
        }
        directory.removeLeftoverProbes(temps);
        if (!sessionsSeen && allListed) {
            // Safe with other processes writing meanwhile: each adds its entry before its session file.
            try {
                if (!index.isComplete()) {
                    index.markComplete();
                }
            } catch (IOException e) {
                LOG.warn("Could not mark the principal index of an empty store complete: {}", IoFailures.describe(e));
            }
        }
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

    private static void closeQuietly(ShardFolders openedFolders, StripeLocks openedLocks) {
        try {
            if (openedFolders != null) {
                openedFolders.close();
            }
        } catch (IOException e) {
            LOG.warn("Closing the session directory failed: {}", IoFailures.describe(e));
        }
        try {
            if (openedLocks != null) {
                openedLocks.release();
            }
        } catch (IOException e) {
            LOG.warn("Closing the session lock file failed: {}", IoFailures.describe(e));
        }
    }
}
