package dev.satchel.store.file;

import static dev.satchel.spi.BuilderRules.requireArgument;
import static dev.satchel.spi.BuilderRules.requireNonNull;
import static dev.satchel.spi.BuilderRules.requireUnset;

import dev.satchel.SessionManager;
import dev.satchel.SessionStoreUnavailableException;
import dev.satchel.spi.StoreMetrics;
import dev.satchel.spi.StoreSessionManager;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;

/**
 * Session managers over a directory of JSON files, one per session: the embedded default store, for one
 * process or several on one host. The manager built is Satchel's {@linkplain StoreSessionManager policy
 * manager} over this store, and implements {@link dev.satchel.PrincipalIndex} ("log out everywhere") and
 * {@link dev.satchel.ExpiryEvents}.
 *
 * <pre>{@code
 * SessionManager sessions = FileBackedSessionManager.at(Path.of("/var/lib/myapp/sessions"));
 * }</pre>
 *
 * <h2>Layout</h2>
 * <pre>
 * dir/                                         the store directory (0700 when created here)
 *   satchel.lock                               lock file, always empty (see below)
 *   3f/                                        shard folder: the first two hex digits of its files' names (0700)
 *     3fa91c…e2.json                           one session (0600)
 *     3fa91c…e2.4242-1700000000000.17.tmp      a write in progress: writer pid-start, sequence number
 *     3fa91c…e2.json.corrupt                   a corrupt session file, moved aside
 *   principals/                                the principal index (0700)
 *     complete                                 empty: the index holds every session's principal
 *     9f/9f86d0…0a08/                          one principal: SHA-256 of its name's UTF-8, hex; 9f = its first two digits
 *       3fa91c…e2                              empty: session 3fa91c…e2 has this principal (0600)
 * </pre>
 * A session file is named by the lowercase hex of the 16 bytes its id encodes, so names have no letter case
 * to lose on a case-insensitive file system and contain nothing a path could be made of. It holds exactly
 * {@link dev.satchel.spi.SessionCodec#encode} of the record — the language-neutral document — and its
 * last-modified time is set to the session's expiry, which lets a sweep skip a file after one {@code stat}
 * until its time has come. A principal's name never becomes a path, only its hash. The store's README
 * gives the rules another program follows to keep the index right.
 *
 * <h2>Writes, locks and crashes</h2>
 * Every write is: under the session's lock, read the stored record, merge the request's changes into it, write
 * the result to a new temporary file in the same shard folder, optionally flush it ({@link Fsync}), and rename
 * it over the session file in one step. A process killed at any instant leaves the old or the new record and
 * at most a stray temporary file, which the next start (or sweep) removes. Each session maps to one of 4096
 * lock stripes: an in-JVM lock plus an exclusive {@code fcntl} record lock on that byte of {@code satchel.lock},
 * which any process on the host (another JVM, Python's {@code fcntl.lockf}) respects. Reads take no lock.
 * A principal index entry is created before the session file names the principal and deleted after it no
 * longer does, so no crash leaves a live session missing from the index; an entry left pointing at a gone
 * session is skipped and deleted by the next lookup. A missing or damaged index is rebuilt by a scan.
 *
 * <h2>Links and hostile files</h2>
 * Ids are validated before any name is built from them. Where the platform offers it (Linux, macOS), every
 * file operation goes through directory handles opened with {@code O_NOFOLLOW}, so no symbolic link planted
 * inside the store is ever followed. A corrupt session file is moved aside as {@code <name>.corrupt} when it
 * is read; one of a newer format (a newer Satchel during a rolling upgrade) is left untouched.
 *
 * <p>Not for network file systems: it relies on atomic rename and {@code fcntl} locks on one host. Processes
 * sharing a directory should share a PID namespace (one host, or one container), since leftover temporary
 * files are recognised by their writer's process id.
 */
public final class FileBackedSessionManager {

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
         * state it had before; a principal index entry may be lost too. Cheapest: no device flush per write. For
         * stores that are expendable or live on {@code tmpfs}.
         */
        NONE,
        /**
         * Flush the temporary file's data before the rename ({@code fdatasync}), and a new principal index entry
         * before the session names its principal. After a power failure every file holds a complete record, the
         * old or the new one; a change made just before may be lost, since the rename itself is not flushed. One
         * device flush per write (two when the principal changes). The default: a session store can afford to
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

    private FileBackedSessionManager() {}

    /**
     * A manager over directory {@code dir} with every default: the system clock, {@link Fsync#DATA}, a sweep
     * every minute, a 10-second lock timeout.
     *
     * @throws SessionStoreUnavailableException if the directory cannot be created or written
     */
    public static SessionManager at(Path dir) {
        return builder(dir).build();
    }

