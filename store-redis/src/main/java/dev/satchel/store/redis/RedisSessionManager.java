package dev.satchel.store.redis;

import dev.satchel.Invalidations;
import dev.satchel.PrincipalIndex;
import dev.satchel.Session;
import dev.satchel.SessionStoreException;
import dev.satchel.SessionStoreTimeoutException;
import dev.satchel.spi.AbstractSessionManager;
import dev.satchel.spi.ChangeSet;
import dev.satchel.spi.SessionAccess;
import dev.satchel.spi.SessionIds;
import dev.satchel.spi.SessionRecord;
import dev.satchel.spi.UnreadableEntryException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.ClientSetInfoConfig;
import redis.clients.jedis.ConnectionPoolConfig;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.JedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisClusterClient;
import redis.clients.jedis.RedisProtocol;
import redis.clients.jedis.RedisSentinelClient;
import redis.clients.jedis.SslOptions;
import redis.clients.jedis.SslVerifyMode;
import redis.clients.jedis.UnifiedJedis;

/**
 * A {@link dev.satchel.SessionManager} over Redis — standalone, Sentinel or Cluster — through Jedis, for
 * several application nodes sharing sessions. Every operation is one round trip in the common case; the
 * merge of concurrent changes, the refusal to resurrect and the expiry happen inside Redis, atomically,
 * in a Lua script.
 *
 * <pre>{@code
 * RedisSessionManager sessions = RedisSessionManager.builder()
 *     .uri("redis://app:secret@redis.internal:6379/0")   // or .sentinel(...), .cluster(...), .client(...)
 *     .build();
 * }</pre>
 *
 * <p><b>Storage layout</b> (namespace {@code satchel} by default; {@code <sid>} is the 22-character id):
 * <table>
 *   <caption>Keys</caption>
 *   <tr><th>key</th><th>type</th><th>holds</th><th>expires</th></tr>
 *   <tr><td>{@code satchel:session:{<sid>}}</td><td>hash</td><td>one session: fields {@code v} (1),
 *       {@code id}, {@code randval}, {@code created}, {@code lastAccess}, {@code idleTimeoutMs},
 *       {@code deadline} (absent: none), {@code principal} (absent: none), {@code version}, and
 *       {@code a:<name>} = the JSON text of each attribute — the stored document of
 *       {@link dev.satchel.SessionCodec}, spread over fields; times are epoch milliseconds in decimal</td>
 *       <td>{@code PEXPIREAT} at {@code min(lastAccess + idleTimeoutMs, deadline)}, set by every write</td></tr>
 *   <tr><td>{@code satchel:principal:{<principal>}}</td><td>sorted set</td><td>ids of sessions logged in
 *       as that principal, scored by the latest instant each can live (its deadline; {@code inf} while
 *       unknown or unbounded)</td><td>at its highest score; never while a member is unbounded</td></tr>
 *   <tr><td>{@code satchel:corrupt:{<sid>}}</td><td>as found</td><td>an unreadable entry moved aside</td>
 *       <td>{@link #CORRUPT_RETENTION} after it was moved</td></tr>
 *   <tr><td>channel {@code satchel:invalidations}</td><td>pub/sub</td><td>the id of each changed or
 *       removed session ({@link InvalidationMode#PUBLISH})</td><td>-</td></tr>
 * </table>
 * The braces are Redis Cluster hash tags: every key of one session lies in one slot, so each script
 * touches one slot and works on Cluster; a principal's index lies in a slot of its own.
 *
 * <p><b>Commands per operation</b> (every script is called by {@code EVALSHA}, and sent once with
 * {@code EVAL} where the node answers {@code NOSCRIPT}):
 * <ul>
 *   <li>{@code get}, {@code exists}: {@code HGETALL}.</li>
 *   <li>{@code put} of a new session: script {@code create} — {@code HSET} of every field and
 *       {@code PEXPIREAT}, only if the key does not exist. With a principal, the index entry is added
 *       first (script {@code index-add}), so the index never misses a live session.</li>
 *   <li>{@code put} of a stored session: script {@code apply} — refuses a session that is absent or
 *       expired at the request's access time (no resurrection), then {@code HSET}/{@code HDEL} of the
 *       attributes the request set and removed, principal and timeout changes, {@code lastAccess} moved
 *       forward only, {@code version} + 1, {@code PEXPIREAT} from the merged fields, {@code PUBLISH}, and
 *       returns the merged hash — or, when the stored version was the one the request started from, only
 *       a status, the merged record then being the request's own changes applied to what it read: one
 *       round trip. A principal change adds one or two index commands; a
 *       deadline change of a logged-in session one.</li>
 *   <li>{@code remove}: script {@code delete} — {@code DEL} and {@code PUBLISH}.</li>
 *   <li>{@code findByPrincipal}: script {@code index-members} (prune by score, {@code ZRANGE}), then
 *       {@code HGETALL} per member, and {@code ZREM} of members that are gone.</li>
 *   <li>{@code removeByPrincipal}: the same listing, then script {@code delete-if-principal} per member
 *       (deletes only a session still logged in as that principal) and {@code ZREM}.</li>
 * </ul>
 *
 * <p><b>Expiry</b> is Redis's own TTL: no sweeper. Expiry instants come from the injected {@link Clock}
 * and are absolute ({@code PEXPIREAT}), so application nodes and Redis must agree on the time to the
 * precision sessions need. A session is also refused by this manager once its stored fields say it has
 * expired, whatever Redis's TTL says.
 *
 * <p><b>Principal index.</b> Entries go stale when a session expires, is removed or logs in as someone
 * else; they are never trusted: every lookup reads each session and keeps only live ones still logged in
 * as that principal. Stale entries are deleted when a lookup or removal meets them, when their score (the
 * session's deadline) has passed at the next write or lookup of that index, and with the whole index key
 * once its last member's deadline has passed. Removing a session does not touch the index (one round trip
 * stays one).
 *
 * <p><b>Corrupt entries.</b> A session key that holds another type, misses a field, has a malformed
 * number or attribute JSON, or names another id is treated as absent, logged once, and moved aside
 * ({@code RENAME} to the {@code corrupt} key, same slot) for {@link #CORRUPT_RETENTION}. An entry written
 * by a newer format version ({@code v} greater than 1) is treated as absent and left exactly where it is:
 * this code does not understand it, so it must not destroy it. A {@code put} on such an entry writes
 * nothing and returns {@code false}.
 *
 * <p><b>Failures.</b> Refused connections, broken connections, {@code LOADING}, {@code MASTERDOWN},
 * {@code READONLY}, {@code CLUSTERDOWN}, {@code TRYAGAIN} and other states of a failover throw
 * {@link dev.satchel.SessionStoreUnavailableException}; no answer within the socket timeout, or no free
 * connection within the pool wait timeout, {@link SessionStoreTimeoutException}; the cause is attached.
 * A pooled connection that broke (a restarted server) is retried once on a fresh connection, since every
 * script here is safe to repeat. The manager needs no restart when Redis comes back.
 *
 * <p>Thread-safe. Logs no session id, randval, key or attribute value.
 */
