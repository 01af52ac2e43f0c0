package dev.satchel.store.redis;

import dev.satchel.Invalidations;
import dev.satchel.SessionStoreException;
import dev.satchel.SessionStoreTimeoutException;
import dev.satchel.spi.ChangeSet;
import dev.satchel.spi.InvalidatingStore;
import dev.satchel.spi.PrincipalIndexedStore;
import dev.satchel.spi.SessionCodec;
import dev.satchel.spi.SessionIds;
import dev.satchel.spi.SessionRecord;
import dev.satchel.spi.UnreadableEntryException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;

/**
 * The I/O of the Redis store, and nothing else: sessions as hashes, changes merged by a Lua script inside
 * Redis, expiry by Redis's own TTL ({@code PEXPIREAT}, so this is no {@link dev.satchel.spi.SweepableStore}),
 * and a principal index of sorted sets. Layout and commands: see {@link RedisSessionManager} and the README.
 * Policy (expiry decisions, the unreadable-entry policy, the principal filter) is the manager's.
 *
 * <p>Unreadable entries: {@link #load} and {@link #apply} throw {@link UnreadableEntryException} —
 * {@linkplain UnreadableEntryException#newerFormat() newer format} when the hash's {@code v} is a number
 * greater than {@link SessionCodec#FORMAT_VERSION}, whatever its other fields hold (the apply script refuses
 * to write into such a hash), corrupt otherwise. {@link #discard} moves a corrupt entry aside.
 *
 * <p>Thread-safe. Built with {@link #open}; {@link InvalidationMode#PUBLISH} gives the subclass that is also
 * an {@link InvalidatingStore}, so a manager over a store that publishes nothing does not offer a feed.
 */
class RedisSessionStore implements PrincipalIndexedStore {

    private static final Logger LOG = LoggerFactory.getLogger(RedisSessionStore.class);
    private static final LuaScript CREATE = LuaScript.named("create.lua");
    private static final LuaScript APPLY = LuaScript.named("apply.lua");
    private static final LuaScript DELETE = LuaScript.named("delete.lua");
    private static final LuaScript QUARANTINE = LuaScript.named("quarantine.lua");
    private static final LuaScript INDEX_ADD = LuaScript.named("index-add.lua");
    private static final LuaScript INDEX_REMOVE = LuaScript.named("index-remove.lua");
    /** Score of an index entry whose session's latest expiry is unknown or unbounded. */
    private static final String UNBOUNDED = "inf";
    /** A valid id used to check the connection at startup; its key is only read. */
    private static final String PROBE_ID = "AAAAAAAAAAAAAAAAAAAAAA";
    /** Answers of apply.lua. */
    private static final long APPLIED_ONTO_BASE = 2;
    private static final long ABSENT = 0;
    private static final long CORRUPT = -1;
    private static final long OTHER_FORMAT = -2;

    private final UnifiedJedis jedis;
    private final boolean ownsClient;
    private final String namespace;
    private final String sessionPrefix;
    private final String corruptPrefix;
    private final String principalPrefix;
    /** The invalidation channel, or "" when nothing is published. */
    final String channel;
    private final Durability durability;
    private final int replicas;
    private final long replicaTimeoutMillis;
    /** The client's pools, or {@code null} for a client of unknown kind. */
    final ClientPools pools;
    final AtomicBoolean closed = new AtomicBoolean();

    private RedisSessionStore(UnifiedJedis jedis, boolean ownsClient, String namespace, boolean publish,
            Durability durability, int replicas, Duration replicaTimeout) {
        this.jedis = jedis;
        this.ownsClient = ownsClient;
        this.namespace = namespace;
        this.sessionPrefix = namespace + ":session:{";
        this.corruptPrefix = namespace + ":corrupt:{";
        this.principalPrefix = namespace + ":principal:{";
        this.channel = publish ? namespace + ":invalidations" : "";
        this.durability = durability;
        this.replicas = replicas;
        this.replicaTimeoutMillis = replicaTimeout.toMillis();
        this.pools = ClientPools.of(jedis);
    }