    /** Starts configuring a manager over directory {@code dir} (created on {@link Builder#build()} if missing). */
    public static Builder builder(Path dir) {
        return new Builder(requireNonNull(dir, "dir"));
    }

    /**
     * Configures a file-backed manager. Follows {@link dev.satchel.spi.BuilderRules}: each setting may be set
     * once and is checked when set; {@code build()} leaves the builder as it was, so it may build again (two
     * managers over one directory share its locks). Not thread-safe.
     */
    public static final class Builder {
        private final Path dir;
        private Clock clock;
        private Fsync fsync;
        private Duration sweepInterval;
        private Duration lockTimeout;
        private StoreMetrics metrics;
        /** Whether to use directory handles where the platform has them; off only to test the path fallback. */
        boolean secureFolders = true;

        private Builder(Path dir) {
            this.dir = dir;
        }

        /** The clock expiry is measured with, and the age of leftover temporary files; default {@link Clock#systemUTC()}. */
        public Builder clock(Clock clock) {
            requireUnset(this.clock, "clock");
            this.clock = requireNonNull(clock, "clock");
            return this;
        }

        /** When writes are flushed to the device; default {@link Fsync#DATA}. See {@link Fsync}. */
        public Builder fsync(Fsync mode) {
            requireUnset(fsync, "fsync");
            this.fsync = requireNonNull(mode, "mode");
            return this;
        }

        /**
         * How long the background sweeper waits between passes; default one minute. A pass lists every shard
         * folder and {@code stat}s each file (about 2.5 s for a million sessions), reading only files whose
         * expiry has come.
         */
        public Builder sweepInterval(Duration interval) {
            requireUnset(sweepInterval, "sweep interval");
            requireNonNull(interval, "interval");
            requireArgument(!interval.isNegative() && !interval.isZero(), "sweep interval must be positive, was %s",
                    interval);
            this.sweepInterval = interval;
            return this;
        }

        /**
         * No background sweeper: expired sessions stay on disk (invisible) until
         * {@link StoreSessionManager#sweepNow} is called. Sets the sweep interval, so it excludes
         * {@link #sweepInterval}.
         */
        public Builder withoutBackgroundSweeper() {
            requireUnset(sweepInterval, "sweep interval");
            this.sweepInterval = Duration.ZERO;
            return this;
        }

        /**
         * How long an operation waits for a session's lock held by another thread or process before failing
         * with a {@link dev.satchel.SessionStoreTimeoutException}; default 10 seconds.
         */
        public Builder lockTimeout(Duration timeout) {
            requireUnset(lockTimeout, "lock timeout");
            requireNonNull(timeout, "timeout");
            requireArgument(!timeout.isNegative() && !timeout.isZero(), "lock timeout must be positive, was %s",
                    timeout);
            this.lockTimeout = timeout;
            return this;
        }

        /** Where store operations are reported (timings, outcomes); default {@link StoreMetrics#NONE}. */
        public Builder metrics(StoreMetrics metrics) {
            requireUnset(this.metrics, "metrics");
            this.metrics = requireNonNull(metrics, "metrics");
            return this;
        }

        /**
         * Creates the directory if missing, checks it is writable, removes leftover temporary files and starts the
         * sweeper. The manager owns the store: closing it stops the sweeper and releases the directory.
         *
         * @throws SessionStoreUnavailableException if the directory cannot be created or written, or its lock
         *     file cannot be opened
         */
        public SessionManager build() {
            Clock c = clock == null ? Clock.systemUTC() : clock;
            FileSessionStore store = openStore(c);
            try {
                StoreSessionManager.Builder manager = StoreSessionManager.over(store).name("file").clock(c);
                if (sweepInterval != null) {
                    manager.sweepInterval(sweepInterval);
                }
                if (metrics != null) {
                    manager.metrics(metrics);
                }
                return manager.build();
            } catch (RuntimeException | Error e) {
                store.close();
                throw e;
            }
        }

        /** The store alone, for tests of the store's own behaviour. */
        FileSessionStore openStore(Clock c) {
            return FileSessionStore.open(dir, fsync == null ? Fsync.DATA : fsync,
                    (lockTimeout == null ? Duration.ofSeconds(10) : lockTimeout).toNanos(), c, secureFolders);
        }
    }
}