public final class RedisSessionManager extends AbstractSessionManager implements PrincipalIndex, Invalidations {

    /** Default {@linkplain Builder#namespace namespace} of every key: {@value}. */
    public static final String DEFAULT_NAMESPACE = "satchel";
    /** Default time to open a TCP (and TLS) connection: one second. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(1);
    /** Default time to wait for a reply: one second. */
    public static final Duration DEFAULT_SOCKET_TIMEOUT = Duration.ofSeconds(1);
    /** Default time to wait for a free pooled connection when all are busy: 500 milliseconds. */
    public static final Duration DEFAULT_POOL_WAIT_TIMEOUT = Duration.ofMillis(500);
    /** Default number of pooled connections (per node on Cluster): {@value}. */
    public static final int DEFAULT_MAX_CONNECTIONS = 32;
    /** Default interval of the invalidation feed's heartbeat: one second. */
    public static final Duration DEFAULT_INVALIDATION_HEARTBEAT = Duration.ofSeconds(1);
    /** Default time {@link Durability#REPLICATED} waits for replicas: 250 milliseconds. */
    public static final Duration DEFAULT_REPLICA_TIMEOUT = Duration.ofMillis(250);
    /** How long an unreadable entry is kept, moved aside, for inspection: seven days. */
    public static final Duration CORRUPT_RETENTION = Duration.ofDays(7);

    private static final Logger LOG = LoggerFactory.getLogger(RedisSessionManager.class);
    private static final LuaScript CREATE = LuaScript.named("create.lua");
    private static final LuaScript APPLY = LuaScript.named("apply.lua");
    private static final LuaScript DELETE = LuaScript.named("delete.lua");
    private static final LuaScript DELETE_IF_PRINCIPAL = LuaScript.named("delete-if-principal.lua");
    private static final LuaScript QUARANTINE = LuaScript.named("quarantine.lua");
    private static final LuaScript INDEX_ADD = LuaScript.named("index-add.lua");
    private static final LuaScript INDEX_MEMBERS = LuaScript.named("index-members.lua");
    /** Score of an index entry whose session's latest expiry is unknown or unbounded. */
    private static final String UNBOUNDED = "inf";
    /** A valid id used to check the connection at startup; its key is only read. */
    private static final String PROBE_ID = "AAAAAAAAAAAAAAAAAAAAAA";

    private final UnifiedJedis jedis;
    private final boolean ownsClient;
    private final String namespace;
    private final String sessionPrefix;
    private final String corruptPrefix;
    private final String principalPrefix;
    /** The invalidation channel, or "" when nothing is published. */
    private final String channel;
    private final Durability durability;
    private final int replicas;
    private final long replicaTimeoutMillis;
    private final InvalidationFeed feed;
    /** The client's pools, or {@code null} for a client of unknown kind. */
    private final ClientPools pools;
    private final AtomicBoolean closed = new AtomicBoolean();

