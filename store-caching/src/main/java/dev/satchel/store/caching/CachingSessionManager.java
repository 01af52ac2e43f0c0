package dev.satchel.store.caching;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.RemovalCause;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.satchel.ExpiryEvents;
import dev.satchel.Invalidations;
import dev.satchel.PrincipalIndex;
import dev.satchel.Session;
import dev.satchel.SessionConflictException;
import dev.satchel.SessionManager;
import dev.satchel.SessionStoreException;
import dev.satchel.spi.SessionAccess;
import dev.satchel.spi.SessionIds;
import dev.satchel.spi.SessionRecord;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executor;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A bounded in-memory cache of immutable {@link SessionRecord}s in front of another {@link SessionManager}
 * (its <em>parent</em>): reads are answered from memory, writes go through to the parent.
 *
 * <pre>{@code
 * SessionManager sessions = CachingSessionManager.over(FileBackedSessionManager.at(dir))
 *     .maximumSize(10_000)                  // or .maximumWeight(64 << 20): bytes of stored documents
 *     .maxStaleness(Duration.ofSeconds(1))  // how long another node's write may go unseen
 *     .recordStats()
 *     .build();
 * }</pre>
 *
 * <p><b>What it holds.</b> Two Caffeine caches, both in this JVM's heap and keyed by session id:
 * <ul>
 *   <li><em>records</em>: id → the session's immutable record as the parent last returned or accepted it,
 *       bounded by {@linkplain Builder#maximumSize entry count} (default {@value #DEFAULT_MAXIMUM_SIZE}) or
 *       by {@linkplain Builder#maximumWeight the estimated bytes of the stored documents}. An entry lives
 *       until the session's own expiry ({@code min(lastAccess + idleTimeout, deadline)}) or until it is
 *       {@linkplain Builder#maxStaleness maxStaleness} old, whichever comes first.</li>
 *   <li><em>misses</em>: id → "absent", for {@linkplain Builder#negativeCacheTtl negativeCacheTtl}
 *       (default 1 s), at most {@linkplain Builder#negativeCacheSize negativeCacheSize} ids (default
 *       {@value #DEFAULT_NEGATIVE_CACHE_SIZE}), so a flood of forged or stale ids costs the parent one
 *       lookup per id per interval. Kept apart from the records so such a flood cannot evict live
 *       sessions.</li>
 * </ul>
 * Every {@link #get} hands out a new {@link Session} over the cached record: a copy-on-write view, so no
 * two callers share mutable state, and a hit costs one map lookup, that one small object and the
 * {@code Optional} the interface returns.
 *
 * <p><b>Order of operations.</b>
 * <ul>
 *   <li>{@code get}/{@code exists}: an invalid id is absent without touching anything. Then records
 *       (hit: done), then misses (hit: absent), then the parent; its answer is cached (a record, or the
 *       miss) unless a write to the same session finished meanwhile.</li>
 *   <li>{@code put}: the parent first. It returned {@code true}: the session now holds the merged stored
 *       record, which replaces the cached one, and any remembered miss for the id is cleared (a new
 *       session's first put included). It returned {@code false} (removed or expired meanwhile): the
 *       cached record is dropped and the miss remembered.</li>
 *   <li>{@code remove}: the parent first, then the cached record is dropped and the miss remembered.</li>
 *   <li>{@code newSession} goes to the parent unchanged; nothing is cached before the first put.</li>
 * </ul>
 * The cache therefore never holds a state the parent refused. <b>When the parent fails half-way</b> (a
 * {@code put} or {@code remove} throws), what the parent holds is unknown: the cached record and any
 * remembered miss for that id are dropped and the exception is rethrown unchanged, so the next read asks
 * the parent again. A lookup that throws caches nothing and is rethrown unchanged.
 *
 * <p><b>Other writers: staleness and invalidations.</b> A write made through another manager over the same
 * store (another node, another process) is not seen while a cached record is trusted, so a logout there
 * is honoured here up to {@code maxStaleness} later, and a read-modify-write of one attribute here may
 * work on a value up to that old (writes still merge per attribute in the parent, so no other change is
 * lost). The default maxStaleness is {@value #DEFAULT_MAX_STALENESS_MILLIS} ms, safe for several nodes
 * over a shared store; a single process that alone writes its store can trust records for as long as the
 * session lives: {@code maxStaleness(Duration.ofHours(12))} or more. If the parent implements
 * {@link Invalidations} (as a Redis store can), the cache subscribes when built and drops a record as soon
 * as any node reports a change to it, and everything when the feed reports a gap; then the default
 * maxStaleness is {@value #DEFAULT_MAX_STALENESS_WITH_INVALIDATIONS_MILLIS} ms, a backstop only. Use
 * {@link Builder#invalidationsFrom} for a feed the parent does not offer itself and
 * {@link Builder#withoutInvalidations} to ignore the parent's. Own writes come back through the feed
 * too: a write's report carries the record version it stored, and a cached copy at least that new — the
 * one this node just wrote — is kept, an older one dropped; a removal's report always drops the copy. So a
 * session written here on every request is still read from the cache, while a write on another node drops
 * this node's copy as before.
 *
 * <p><b>Principal index.</b> If the parent implements {@link PrincipalIndex}, the manager built implements
 * it too (test with {@code instanceof}): lookups go to the parent, and {@code removeByPrincipal} drops
 * every cached record of that principal after the parent removed them, also when it fails part-way.
 *
 * <p><b>Expiry events.</b> If the parent implements {@link ExpiryEvents} (its sweeper can say which sessions
 * it removed), the manager built implements it too: each event drops the cached record, then reaches the
 * listener.
 *
 * <p><b>Bookkeeping.</b> Caffeine's maintenance — recording reads for the eviction policy, evicting and
 * expiring — runs on the {@linkplain Builder#executor executor} (default the common pool), so a request
 * pays for the lookup, not the bookkeeping. A bound may therefore be exceeded briefly until it runs.
 *
 * <p><b>Time.</b> Every expiry decision uses the injected {@link Clock} (Caffeine's ticker reads it), so
 * tests move time with a mutable clock; give the parent the same clock. Only the load times reported to
 * {@link CacheMetrics} are measured with {@link System#nanoTime()}, and only when metrics are on.
 *
 * <p>Thread-safe. {@link #close()} ends the invalidation subscription, empties the cache and closes the
 * parent; every later call but {@code close()} throws {@link IllegalStateException}. Logs no session id, randval or attribute value.
 */
public class CachingSessionManager implements SessionManager {

    /** Default bound when neither {@link Builder#maximumSize} nor {@link Builder#maximumWeight} is set. */
    public static final long DEFAULT_MAXIMUM_SIZE = 10_000;
    /** Default for {@link Builder#negativeCacheSize}. */
    public static final long DEFAULT_NEGATIVE_CACHE_SIZE = 10_000;
    /** Default for {@link Builder#negativeCacheTtl}: one second. */
    public static final Duration DEFAULT_NEGATIVE_CACHE_TTL = Duration.ofSeconds(1);
    /** Default for {@link Builder#maxStaleness} without an invalidation feed, in milliseconds (1 s). */
    public static final long DEFAULT_MAX_STALENESS_MILLIS = 1_000;
    /** Default for {@link Builder#maxStaleness} with an invalidation feed, in milliseconds (1 min). */
    public static final long DEFAULT_MAX_STALENESS_WITH_INVALIDATIONS_MILLIS = 60_000;

    private static final Logger LOG = LoggerFactory.getLogger(CachingSessionManager.class);
    /** One reusable id view per thread: {@link #lookup} allocates nothing but the session it returns. */
    private static final ThreadLocal<IdView> ID_VIEWS = ThreadLocal.withInitial(IdView::new);

    private final SessionManager parent;
    private final Clock clock;
    private final long maxStalenessMillis;
    private final CacheMetrics metrics;
    /** Whether load times are measured: not when nobody records them. */
    private final boolean timed;
    /** Whether entries carry their weight: only a weight bound needs it. */
    private final boolean weighed;
    private final Cache<String, CachedRecord> records;
    private final Cache<String, Boolean> misses;
    private final WriteCounters writes = new WriteCounters();
    private final VersionFloors floors = new VersionFloors();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile Invalidations.Subscription subscription;

    CachingSessionManager(Builder b) {
        this.parent = b.parent;
        this.clock = b.clock == null ? Clock.systemUTC() : b.clock;
        this.metrics = b.metrics == null ? CacheMetrics.disabled() : GuardedMetrics.guard(b.metrics);
        this.timed = !(metrics instanceof DisabledMetrics);
        this.weighed = b.maximumWeight != Builder.UNSET;
        boolean fed = b.feed() != null;
        this.maxStalenessMillis = b.maxStaleness != null ? saturatedMillis(b.maxStaleness)
                : fed ? DEFAULT_MAX_STALENESS_WITH_INVALIDATIONS_MILLIS : DEFAULT_MAX_STALENESS_MILLIS;
        Clock c = clock;
        Ticker ticker = () -> nanos(c.millis());
        CacheMetrics m = metrics;
        Executor executor = b.executor == null ? ForkJoinPool.commonPool() : b.executor;
        Caffeine<String, CachedRecord> recordsBuilder = Caffeine.newBuilder()
                .ticker(ticker)
                .executor(executor)
                .expireAfter(new TrustedUntil())
                .evictionListener((String sid, CachedRecord e, RemovalCause cause) -> {
                    if (cause == RemovalCause.SIZE && e != null) {
                        m.recordEviction(e.weight);
                    }
                });
        if (b.maximumWeight != Builder.UNSET) {
            recordsBuilder.maximumWeight(b.maximumWeight).weigher((String sid, CachedRecord e) -> e.weight);
        } else {
            recordsBuilder.maximumSize(b.maximumSize != Builder.UNSET ? b.maximumSize : DEFAULT_MAXIMUM_SIZE);
        }
        this.records = recordsBuilder.build();
        this.misses = Caffeine.newBuilder()
                .ticker(ticker)
                .executor(executor)
                .maximumSize(b.negativeCacheSize != Builder.UNSET ? b.negativeCacheSize : DEFAULT_NEGATIVE_CACHE_SIZE)
                .expireAfterWrite(b.negativeCacheTtl != null ? b.negativeCacheTtl : DEFAULT_NEGATIVE_CACHE_TTL)
                .build();
    }

    /**
     * Starts configuring a cache in front of {@code parent}. The built manager owns the parent: closing it
     * closes the parent.
     *
     * @throws NullPointerException if {@code parent} is null
     */
    public static Builder over(SessionManager parent) {
        return new Builder(Objects.requireNonNull(parent, "parent"));
    }

    /** Returns the parent's new session; nothing is cached or stored until {@link #put}. */
    @Override
    public Session newSession() {
        checkOpen();
        return parent.newSession();
    }

    /**
     * Whether the session is stored and not expired, answered like {@link #get}.
     *
     * @throws dev.satchel.SessionStoreException if the parent had to be asked and failed
     */
    @Override
    public boolean exists(String sid) {
        return lookup(sid) != null;
    }

    /**
     * Returns a new working copy over the cached record, or over the parent's when none is cached.
     *
     * @throws dev.satchel.SessionStoreException if the parent had to be asked and failed; nothing is cached
     */
    @Override
    public Optional<Session> get(String sid) {
        SessionRecord record = lookup(sid);
        return record == null ? Optional.empty() : Optional.of(SessionAccess.wrap(record));
    }

    /**
     * {@inheritDoc} A cached session is found without copying its id out of {@code text} and costs one
     * small object, the {@link Session} itself; otherwise this answers exactly like {@link #get}.
     */
    @Override
    public Session lookup(CharSequence text, int start) {
        checkOpen();
        if (!SessionIds.isValid(text, start)) {
            return null;
        }
        IdView id = ID_VIEWS.get().of(text, start);
        CachedRecord cached;
        boolean knownMissing;
        try {
            // asMap().get takes any key: the view finds the String key equal to it (see IdView).
            cached = records.asMap().get(id);
            knownMissing = cached == null && misses.asMap().get(id) != null;
        } finally {
            id.clear();
        }
        if (cached != null) {
            metrics.recordHits(1);
            return SessionAccess.wrap(cached.record);
        }
        if (knownMissing) {
            metrics.recordNegativeHits(1);
            return null;
        }
        SessionRecord loaded = load(text.subSequence(start, start + SessionIds.LENGTH).toString());
        return loaded == null ? null : SessionAccess.wrap(loaded);
    }

    /**
     * Stores the session in the parent, then caches what the parent now holds (see the class comment).
     *
     * @return the parent's answer: {@code false} if the session was removed or expired meanwhile
     * @throws dev.satchel.SessionConflictException if a new session's id is taken; the cache forgets the id
     * @throws dev.satchel.SessionStoreException if the parent fails; the cache forgets the id
     */
    @Override
    public boolean put(Session session) {
        checkOpen();
        String sid = session.id();
        int stripe = WriteCounters.stripe(sid);
        long before = writes.read(stripe);
        boolean stored;
        try {
            stored = parent.put(session);
        } catch (RuntimeException e) {
            forget(sid, stripe);
            throw e;
        }
        long after = writes.bump(stripe);
        // A quiet look first: invalidating an absent key still allocates. A miss remembered after the look
        // read its stripe's counter before our bump (a later load finds what we stored), so it is refused.
        if (misses.policy().getIfPresentQuietly(sid) != null) {
            misses.invalidate(sid);
        }
        if (stored && after == before + 1) {
            cache(sid, SessionAccess.record(session), stripe, after);
        } else {
            // Removed or expired; or another write landed between ours and now, so ours may be stale.
            records.invalidate(sid);
            if (!stored) {
                rememberMiss(sid, stripe, after);
            }
        }
        return stored;
    }

    /**
     * Removes the session from the parent, then from the cache. Invalid ids are ignored.
     *
     * @throws dev.satchel.SessionStoreException if the parent fails; the cache forgets the id
     */
    @Override
    public void remove(String sid) {
        checkOpen();
        if (!SessionIds.isValid(sid)) {
            return;
        }
        int stripe = WriteCounters.stripe(sid);
        try {
            parent.remove(sid);
        } catch (RuntimeException e) {
            forget(sid, stripe);
            throw e;
        }
        long after = writes.bump(stripe);
        records.invalidate(sid);
        rememberMiss(sid, stripe, after);
    }

    /** A snapshot of the counters; all zero unless built with {@link Builder#recordStats()} or metrics. */
    public CacheStats stats() {
        return metrics.snapshot();
    }

    /**
     * Ends the invalidation subscription, empties the cache and closes the parent. Idempotent. A failure to
     * end the subscription is logged; one from the parent's close propagates.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        Invalidations.Subscription s = subscription;
        if (s != null) {
            try {
                s.close();
            } catch (RuntimeException e) {
                LOG.warn("Closing the invalidation subscription failed", e);
            }
        }
        records.invalidateAll();
        misses.invalidateAll();
        parent.close();
    }

    @Override
    public String toString() {
        return "CachingSessionManager[over " + parent.getClass().getSimpleName() + "]";
    }

    // ------------------------------------------------------------------ for the subclasses and tests

    /**
     * Every call but {@code close()} fails after it, as every Satchel manager's does.
     *
     * @throws IllegalStateException once closed
     */
    final void checkOpen() {
        if (closed.get()) {
            throw new IllegalStateException("the session manager is closed");
        }
    }

    /** Forwards the parent's expiry events, dropping each expired session from the cache first. */
    final Invalidations.Subscription forwardExpiry(ExpiryEvents parentEvents, Consumer<Session> listener) {
        checkOpen();
        return parentEvents.onExpired(expired -> {
            records.invalidate(expired.id());
            listener.accept(expired);
        });
    }

    /** Drops every cached record of {@code principal}, after the parent removed that principal's sessions. */
    final void forgetPrincipal(String principal) {
        writes.bumpAll();
        records.asMap().values().removeIf(e -> principal.equals(e.record.principal()));
    }

    /** The cached record of {@code sid}, without counting a hit or touching the eviction order. */
    /** The ids of every cached record, for tests. */
    final java.util.Set<String> cachedIds() {
        return java.util.Set.copyOf(records.asMap().keySet());
    }

    /** Whether {@link #close()} was called. */
    final boolean isClosed() {
        return closed.get();
    }

    final SessionRecord cachedRecord(String sid) {
        CachedRecord e = records.policy().getIfPresentQuietly(sid);
        return e == null ? null : e.record;
    }

    /** Whether a miss for {@code sid} is remembered. */
    final boolean remembersMiss(String sid) {
        return misses.policy().getIfPresentQuietly(sid) != null;
    }

    /** Number of cached records after pending maintenance (evictions) has run. */
    final long cachedCount() {
        records.cleanUp();
        return records.estimatedSize();
    }

    /** Number of remembered misses after pending maintenance has run. */
    final long missCount() {
        misses.cleanUp();
        return misses.estimatedSize();
    }

    // ------------------------------------------------------------------ internals

    private void subscribe(Invalidations feed) {
        subscription = feed.subscribe(new Listener());
    }

    /** The hot path: the record to hand out for {@code sid}, or {@code null} when absent. */
    private SessionRecord lookup(String sid) {
        if (!SessionIds.isValid(sid)) {
            return null;
        }
        CachedRecord cached = records.getIfPresent(sid);
        if (cached != null) {
            metrics.recordHits(1);
            return cached.record;
        }
        if (misses.getIfPresent(sid) != null) {
            metrics.recordNegativeHits(1);
            return null;
        }
        return load(sid);
    }

    private SessionRecord load(String sid) {
        metrics.recordMisses(1);
        int stripe = WriteCounters.stripe(sid);
        long seen = writes.read(stripe);
        long start = timed ? System.nanoTime() : 0L;
        Optional<Session> found;
        try {
            found = parent.get(sid);
        } catch (RuntimeException e) {
            if (timed) {
                metrics.recordLoadFailure(System.nanoTime() - start);
            }
            throw e;
        }
        if (timed) {
            metrics.recordLoadSuccess(System.nanoTime() - start);
        }
        if (found.isEmpty()) {
            rememberMiss(sid, stripe, seen);
            return null;
        }
        SessionRecord record = SessionAccess.record(found.get());
        cache(sid, record, stripe, seen);
        return record;
    }

    /**
     * Caches {@code record} unless a write to its stripe finished after {@code expectedWrites} was read (then
     * the cached entry is dropped instead, the safe side), or a newer version is cached already.
     */
    private void cache(String sid, SessionRecord record, int stripe, long expectedWrites) {
        long now = clock.millis();
        long trustedUntil = Math.min(record.expiresAt(), saturatedAdd(now, maxStalenessMillis));
        if (trustedUntil <= now) {
            return;
        }
        CachedRecord entry = new CachedRecord(record, nanos(trustedUntil), weighed ? CachedRecord.weigh(record) : 0);
        records.asMap().compute(sid, (k, current) -> {
            // The floor before the count: see VersionFloors.
            if (!floors.admits(stripe, sid, record.version()) || !writes.unchanged(stripe, expectedWrites)) {
                return null;
            }
            if (current != null && current.record.version() > record.version()) {
                return current;
            }
            floors.reached(stripe, sid, record.version());
            return entry;
        });
    }

    private void rememberMiss(String sid, int stripe, long expectedWrites) {
        misses.asMap().compute(sid, (k, current) -> writes.unchanged(stripe, expectedWrites) ? Boolean.TRUE : null);
    }

    /** After a write whose outcome is unknown, or a change made elsewhere: trust nothing about {@code sid}. */
    private void forget(String sid, int stripe) {
        writes.bump(stripe);
        records.invalidate(sid);
        misses.invalidate(sid);
    }

    private void forgetAll() {
        writes.bumpAll();
        records.invalidateAll();
        misses.invalidateAll();
    }

    /** Epoch milliseconds as ticker nanoseconds, saturating (Caffeine caps durations far below that). */
    private static long nanos(long millis) {
        return millis >= Long.MAX_VALUE / 1_000_000 ? Long.MAX_VALUE : TimeUnit.MILLISECONDS.toNanos(millis);
    }

    private static long saturatedAdd(long a, long b) {
        long sum = a + b;
        return ((a ^ sum) & (b ^ sum)) < 0 ? Long.MAX_VALUE : sum;
    }

    private static long saturatedMillis(Duration d) {
        try {
            return d.toMillis();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    /**
     * An entry lives until its own trusted-until instant; reading it does not extend that. Keys are typed
     * {@code Object} because a lookup through {@link IdView} hands the view, not a {@code String}, to
     * {@link #expireAfterRead}.
     */
    private static final class TrustedUntil implements Expiry<Object, CachedRecord> {
        @Override
        public long expireAfterCreate(Object sid, CachedRecord e, long now) {
            return Math.max(0, e.trustedUntilNanos - now);
        }

        @Override
        public long expireAfterUpdate(Object sid, CachedRecord e, long now, long currentDuration) {
            return Math.max(0, e.trustedUntilNanos - now);
        }

        @Override
        public long expireAfterRead(Object sid, CachedRecord e, long now, long currentDuration) {
            return currentDuration;
        }
    }

    /** Feeds invalidations into the cache; quick and never throws, as {@link Invalidations} requires. */
    private final class Listener implements Invalidations.Listener {
        @Override
        public void invalidate(String sid) {
            if (!SessionIds.isValid(sid)) {
                return; // nothing is cached under an invalid id
            }
            try {
                forget(sid, WriteCounters.stripe(sid));
            } catch (RuntimeException e) {
                LOG.warn("Dropping an invalidated session from the cache failed", e);
            }
        }

        /**
         * Keeps a cached copy at least as new as {@code version} (this node's own write, reported back) and
         * drops an older one; with none cached, leaves a {@link VersionFloors floor} so a lookup or write in
         * flight caches nothing older.
         */
        @Override
        public void invalidate(String sid, long version) {
            if (!SessionIds.isValid(sid)) {
                return;
            }
            try {
                int stripe = WriteCounters.stripe(sid);
                misses.invalidate(sid);
                records.asMap().compute(sid, (k, current) -> {
                    if (current != null && current.record.version() >= version) {
                        return current;
                    }
                    floors.raise(stripe, sid, version, writes);
                    return null;
                });
            } catch (RuntimeException e) {
                LOG.warn("Dropping an invalidated session from the cache failed", e);
            }
        }

        @Override
        public void invalidateAll() {
            try {
                forgetAll();
            } catch (RuntimeException e) {
                LOG.warn("Emptying the cache after an invalidation gap failed", e);
            }
        }
    }

    /**
     * Configures a {@link CachingSessionManager}. Each setting may be set once; every method checks its
     * argument at once and throws {@link IllegalArgumentException} for a bad value and
     * {@link IllegalStateException} for a second setting. Not thread-safe.
     */
    public static final class Builder {
        static final long UNSET = -1;
        private static final Invalidations NO_FEED = listener -> () -> {};

        private final SessionManager parent;
        private long maximumSize = UNSET;
        private long maximumWeight = UNSET;
        private Duration negativeCacheTtl;
        private long negativeCacheSize = UNSET;
        private Duration maxStaleness;
        private Clock clock;
        private CacheMetrics metrics;
        private Invalidations invalidations;
        private Executor executor;

        /** The parent the manager is built over. */
        SessionManager parent() {
            return parent;
        }

        private Builder(SessionManager parent) {
            this.parent = parent;
        }

        /**
         * Bounds the cache to {@code count} records (default
         * {@value CachingSessionManager#DEFAULT_MAXIMUM_SIZE} when no bound is set); the least valuable go
         * first (Caffeine's W-TinyLFU). Excludes {@link #maximumWeight}.
         *
         * @throws IllegalArgumentException if {@code count} is not positive
         * @throws IllegalStateException if a size or weight bound was already set
         */
        public Builder maximumSize(long count) {
            requireNoBound();
            requireArgument(count > 0, "maximum size must be positive, was %s", count);
            this.maximumSize = count;
            return this;
        }

        /**
         * Bounds the cache to records whose stored documents together take about {@code bytes} bytes (UTF-8),
         * estimated from the record without encoding it. A single record heavier than the bound is not
         * cached. Excludes {@link #maximumSize}.
         *
         * @throws IllegalArgumentException if {@code bytes} is not positive
         * @throws IllegalStateException if a size or weight bound was already set
         */
        public Builder maximumWeight(long bytes) {
            requireNoBound();
            requireArgument(bytes > 0, "maximum weight must be positive, was %s", bytes);
            this.maximumWeight = bytes;
            return this;
        }

        /**
         * How long a lookup that found nothing is remembered (default one second); {@link Duration#ZERO}
         * turns negative caching off. A put or remove through this manager, or an invalidation, clears it.
         *
         * @throws IllegalArgumentException if {@code ttl} is null or negative
         * @throws IllegalStateException if it was already set
         */
        public Builder negativeCacheTtl(Duration ttl) {
            requireState(negativeCacheTtl == null, "negative cache ttl was already set to %s", negativeCacheTtl);
            requireArgument(ttl != null && !ttl.isNegative(), "negative cache ttl must not be negative, was %s", ttl);
            this.negativeCacheTtl = ttl;
            return this;
        }

        /**
         * How many missing ids are remembered at most (default
         * {@value CachingSessionManager#DEFAULT_NEGATIVE_CACHE_SIZE}); bounds the memory a flood of distinct
         * forged ids can take.
         *
         * @throws IllegalArgumentException if {@code count} is not positive
         * @throws IllegalStateException if it was already set
         */
        public Builder negativeCacheSize(long count) {
            requireState(negativeCacheSize == UNSET, "negative cache size was already set to %s", negativeCacheSize);
            requireArgument(count > 0, "negative cache size must be positive, was %s", count);
            this.negativeCacheSize = count;
            return this;
        }

        /**
         * How long a cached record is trusted before it is read from the parent again, however often it is
         * used: the longest a write made elsewhere goes unseen here. Default one second, or one minute when an
         * invalidation feed is subscribed (see the class comment). A record never outlives its session.
         *
         * @throws IllegalArgumentException if {@code staleness} is null, zero or negative
         * @throws IllegalStateException if it was already set
         */
        public Builder maxStaleness(Duration staleness) {
            requireState(maxStaleness == null, "max staleness was already set to %s", maxStaleness);
            requireArgument(staleness != null && !staleness.isNegative() && !staleness.isZero(),
                    "max staleness must be positive, was %s", staleness);
            this.maxStaleness = staleness;
            return this;
        }

        /**
         * The clock every expiry decision reads (default {@link Clock#systemUTC()}); use the parent's.
         *
         * @throws IllegalArgumentException if {@code clock} is null
         * @throws IllegalStateException if it was already set
         */
        public Builder clock(Clock clock) {
            requireState(this.clock == null, "clock was already set to %s", this.clock);
            requireArgument(clock != null, "clock must not be null", null);
            this.clock = clock;
            return this;
        }

        /**
         * Where the cache's bookkeeping runs — recording reads for the eviction policy, evicting, expiring
         * (Caffeine's maintenance). Default {@link ForkJoinPool#commonPool()}, as in Caffeine: a request
         * thread only hands the work over, which keeps a hit about four times cheaper than doing it inline
         * (see BENCHMARKS.md). {@code Runnable::run} does it on the calling thread instead: deterministic,
         * for tests, or where no pool thread may be used.
         *
         * @throws IllegalArgumentException if {@code executor} is null
         * @throws IllegalStateException if it was already set
         */
        public Builder executor(Executor executor) {
            requireState(this.executor == null, "executor was already set to %s", this.executor);
            requireArgument(executor != null, "executor must not be null", null);
            this.executor = executor;
            return this;
        }

        /**
         * Counts hits, negative hits, misses, load times and evictions in this manager, read with
         * {@link CachingSessionManager#stats()}. Off by default. Excludes {@link #metrics}.
         *
         * @throws IllegalStateException if metrics were already set
         */
        public Builder recordStats() {
            return metrics(new CountingMetrics());
        }

        /**
         * Reports every cache event to {@code metrics} (default: {@link CacheMetrics#disabled()}), behind a
         * guard that logs and ignores its exceptions. {@link CachingSessionManager#stats()} then returns its
         * {@link CacheMetrics#snapshot() snapshot}. Excludes {@link #recordStats}.
         *
         * @throws IllegalArgumentException if {@code metrics} is null
         * @throws IllegalStateException if metrics were already set
         */
        public Builder metrics(CacheMetrics metrics) {
            requireState(this.metrics == null, "metrics were already set to %s", this.metrics);
            requireArgument(metrics != null, "metrics must not be null", null);
            this.metrics = metrics;
            return this;
        }

        /**
         * Subscribes to {@code feed} when built, instead of the parent's own feed: each reported session is
         * dropped from the cache, and everything when the feed reports a gap.
         *
         * @throws IllegalArgumentException if {@code feed} is null
         * @throws IllegalStateException if invalidations were already configured
         */
        public Builder invalidationsFrom(Invalidations feed) {
            requireState(invalidations == null, "invalidations were already configured", null);
            requireArgument(feed != null, "invalidation feed must not be null", null);
            this.invalidations = feed;
            return this;
        }

        /**
         * Does not subscribe to the parent's invalidations even if it offers them; only
         * {@link #maxStaleness} then bounds how stale a record gets.
         *
         * @throws IllegalStateException if invalidations were already configured
         */
        public Builder withoutInvalidations() {
            requireState(invalidations == null, "invalidations were already configured", null);
            this.invalidations = NO_FEED;
            return this;
        }

        /**
         * Builds the manager and subscribes to its invalidation feed. The result implements
         * {@link PrincipalIndex} exactly when the parent does.
         *
         * @throws RuntimeException what subscribing to the feed threw; the parent is then left open
         */
        public CachingSessionManager build() {
            boolean indexed = parent instanceof PrincipalIndex;
            boolean expiring = parent instanceof ExpiryEvents;
            CachingSessionManager manager = indexed && expiring ? new CapableCachingSessionManager.IndexedExpiring(this)
                    : indexed ? new CapableCachingSessionManager.Indexed(this)
                    : expiring ? new CapableCachingSessionManager.Expiring(this)
                    : new CachingSessionManager(this);
            Invalidations feed = feed();
            if (feed != null) {
                manager.subscribe(feed);
            }
            return manager;
        }

        /** The feed to subscribe to, or {@code null} for none. */
        private Invalidations feed() {
            if (invalidations == NO_FEED) {
                return null;
            }
            if (invalidations != null) {
                return invalidations;
            }
            return parent instanceof Invalidations ? (Invalidations) parent : null;
        }

        private void requireNoBound() {
            requireState(maximumSize == UNSET, "maximum size was already set to %s", maximumSize);
            requireState(maximumWeight == UNSET, "maximum weight was already set to %s", maximumWeight);
        }

        private static void requireState(boolean ok, String template, Object value) {
            if (!ok) {
                throw new IllegalStateException(String.format(template, value));
            }
        }

        private static void requireArgument(boolean ok, String template, Object value) {
            if (!ok) {
                throw new IllegalArgumentException(String.format(template, value));
            }
        }
    }
}