    /**
     * A store over {@code jedis} (closed by {@link #close} only if {@code ownsClient}), checked with one read
     * so a wrong address, password or ACL fails here.
     *
     * @param heartbeat the invalidation feed's heartbeat, for {@link InvalidationMode#PUBLISH}
     * @throws SessionStoreException if Redis cannot be reached or refuses access; the store is then closed
     */
    static RedisSessionStore open(UnifiedJedis jedis, boolean ownsClient, String namespace, InvalidationMode mode,
            Duration heartbeat, Durability durability, int replicas, Duration replicaTimeout) {
        RedisSessionStore store = mode == InvalidationMode.PUBLISH
                ? new Publishing(jedis, ownsClient, namespace, heartbeat, durability, replicas, replicaTimeout)
                : new RedisSessionStore(jedis, ownsClient, namespace, false, durability, replicas, replicaTimeout);
        try {
            String probe = store.sessionKey(PROBE_ID);
            store.call("connecting at startup", retry -> jedis.exists(probe));
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        return store;
    }

    // ------------------------------------------------------------------ SessionStore

    @Override
    public SessionRecord load(String id) {
        String key = sessionKey(id);
        Map<String, String> hash = call("reading a session", retry -> jedis.hgetAll(key));
        return SessionHash.decode(hash);
    }

    /**
     * Creates the hash, then (with a principal) its index entry: in this order, so a lookup that prunes the
     * index never meets an entry whose session is still to be written. If the entry cannot be written the
     * session is deleted again (best effort) and the failure thrown: the caller issues no cookie for it, so
     * a session left behind by a failing delete is one nobody can use.
     */
    @Override
    public boolean create(SessionRecord record) {
        String id = record.id();
        List<String> args = SessionHash.createArguments(record);
        Object created = write("creating a session", CREATE, sessionKey(id), retry -> {
            if (retry) {
                // The first attempt may have stored it and lost the answer: let the script recognise it.
                args.set(SessionHash.CREATE_RETRY_RANDVAL, record.randval());
            }
            return args;
        });
        if (!Long.valueOf(1).equals(created)) {
            return false;
        }
        if (record.principal() != null) {
            try {
                addToIndex(record.principal(), id, score(record.deadline()), record.lastAccess());
            } catch (SessionStoreException e) {
                try {
                    delete(id);
                } catch (SessionStoreException again) {
                    e.addSuppressed(again);
                }
                throw e;
            }
        }
        return true;
    }

    @Override
    public SessionRecord apply(ChangeSet changes) {
        String id = changes.sessionId();
        String newPrincipal = changes.principalChanged() ? changes.principal() : null;
        boolean deadlineKnown = changes.deadlineChanged();
        if (newPrincipal != null) {
            // Before the write, so no failure between the two leaves a logged-in session unindexed (the
            // session exists already: a lookup keeps the entry); scored by what is known now.
            addToIndex(newPrincipal, id, deadlineKnown ? score(changes.deadline()) : UNBOUNDED, changes.accessTime());
        }
        List<String> args = SessionHash.applyArguments(changes, channel);
        List<?> answer = (List<?>) write("saving a session", APPLY, sessionKey(id), retry -> args);
        long status = (Long) answer.get(0);
        if (status == ABSENT) {
            return null;
        }
        if (status == OTHER_FORMAT) {
            throw SessionHash.otherFormat((String) answer.get(1));
        }
        if (status == CORRUPT) {
            throw new UnreadableEntryException("session hash is not a complete session: nothing was merged into it");
        }
        SessionRecord merged = status == APPLIED_ONTO_BASE
                // Applied onto the version this request read: the script did exactly applyTo(base).
                ? changes.applyTo(changes.base())
                : null;
        if (merged == null) {
            try {
                merged = status == APPLIED_ONTO_BASE ? load(id) : SessionHash.decode((List<?>) answer.get(2));
            } catch (UnreadableEntryException e) {
                throw new UnreadableEntryException("a session change was saved, but the stored session cannot be "
                        + "read back: " + e.getMessage(), e);
            }
            if (merged == null) {
                return null; // removed since the script ran
            }
        }
        String oldPrincipal = (String) answer.get(1);
        if (changes.principalChanged() && oldPrincipal != null && !oldPrincipal.equals(newPrincipal)) {
            forgetQuietly(oldPrincipal, List.of(id));
        }
        // Give the index entry the session's real deadline when the write above did not know it, so it is
        // pruned when the session ends.
        String indexed = merged.principal();
        if (indexed != null && (changes.principalChanged()
                ? !deadlineKnown && merged.deadline() != SessionRecord.NO_DEADLINE
                : deadlineKnown)) {
            try {
                addToIndex(indexed, id, score(merged.deadline()), changes.accessTime());
            } catch (SessionStoreException e) {
                LOG.warn("The principal index entry of a saved session keeps an older score", e);
            }
        }
        return merged;
    }

    /** Deletes the hash, publishes the removal, and takes the session out of its principal's index. */
    @Override
    public void delete(String id) {
        List<String> args = List.of(channel, id);
        List<?> answer = (List<?>) write("removing a session", DELETE, sessionKey(id), retry -> args);
        String principal = (String) answer.get(1);
        if (principal != null) {
            forgetQuietly(principal, List.of(id));
        }
    }

    /**
     * Deletes the hash only if its {@code principal} field is {@code principal} (one script: checked and
     * deleted atomically), publishes the removal, and takes the id out of that principal's index.
     */
    @Override
    public boolean deleteIfPrincipal(String id, String principal) {
        List<String> args = List.of(channel, id, principal);
        List<?> answer = (List<?>) write("removing a session", DELETE, sessionKey(id), retry -> args);
        boolean deleted = (Long) answer.get(0) > 0;
        if (deleted) {
            forgetQuietly(principal, List.of(id));
        }
        // Not deleted: the index entry stays. A login to this principal may be writing it right now (the
        // entry goes in before the hash's principal), and a lookup never trusts an entry without its hash.
        return deleted;
    }

    /**
     * Moves the corrupt entry aside ({@code RENAME}, same slot) to {@code <namespace>:corrupt:{<id>}} for
     * {@link RedisSessionManager#CORRUPT_RETENTION}. The script leaves a hash of a newer format in place even
     * here, in case a newer node replaced the entry since it was read.
     */
    @Override
    public void discard(String id) {
        Object moved = call("moving an unreadable session aside", retry -> QUARANTINE.run(jedis,
                List.of(sessionKey(id), corruptPrefix + id + '}'),
                List.of(Long.toString(RedisSessionManager.CORRUPT_RETENTION.toMillis()), SessionHash.FORMAT)));
        if (Long.valueOf(1).equals(moved)) {
            LOG.debug("Moved an unreadable session entry aside under {}:corrupt:, kept for {}", namespace,
                    RedisSessionManager.CORRUPT_RETENTION);
        }
    }

    /**
     * Stops the invalidation feed, if any, and closes the Jedis client if this store created it. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (ownsClient) {
            jedis.close();
        }
    }

    // ------------------------------------------------------------------ PrincipalIndexedStore

    /**
     * The members of the principal's index whose session key exists: {@code ZRANGE}, then one pipelined
     * {@code EXISTS} per member; members whose session is gone (expired, removed behind this store's back)
     * or that are no session id are taken out of the index on the way ({@code ZREM}). Members are kept
     * whatever their session holds (another principal, an unreadable entry): the manager reads and judges
     * each. Two round trips, three when something is pruned.
     */
    @Override
    public Collection<String> idsOfPrincipal(String principal) {
        String key = principalKey(principal);
        List<String> members = call("listing a principal's sessions", retry -> jedis.zrange(key, 0, -1));
        if (members.isEmpty()) {
            return members;
        }
        List<String> candidates = new ArrayList<>(members.size());
        List<String> stale = new ArrayList<>();
        for (String m : members) {
            (SessionIds.isValid(m) ? candidates : stale).add(m);
        }
        List<String> live = new ArrayList<>(candidates.size());
        if (!candidates.isEmpty()) {
            List<Boolean> exist = call("listing a principal's sessions", retry -> exist(candidates));
            for (int i = 0; i < candidates.size(); i++) {
                (exist.get(i) ? live : stale).add(candidates.get(i));
            }
        }
        if (!stale.isEmpty()) {
            forgetQuietly(principal, stale);
        }
        return live;
    }

    /** Whether each of {@code ids} has a session key, in one pipeline (on Cluster, one per node). */
    private List<Boolean> exist(List<String> ids) {
        List<Response<Boolean>> answers = new ArrayList<>(ids.size());
        try (AbstractPipeline p = jedis.pipelined()) {
            for (String id : ids) {
                answers.add(p.exists(sessionKey(id)));
            }
            p.sync();
        }
        List<Boolean> exist = new ArrayList<>(answers.size());
        for (Response<Boolean> r : answers) {
            exist.add(r.get());
        }
        return exist;
    }

    // ------------------------------------------------------------------ for the entry class and tests

    /** The namespace every key and the channel start with. */
    final String namespace() {
        return namespace;
    }

    final String sessionKey(String id) {
        return sessionPrefix + id + '}';
    }

    final String principalKey(String principal) {
        return principalPrefix + principal + '}';
    }

    /** Whether the invalidation feed holds a confirmed subscription; for tests. */
    boolean feedSubscribed() {
        return false;
    }

    /** Not the client's address, which may carry credentials. */
    @Override
    public String toString() {
        return "RedisSessionStore[namespace=" + namespace + ", durability=" + durability + "]";
    }

    // ------------------------------------------------------------------ internals

    /** One attempt of a Redis call; {@code retry} is true for the second, on a fresh connection. */
    interface Attempt<T> {
        T run(boolean retry);
    }

    /** Runs {@code op}; a broken pooled connection is retried once, every failure translated. */
    final <T> T call(String action, Attempt<T> op) {
        try {
            return op.run(false);
        } catch (RuntimeException e) {
            if (!RedisFailures.isBrokenConnection(e)) {
                throw RedisFailures.translate(action, e);
            }
            LOG.debug("A Redis connection broke; trying once more on a fresh one", e);
            if (pools != null) {
                pools.dropIdle();
            }
        }
        try {
            return op.run(true);
        } catch (RuntimeException e) {
            throw RedisFailures.translate(action, e);
        }
    }

    /** Runs a session-writing script, waiting for replicas under {@link Durability#REPLICATED}. */
    private Object write(String action, LuaScript script, String key, Attempt<List<String>> args) {
        List<String> keys = Collections.singletonList(key);
        if (durability == Durability.ASYNC) {
            return call(action, retry -> script.run(jedis, keys, args.run(retry)));
        }
        LuaScript.Acknowledged done = call(action,
                retry -> script.runAndWait(jedis, keys, args.run(retry), replicas, replicaTimeoutMillis));
        if (done.replicas < replicas) {
            throw new SessionStoreTimeoutException("the write reached the Redis master, but only " + done.replicas
                    + " of " + replicas + " replicas acknowledged it within " + replicaTimeoutMillis + " ms while "
                    + action, null);
        }
        return done.value;
    }

    /** Adds {@code id} to the principal's index, pruning members whose score is before {@code now}. */
    private void addToIndex(String principal, String id, String score, long now) {
        List<String> keys = Collections.singletonList(principalKey(principal));
        List<String> args = List.of(Long.toString(now), score, id);
        call("indexing a session by principal", retry -> INDEX_ADD.run(jedis, keys, args));
    }

    /** Removes {@code ids} from the principal's index; a failure only leaves stale entries behind. */
    private void forgetQuietly(String principal, List<String> ids) {
        List<String> keys = Collections.singletonList(principalKey(principal));
        try {
            call("pruning a principal index", retry -> INDEX_REMOVE.run(jedis, keys, ids));
        } catch (SessionStoreException e) {
            LOG.debug("Pruning a principal index failed; the next lookup prunes the stale entries", e);
        }
    }

    private static String score(long deadline) {
        return deadline == SessionRecord.NO_DEADLINE ? UNBOUNDED : Long.toString(SessionHash.expireAt(deadline));
    }

    /** The store of {@link InvalidationMode#PUBLISH}: every write publishes, and listeners can subscribe. */
    private static final class Publishing extends RedisSessionStore implements InvalidatingStore {
        private final InvalidationFeed feed;

        Publishing(UnifiedJedis jedis, boolean ownsClient, String namespace, Duration heartbeat,
                Durability durability, int replicas, Duration replicaTimeout) {
            super(jedis, ownsClient, namespace, true, durability, replicas, replicaTimeout);
            this.feed = new InvalidationFeed(jedis, pools, channel, heartbeat.toNanos());
        }

        /**
         * Registers {@code listener} for the ids of sessions changed or removed through any store over this
         * Redis and namespace, this one included; see {@link RedisSessionManager} for the delivery bound.
         * The first listener starts the feed's subscriber and heartbeat threads.
         */
        @Override
        public Invalidations.Subscription subscribe(Invalidations.Listener listener) {
            Objects.requireNonNull(listener, "listener");
            return feed.add(listener);
        }

        @Override
        boolean feedSubscribed() {
            return feed.isSubscribed();
        }

        @Override
        public void close() {
            feed.close(); // idempotent
            super.close();
        }
    }
}