    private RedisSessionManager(Builder b, UnifiedJedis jedis, boolean ownsClient) {
        super(b.clock == null ? Clock.systemUTC() : b.clock);
        this.jedis = jedis;
        this.ownsClient = ownsClient;
        this.namespace = b.namespace == null ? DEFAULT_NAMESPACE : b.namespace;
        this.sessionPrefix = namespace + ":session:{";
        this.corruptPrefix = namespace + ":corrupt:{";
        this.principalPrefix = namespace + ":principal:{";
        InvalidationMode mode = b.invalidationMode == null ? InvalidationMode.PUBLISH : b.invalidationMode;
        this.channel = mode == InvalidationMode.PUBLISH ? namespace + ":invalidations" : "";
        this.durability = b.durability == null ? Durability.ASYNC : b.durability;
        this.replicas = b.replicas == Builder.UNSET ? 1 : b.replicas;
        this.replicaTimeoutMillis = (b.replicaTimeout == null ? DEFAULT_REPLICA_TIMEOUT : b.replicaTimeout).toMillis();
        Duration heartbeat = b.heartbeat == null ? DEFAULT_INVALIDATION_HEARTBEAT : b.heartbeat;
        this.pools = ClientPools.of(jedis);
        this.feed = mode == InvalidationMode.PUBLISH
                ? new InvalidationFeed(jedis, pools, channel, heartbeat.toNanos())
                : null;
    }

    /** Starts configuring a manager; an endpoint ({@code uri}, {@code sentinel}, {@code cluster} or {@code client}) is required. */
    public static Builder builder() {
        return new Builder();
    }

    /** The namespace every key and the channel start with. */
    public String namespace() {
        return namespace;
    }

    /** The Jedis client this manager talks through (its own, or the one it was given). */
    public UnifiedJedis client() {
        return jedis;
    }

    // ------------------------------------------------------------------ the store's I/O

    @Override
    protected SessionRecord load(String sid) {
        String key = sessionKey(sid);
        Map<String, String> hash = call("reading a session", () -> jedis.hgetAll(key));
        return SessionHash.decode(hash);
    }

    @Override
    protected boolean create(SessionRecord record) {
        String sid = record.id();
        if (record.principal() != null) {
            // Before the session exists, so no failure between the two commands leaves it unindexed.
            addToIndex(record.principal(), sid, score(record.deadline()));
        }
        Object created = write("creating a session", CREATE, sessionKey(sid), SessionHash.createArguments(record));
        return Long.valueOf(1).equals(created);
    }

    @Override
    protected SessionRecord apply(ChangeSet changes) {
        String sid = changes.sessionId();
        String newPrincipal = changes.principalChanged() ? changes.principal() : null;
        boolean deadlineKnown = changes.deadlineChanged();
        if (newPrincipal != null) {
            // Before the write, scored by what is known now; see the class comment on the index.
            addToIndex(newPrincipal, sid, deadlineKnown ? score(changes.deadline()) : UNBOUNDED);
        }
        List<?> answer = (List<?>) write("saving a session", APPLY, sessionKey(sid),
                SessionHash.applyArguments(changes, channel));
        long status = (Long) answer.get(0);
        if (status <= 0) {
            if (status < 0) {
                LOG.warn("A session change was not saved: the stored entry is unreadable or of a newer format");
                discardCorrupt(sid);
            }
            return null;
        }
        String oldPrincipal = (String) answer.get(1);
        SessionRecord merged = status == 2
                // Applied onto the version this request read: the script did exactly applyTo(base).
                ? changes.applyTo(changes.base())
                : null;
        if (merged == null) {
            try {
                merged = status == 2 ? load(sid) : SessionHash.decode((List<?>) answer.get(2));
            } catch (UnreadableEntryException e) {
                throw new UnreadableEntryException("a session change was saved, but the stored session cannot be "
                        + "read back: " + e.getMessage(), e);
            }
            if (merged == null) {
                return null; // removed since the script ran
            }
        }
        if (changes.principalChanged() && oldPrincipal != null && !oldPrincipal.equals(newPrincipal)) {
            forgetQuietly(oldPrincipal, List.of(sid));
        }
        // Give the index entry the session's real deadline when the write above did not know it, so it is
        // pruned when the session ends.
        String indexed = merged.principal();
        if (indexed != null && (changes.principalChanged()
                ? !deadlineKnown && merged.deadline() != SessionRecord.NO_DEADLINE
                : deadlineKnown)) {
            try {
                addToIndex(indexed, sid, score(merged.deadline()));
            } catch (SessionStoreException e) {
                LOG.warn("The principal index entry of a saved session keeps an older score", e);
            }
        }
        return merged;
    }

    @Override
    protected void delete(String sid) {
        write("removing a session", DELETE, sessionKey(sid), List.of(channel, sid));
    }

    /**
     * Moves the unreadable entry aside for {@link #CORRUPT_RETENTION}, or leaves it in place when it was
     * written by a newer format version. Never throws: the caller already treats the entry as absent.
     */
    @Override
    protected void discardCorrupt(String sid) {
        try {
            Object moved = call("moving an unreadable session aside", () -> QUARANTINE.run(jedis,
                    List.of(sessionKey(sid), corruptPrefix + sid + '}'),
                    List.of(Long.toString(CORRUPT_RETENTION.toMillis()), SessionHash.FORMAT)));
            if (Long.valueOf(1).equals(moved)) {
                LOG.warn("Moved an unreadable session entry aside under {}:corrupt:, kept for {}", namespace,
                        CORRUPT_RETENTION);
            }
        } catch (SessionStoreException e) {
            LOG.warn("Could not move an unreadable session entry aside", e);
        }
    }

    // ------------------------------------------------------------------ PrincipalIndex

    /**
     * Returns working copies of the live sessions logged in as {@code principal}: the index's members,
     * each read and checked. Costs two round trips plus one per member.
     */
    @Override
    public List<Session> findByPrincipal(String principal) {
        if (principal == null) {
            return new ArrayList<>();
        }
        long now = clock().millis();
        List<Session> found = new ArrayList<>();
        List<String> stale = new ArrayList<>();
        for (String sid : members(principal, now)) {
            SessionRecord r = SessionIds.isValid(sid) ? readQuietly(sid) : null;
            if (r == null || !principal.equals(r.principal()) || !sid.equals(r.id())) {
                stale.add(sid);
            } else if (!r.isExpiredAt(now)) {
                found.add(SessionAccess.wrap(r));
            }
        }
        forgetQuietly(principal, stale);
        return found;
    }

    /**
     * Removes every session logged in as {@code principal} ("log out everywhere"): each member of the
     * index is deleted only if it is still logged in as {@code principal}, and each removal is published.
     * A login that happens while this runs may survive it.
     */
    @Override
    public int removeByPrincipal(String principal) {
        if (principal == null) {
            return 0;
        }
        List<String> seen = members(principal, clock().millis());
        int removed = 0;
        for (String sid : seen) {
            if (SessionIds.isValid(sid)) {
                Object n = write("removing a session by principal", DELETE_IF_PRINCIPAL, sessionKey(sid),
                        List.of(principal, channel, sid));
                removed += Long.valueOf(1).equals(n) ? 1 : 0;
            }
        }
        forgetQuietly(principal, seen);
        return removed;
    }

    // ------------------------------------------------------------------ Invalidations

    /**
     * Registers {@code listener} for the ids of sessions changed or removed through any manager over this
     * Redis and namespace, this one included. The first listener starts a subscriber thread that holds one
     * connection (borrowed from the pool) and a heartbeat thread.
     *
     * <p><b>Delivery.</b> While subscribed, an id arrives one network hop after the write that published it
     * (Redis pushes it to every subscriber as it runs the script). Messages published while a subscriber is
     * disconnected are lost (Redis keeps none), so the listener is told
     * {@link Invalidations.Listener#invalidateAll() invalidateAll} when a connection fails or closes, every
     * {@linkplain Builder#invalidationHeartbeat heartbeat interval} while there is no subscription, and when
     * the subscription is confirmed again. A connection that goes silent without closing (a frozen server,
     * a dropped network path) is detected by the heartbeat within three intervals. So a listener that
     * honours the feed serves a copy older than the newest write by at most the delivery time while
     * connected, and by at most three heartbeat intervals when the feed breaks.
     *
     * @throws IllegalStateException if the manager was built with {@link InvalidationMode#NONE} (its writes
     *     publish nothing, so a listener would trust copies that are stale) or is closed
     */
    @Override
    public Subscription subscribe(Listener listener) {
        Objects.requireNonNull(listener, "listener");
        if (feed == null) {
            throw new IllegalStateException("this manager publishes no invalidations (InvalidationMode.NONE); "
                    + "build it with InvalidationMode.PUBLISH, or build the cache without invalidations");
        }
        if (closed.get()) {
            throw new IllegalStateException("the manager is closed");
        }
        return feed.add(listener);
    }

    /** Whether the invalidation feed holds a confirmed subscription; for tests. */
    boolean feedSubscribed() {
        return feed != null && feed.isSubscribed();
    }

    /**
     * Stops the invalidation feed and closes the Jedis client if this manager created it (a client given
     * to {@link Builder#client} stays open). Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        if (feed != null) {
            feed.close();
        }
        if (ownsClient) {
            jedis.close();
        }
    }

    // ------------------------------------------------------------------ internals

    String sessionKey(String sid) {
        return sessionPrefix + sid + '}';
    }

    String principalKey(String principal) {
        return principalPrefix + principal + '}';
    }

    /** Runs {@code op}; a broken pooled connection is retried once, every failure translated. */
    private <T> T call(String action, Supplier<T> op) {
        try {
            return op.get();
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
            return op.get();
        } catch (RuntimeException e) {
            throw RedisFailures.translate(action, e);
        }
    }

    /** Runs a session-writing script, waiting for replicas under {@link Durability#REPLICATED}. */
    private Object write(String action, LuaScript script, String key, List<String> args) {
        List<String> keys = Collections.singletonList(key);
        if (durability == Durability.ASYNC) {
            return call(action, () -> script.run(jedis, keys, args));
        }
        LuaScript.Acknowledged done = call(action,
                () -> script.runAndWait(jedis, keys, args, replicas, replicaTimeoutMillis));
        if (done.replicas < replicas) {
            throw new SessionStoreTimeoutException("the write reached the Redis master, but only " + done.replicas
                    + " of " + replicas + " replicas acknowledged it within " + replicaTimeoutMillis + " ms while "
                    + action, null);
        }
        return done.value;
    }

    private void addToIndex(String principal, String sid, String score) {
        call("indexing a session by principal", () -> INDEX_ADD.run(jedis,
                Collections.singletonList(principalKey(principal)),
                List.of(Long.toString(clock().millis()), score, sid)));
    }

    @SuppressWarnings("unchecked")
    private List<String> members(String principal, long now) {
        return (List<String>) call("listing a principal's sessions", () -> INDEX_MEMBERS.run(jedis,
                Collections.singletonList(principalKey(principal)), List.of(Long.toString(now))));
    }

    /** Removes {@code sids} from the principal's index; a failure only leaves stale entries behind. */
    private void forgetQuietly(String principal, List<String> sids) {
        if (sids.isEmpty()) {
            return;
        }
        try {
            call("pruning a principal index", () -> jedis.zrem(principalKey(principal), sids.toArray(new String[0])));
        } catch (SessionStoreException e) {
            LOG.debug("Pruning a principal index failed; the stale entries are pruned later", e);
        }
    }

    /** The record of {@code sid}, or {@code null} when absent or unreadable (which is logged and moved aside). */
    private SessionRecord readQuietly(String sid) {
        try {
            return load(sid);
        } catch (UnreadableEntryException e) {
            LOG.warn("Skipping an unreadable session entry: {}", e.getMessage());
            discardCorrupt(sid);
            return null;
        }
    }

    private static String score(long deadline) {
        return deadline == SessionRecord.NO_DEADLINE ? UNBOUNDED : Long.toString(SessionHash.expireAt(deadline));
    }

    /**
     * Configures a {@link RedisSessionManager}. Exactly one endpoint is required: {@link #uri},
     * {@link #sentinel}, {@link #cluster} or {@link #client}. Every setting may be given once; each method
     * checks its argument at once and throws {@link IllegalArgumentException} for a bad value and
     * {@link IllegalStateException} for a second setting. Not thread-safe.
     */
    public static final class Builder {
        static final int UNSET = -1;

        private enum Endpoint { URI, SENTINEL, CLUSTER, CLIENT }

        private Endpoint endpoint;
        private URI uri;
        private String masterName;
        private Set<HostAndPort> nodes;
        private UnifiedJedis client;
        private boolean credentialsSet;
        private String user;
        private String password;
        private int database = UNSET;
        private String namespace;
        private Clock clock;
        private Duration connectTimeout;
        private Duration socketTimeout;
        private Duration poolWaitTimeout;
        private int maxConnections = UNSET;
        private Durability durability;
        private int replicas = UNSET;
        private Duration replicaTimeout;
        private InvalidationMode invalidationMode;
        private Duration heartbeat;
        private Path trustStore;
        private char[] trustStorePassword;

        private Builder() {}

        /**
         * The trust store (PKCS12 or JKS, read when the manager is built) holding the certificate authority of a
         * {@code rediss://} server whose certificate the JVM's default trust store does not vouch for — a
         * private CA, or a self-signed certificate. The server's name is still checked against its certificate.
         * Default: the JVM's trust store.
         *
         * @throws IllegalArgumentException if {@code file} is null or not a readable file
         * @throws IllegalStateException if a trust store was already set
         */
        public Builder trustStore(Path file, char[] password) {
            requireState(trustStore == null, "trust store was already set");
            requireArgument(file != null && Files.isRegularFile(file) && Files.isReadable(file),
                    "trust store must be a readable file, was %s", file);
            this.trustStore = file;
            this.trustStorePassword = password == null ? null : password.clone();
            return this;
        }

        /**
         * A standalone Redis (or a managed endpoint that hides its failover behind one address):
         * {@code redis://[[user]:password@]host[:port][/database]}, or {@code rediss://} for TLS. The
         * port defaults to 6379, the database to 0. Percent-encode reserved characters of the password.
         *
         * @throws IllegalArgumentException if it is not such a URI (the message never quotes it: it may hold
         *     a password)
         * @throws IllegalStateException if an endpoint was already set
         */
        public Builder uri(String redisUri) {
            requireNoEndpoint();
            Objects.requireNonNull(redisUri, "uri");
            URI u;
            try {
                u = new URI(redisUri);
            } catch (java.net.URISyntaxException e) {
                throw new IllegalArgumentException("Redis URI is malformed at index " + e.getIndex()
                        + " (not quoted: it may hold a password)");
            }
            String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
            requireArgument(scheme.equals("redis") || scheme.equals("rediss"),
                    "Redis URI scheme must be redis:// or rediss://, was %s", scheme.isEmpty() ? "none" : scheme);
            requireArgument(u.getHost() != null && !u.getHost().isEmpty(),
                    "Redis URI has no host (not quoted: it may hold a password)");
            String path = u.getPath();
            requireArgument(path == null || path.isEmpty() || path.equals("/") || SessionHash.parse(path.substring(1)) >= 0,
                    "Redis URI path must be /<database number>, was %s", path);
            String info = u.getUserInfo();
            requireArgument(info == null || info.indexOf(':') >= 0,
                    "Redis URI user info must be user:password or :password");
            this.uri = u;
            this.endpoint = Endpoint.URI;
            return this;
        }

        /**
         * A master found through Redis Sentinel: {@code masterName} as configured in the sentinels, and one or
         * more sentinel addresses {@code host:port}. The manager follows failovers the sentinels announce.
         * Credentials and database of the master come from {@link #credentials} and {@link #database}; the
         * sentinels are contacted without credentials.
         *
         * @throws IllegalArgumentException if the name is empty or an address is not {@code host:port}
         * @throws IllegalStateException if an endpoint was already set
         */
        public Builder sentinel(String masterName, String... sentinels) {
            requireNoEndpoint();
            requireArgument(masterName != null && !masterName.isEmpty(), "sentinel master name must not be empty");
            this.nodes = addresses("sentinel", sentinels);
            this.masterName = masterName;
            this.endpoint = Endpoint.SENTINEL;
            return this;
        }

        /**
         * A Redis Cluster, found through one or more seed nodes {@code host:port} (any node; the rest is
         * discovered). Credentials come from {@link #credentials}.
         *
         * @throws IllegalArgumentException if an address is not {@code host:port}
         * @throws IllegalStateException if an endpoint was already set
         */
        public Builder cluster(String... seedNodes) {
            requireNoEndpoint();
            this.nodes = addresses("cluster seed node", seedNodes);
            this.endpoint = Endpoint.CLUSTER;
            return this;
        }

        /**
         * A Jedis client you configured and own ({@code RedisClient}, {@code RedisSentinelClient},
         * {@code RedisClusterClient}, {@code JedisCluster} or another {@link UnifiedJedis}): its timeouts,
         * pool, TLS and credentials apply, and the manager never closes it. The connection settings of this
         * builder do not apply to it.
         *
         * @throws IllegalStateException if an endpoint was already set
         */
        public Builder client(UnifiedJedis jedis) {
            requireNoEndpoint();
            this.client = Objects.requireNonNull(jedis, "client");
            this.endpoint = Endpoint.CLIENT;
            return this;
        }

        /**
         * The user and password to authenticate with ({@code user} {@code null} for the {@code default}
         * user, as with {@code requirepass}); keeps the password out of a URI.
         *
         * @throws IllegalArgumentException if {@code password} is null
         * @throws IllegalStateException if credentials were already set
         */
        public Builder credentials(String user, String password) {
            requireState(!credentialsSet, "credentials were already set");
            requireArgument(password != null, "password must not be null");
            this.user = user;
            this.password = password;
            this.credentialsSet = true;
            return this;
        }

        /**
         * The database number on a standalone or Sentinel-managed server; default 0 (Cluster has only 0).
         *
         * @throws IllegalArgumentException if negative
         * @throws IllegalStateException if it was already set
         */
        public Builder database(int number) {
            requireState(database == UNSET, "database was already set to %s", database);
            requireArgument(number >= 0, "database must not be negative, was %s", number);
            this.database = number;
            return this;
        }

        /**
         * The prefix of every key and of the channel; default {@value RedisSessionManager#DEFAULT_NAMESPACE}.
         * Managers with different namespaces share nothing, so several applications can use one Redis.
         *
         * @throws IllegalArgumentException if empty, longer than 64 characters, or holding anything but
         *     printable ASCII without braces (braces would break the Cluster hash tags)
         * @throws IllegalStateException if it was already set
         */
        public Builder namespace(String namespace) {
            requireState(this.namespace == null, "namespace was already set to %s", this.namespace);
            requireArgument(namespace != null && !namespace.isEmpty() && namespace.length() <= 64,
                    "namespace must have 1 to 64 characters, was %s", namespace);
            for (int i = 0; i < namespace.length(); i++) {
                char c = namespace.charAt(i);
                requireArgument(c > ' ' && c < 127 && c != '{' && c != '}',
                        "namespace must be printable ASCII without spaces or braces, was %s", namespace);
            }
            this.namespace = namespace;
            return this;
        }

        /**
         * The clock session times and Redis expiry instants come from; default {@link Clock#systemUTC()}.
         *
         * @throws IllegalStateException if it was already set
         */
        public Builder clock(Clock clock) {
            requireState(this.clock == null, "clock was already set to %s", this.clock);
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * How long opening a connection may take; default one second. A pool opens connections rarely, so
         * this is what the first request after an outage waits at most to learn Redis is still away.
         *
         * @throws IllegalArgumentException if not positive
         * @throws IllegalStateException if it was already set
         */
        public Builder connectTimeout(Duration timeout) {
            requireState(connectTimeout == null, "connect timeout was already set to %s", connectTimeout);
            this.connectTimeout = positiveMillis(timeout, "connect timeout");
            return this;
        }

        /**
         * How long to wait for a reply; default one second. Redis answers a session command in well under a
         * millisecond, so this only bounds what a request waits for a server that is stuck or gone.
         *
         * @throws IllegalArgumentException if not positive
         * @throws IllegalStateException if it was already set
         */
        public Builder socketTimeout(Duration timeout) {
            requireState(socketTimeout == null, "socket timeout was already set to %s", socketTimeout);
            this.socketTimeout = positiveMillis(timeout, "socket timeout");
            return this;
        }

        /**
         * How long a request waits for a pooled connection when all are busy; default 500 milliseconds.
         *
         * @throws IllegalArgumentException if not positive
         * @throws IllegalStateException if it was already set
         */
        public Builder poolWaitTimeout(Duration timeout) {
            requireState(poolWaitTimeout == null, "pool wait timeout was already set to %s", poolWaitTimeout);
            this.poolWaitTimeout = positiveMillis(timeout, "pool wait timeout");
            return this;
        }

        /**
         * The most connections the pool opens (per node on Cluster); default
         * {@value RedisSessionManager#DEFAULT_MAX_CONNECTIONS}. The invalidation feed borrows one more.
         *
         * @throws IllegalArgumentException if not positive
         * @throws IllegalStateException if it was already set
         */
        public Builder maxConnections(int count) {
            requireState(maxConnections == UNSET, "max connections was already set to %s", maxConnections);
            requireArgument(count > 0, "max connections must be positive, was %s", count);
            this.maxConnections = count;
            return this;
        }

        /**
         * When a write counts as done; default {@link Durability#ASYNC}.
         *
         * @throws IllegalStateException if it was already set
         */
        public Builder durability(Durability durability) {
            requireState(this.durability == null, "durability was already set to %s", this.durability);
            this.durability = Objects.requireNonNull(durability, "durability");
            return this;
        }

        /**
         * For {@link Durability#REPLICATED}: how many replicas must acknowledge each write (default 1) and
         * how long to wait for them (default 250 milliseconds; less than the socket timeout).
         *
         * @throws IllegalArgumentException if {@code replicas} is not positive or the timeout not positive
         * @throws IllegalStateException if it was already set
         */
        public Builder replicaAcknowledgements(int replicas, Duration timeout) {
            requireState(this.replicas == UNSET, "replica acknowledgements were already set to %s", this.replicas);
            requireArgument(replicas > 0, "replicas must be positive, was %s", replicas);
            this.replicaTimeout = positiveMillis(timeout, "replica timeout");
            this.replicas = replicas;
            return this;
        }

        /**
         * Whether writes publish invalidations; default {@link InvalidationMode#PUBLISH}.
         *
         * @throws IllegalStateException if it was already set
         */
        public Builder invalidationMode(InvalidationMode mode) {
            requireState(invalidationMode == null, "invalidation mode was already set to %s", invalidationMode);
            this.invalidationMode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /**
         * How often the invalidation feed checks its connection with a {@code PING}; default one second.
         * A feed silent for twice this long is reconnected, and listeners told to trust nothing while it is
         * down (see {@link RedisSessionManager#subscribe}).
         *
         * @throws IllegalArgumentException if not positive
         * @throws IllegalStateException if it was already set
         */
        public Builder invalidationHeartbeat(Duration interval) {
            requireState(heartbeat == null, "invalidation heartbeat was already set to %s", heartbeat);
            this.heartbeat = positiveMillis(interval, "invalidation heartbeat");
            return this;
        }

        /**
         * Builds the manager, creates its Jedis client (unless one was given) and checks that Redis answers
         * with one read, so a wrong address or password fails here rather than on the first request.
         *
         * @throws IllegalStateException if no endpoint was set, or a setting does not fit the endpoint
         * @throws SessionStoreException if Redis cannot be reached or refuses the credentials; its message says
         *     which
         */
        public RedisSessionManager build() {
            requireState(endpoint != null, "a Redis endpoint is required: uri(), sentinel(), cluster() or client()");
            Duration socket = socketTimeout == null ? DEFAULT_SOCKET_TIMEOUT : socketTimeout;
            if (endpoint == Endpoint.CLIENT) {
                requireState(connectTimeout == null && socketTimeout == null && poolWaitTimeout == null
                        && maxConnections == UNSET && !credentialsSet && database == UNSET,
                        "connection settings (timeouts, pool, credentials, database) do not apply to a client you "
                                + "supply: configure them on the client");
            }
            requireState(trustStore == null || (endpoint == Endpoint.URI && uri.getScheme().equalsIgnoreCase("rediss")),
                    "a trust store applies only to a rediss:// URI");
            if (endpoint == Endpoint.URI) {
                requireState(!credentialsSet || uri.getUserInfo() == null,
                        "credentials were given both in the URI and by credentials()");
                requireState(database == UNSET || uri.getPath() == null || uri.getPath().length() <= 1,
                        "database was given both in the URI and by database()");
            }
            requireState(endpoint != Endpoint.CLUSTER || database == UNSET || database == 0,
                    "Redis Cluster has only database 0, was %s", database);
            requireState(replicas == UNSET || durability == Durability.REPLICATED,
                    "replica acknowledgements apply only to Durability.REPLICATED, durability is %s", durability);
            Duration waitForReplicas = replicaTimeout == null ? DEFAULT_REPLICA_TIMEOUT : replicaTimeout;
            requireState(durability != Durability.REPLICATED || endpoint == Endpoint.CLIENT
                    || waitForReplicas.compareTo(socket) < 0,
                    "replica timeout (%s) must be shorter than the socket timeout (%s)", waitForReplicas, socket);
            boolean owned = endpoint != Endpoint.CLIENT;
            UnifiedJedis jedis;
            try {
                jedis = owned ? newClient(socket) : client;
            } catch (RuntimeException e) {
                throw RedisFailures.translate("connecting at startup", e);
            }
            RedisSessionManager manager = new RedisSessionManager(this, jedis, owned);
            try {
                manager.call("connecting at startup", () -> jedis.exists(manager.sessionKey(PROBE_ID)));
            } catch (RuntimeException e) {
                manager.close();
                throw e;
            }
            return manager;
        }

        private UnifiedJedis newClient(Duration socket) {
            DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                    .connectionTimeoutMillis(millis(connectTimeout == null ? DEFAULT_CONNECT_TIMEOUT : connectTimeout))
                    .socketTimeoutMillis(millis(socket))
                    .protocol(RedisProtocol.RESP2) // no HELLO round trip; every reply here has a RESP2 form
                    .clientName("satchel")
                    .clientSetInfoConfig(ClientSetInfoConfig.DISABLED);
            int db = database == UNSET ? 0 : database;
            String u = user;
            String p = password;
            if (endpoint == Endpoint.URI) {
                String info = uri.getUserInfo();
                if (info != null) {
                    int colon = info.indexOf(':');
                    u = colon == 0 ? null : info.substring(0, colon);
                    p = info.substring(colon + 1);
                }
                String path = uri.getPath();
                if (path != null && path.length() > 1) {
                    db = (int) Math.min(Integer.MAX_VALUE, SessionHash.parse(path.substring(1)));
                }
                if (uri.getScheme().equalsIgnoreCase("rediss")) {
                    // The JVM's (or the given) trust store, and the server's name checked against its certificate.
                    config.sslOptions(trustStore == null ? SslOptions.defaults()
                            : SslOptions.builder().truststore(trustStore.toFile(), trustStorePassword)
                                    .sslVerifyMode(SslVerifyMode.FULL).build());
                }
            }
            config.user(u).password(p);
            if (endpoint != Endpoint.CLUSTER) {
                config.database(db);
            }
            JedisClientConfig clientConfig = config.build();
            ConnectionPoolConfig pool = new ConnectionPoolConfig();
            int max = maxConnections == UNSET ? DEFAULT_MAX_CONNECTIONS : maxConnections;
            pool.setMaxTotal(max + 1); // one more for the invalidation subscriber
            pool.setMaxIdle(max + 1);
            pool.setMinIdle(0);
            pool.setMaxWait(poolWaitTimeout == null ? DEFAULT_POOL_WAIT_TIMEOUT : poolWaitTimeout);
            pool.setBlockWhenExhausted(true);
            pool.setJmxEnabled(false);
            switch (endpoint) {
                case URI:
                    return RedisClient.builder()
                            .hostAndPort(uri.getHost(), uri.getPort() < 0 ? 6379 : uri.getPort())
                            .clientConfig(clientConfig).poolConfig(pool).build();
                case SENTINEL:
                    return RedisSentinelClient.builder()
                            .masterName(masterName).sentinels(nodes)
                            .clientConfig(clientConfig)
                            .sentinelClientConfig(DefaultJedisClientConfig.builder()
                                    .connectionTimeoutMillis(clientConfig.getConnectionTimeoutMillis())
                                    .socketTimeoutMillis(clientConfig.getSocketTimeoutMillis())
                                    .protocol(RedisProtocol.RESP2)
                                    .clientSetInfoConfig(ClientSetInfoConfig.DISABLED)
                                    .build())
                            .poolConfig(pool).build();
                default:
                    // Jedis follows MOVED/ASK and retries through a failover, within this time in total.
                    return RedisClusterClient.builder()
                            .nodes(nodes).clientConfig(clientConfig).poolConfig(pool)
                            .maxAttempts(5).maxTotalRetriesDuration(socket.multipliedBy(2))
                            .build();
            }
        }

        private void requireNoEndpoint() {
            requireState(endpoint == null, "a Redis endpoint was already set (%s)", endpoint);
        }

        private static Set<HostAndPort> addresses(String what, String... addresses) {
            requireArgument(addresses != null && addresses.length > 0, "at least one %s address is required", what);
            Set<HostAndPort> set = new LinkedHashSet<>();
            for (String a : addresses) {
                int colon = a == null ? -1 : a.lastIndexOf(':');
                long port = colon < 0 ? -1 : SessionHash.parse(a.substring(colon + 1));
                requireArgument(colon > 0 && port > 0 && port <= 65535, "%s address must be host:port, was %s", what, a);
                set.add(new HostAndPort(a.substring(0, colon), (int) port));
            }
            return set;
        }

        private static Duration positiveMillis(Duration d, String what) {
            requireArgument(d != null && !d.isNegative() && d.toMillis() > 0 && d.toMillis() <= Integer.MAX_VALUE,
                    "%s must be at least one millisecond and at most Integer.MAX_VALUE ms, was %s", what, d);
            return d;
        }

        private static int millis(Duration d) {
            return (int) d.toMillis();
        }

        private static void requireArgument(boolean ok, String format, Object... args) {
            if (!ok) {
                throw new IllegalArgumentException(String.format(format, args));
            }
        }

        private static void requireState(boolean ok, String format, Object... args) {
            if (!ok) {
                throw new IllegalStateException(String.format(format, args));
            }
        }
    }

    /** Not the client's address, which may carry credentials. */
    @Override
    public String toString() {
        return "RedisSessionManager[namespace=" + namespace + ", durability=" + durability + "]";
    }
}
