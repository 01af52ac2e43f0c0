package dev.satchel.store.redis;

import static dev.satchel.spi.BuilderRules.requireArgument;
import static dev.satchel.spi.BuilderRules.requireNonNull;
import static dev.satchel.spi.BuilderRules.requireState;
import static dev.satchel.spi.BuilderRules.requireUnset;

import dev.satchel.SessionManager;
import dev.satchel.SessionStoreException;
import dev.satchel.spi.StoreMetrics;
import dev.satchel.spi.StoreSessionManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.Set;
import redis.clients.jedis.HostAndPort;
import redis.clients.jedis.UnifiedJedis;

/**
 * Builds a {@link SessionManager} over Redis — standalone, Sentinel or Cluster — through Jedis, for several
 * application nodes sharing sessions. Every operation is one round trip in the common case; the merge of
 * concurrent changes, the refusal to resurrect and the expiry happen inside Redis, atomically, in a Lua
 * script.
 *
 * <pre>{@code
 * SessionManager sessions = RedisSessionManager.builder()
 *     .uri("redis://app:secret@redis.internal:6379/0")   // or .sentinel(...), .cluster(...), .client(...)
 *     .build();
 * }</pre>
 *
 * <p>The manager built is {@link StoreSessionManager}'s, over this module's store, so Satchel's policy
 * (id validation, expiry at the injected clock, the unreadable-entry policy, size limits, life after
 * {@code close()}) is the same as for every store. It implements {@link dev.satchel.PrincipalIndex} ("log
 * out everywhere"), and, with {@link InvalidationMode#PUBLISH} (the default), {@link dev.satchel.Invalidations}
 * so caches on every node drop stale copies (see {@link Builder#invalidationHeartbeat} for the bound).
 *
 * <p><b>Storage layout</b> (namespace {@code satchel} by default; {@code <sid>} is the 22-character id):
 * <table>
 *   <caption>Keys</caption>
 *   <tr><th>key</th><th>type</th><th>holds</th><th>expires</th></tr>
 *   <tr><td>{@code satchel:session:{<sid>}}</td><td>hash</td><td>one session: fields {@code v} (1),
 *       {@code id}, {@code randval}, {@code created}, {@code lastAccess}, {@code idleTimeoutMs},
 *       {@code deadline} (absent: none), {@code principal} (absent: none), {@code version}, and
 *       {@code a:<name>} = the JSON text of each attribute — the stored document of
 *       {@link dev.satchel.spi.SessionCodec}, spread over fields; times are epoch milliseconds in decimal</td>
 *       <td>{@code PEXPIREAT} at {@code min(lastAccess + idleTimeoutMs, deadline)}, set by every write</td></tr>
 *   <tr><td>{@code satchel:principal:{<principal>}}</td><td>sorted set</td><td>ids of sessions logged in
 *       as that principal, scored by the latest instant each can live (its deadline; {@code inf} while
 *       unknown or unbounded)</td><td>at its highest score; never while a member is unbounded</td></tr>
 *   <tr><td>{@code satchel:corrupt:{<sid>}}</td><td>as found</td><td>a corrupt entry moved aside</td>
 *       <td>{@link #CORRUPT_RETENTION} after it was moved</td></tr>
 *   <tr><td>channel {@code satchel:invalidations}</td><td>pub/sub</td><td>the id of each changed or
 *       removed session ({@link InvalidationMode#PUBLISH})</td><td>-</td></tr>
 * </table>
 * The braces are Redis Cluster hash tags: every key of one session lies in one slot, so each script
 * touches one slot and works on Cluster; a principal's index lies in a slot of its own.
 *
 * <p><b>Unreadable entries.</b> A hash whose {@code v} is a number greater than 1 was written by a newer
 * format: absent to this version and never touched (the merge script refuses to write into it; nothing
 * moves or deletes it but an explicit {@code remove} of its id). Anything else unreadable — another type
 * of key, a missing field, a malformed number or attribute, another id — is corrupt: absent, and moved
 * aside to the {@code corrupt} key for {@link #CORRUPT_RETENTION}.
 *
 * <p><b>Failures.</b> Refused connections, broken connections, {@code LOADING}, {@code MASTERDOWN},
 * {@code READONLY}, {@code CLUSTERDOWN}, {@code TRYAGAIN} and other states of a failover throw
 * {@link dev.satchel.SessionStoreUnavailableException}; no answer within the socket timeout, or no free
 * connection within the pool wait timeout, {@link dev.satchel.SessionStoreTimeoutException}; the cause is
 * attached. A pooled connection that broke (a restarted server) is retried once on a fresh connection,
 * since every script here is safe to repeat. The manager needs no restart when Redis comes back. Messages
 * and logs never hold a session id, randval, key, attribute value, password or a URI's user info.
 *
 * <p>The manager is thread-safe.
 */
public final class RedisSessionManager {

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
    /** How long a corrupt entry is kept, moved aside, for inspection: seven days. */
    public static final Duration CORRUPT_RETENTION = Duration.ofDays(7);

    private RedisSessionManager() {}

    /**
     * Starts configuring a manager; an endpoint ({@code uri}, {@code sentinel}, {@code cluster} or
     * {@code client}) is required.
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Configures a Redis session manager. Exactly one endpoint is required: {@link #uri}, {@link #sentinel},
     * {@link #cluster} or {@link #client}. Follows {@link dev.satchel.spi.BuilderRules}: each setting may be
     * given once (a second call throws {@link IllegalStateException} with an exact message that never shows
     * a credential), {@code null} is a {@link NullPointerException} naming the parameter, a bad value an
     * {@link IllegalArgumentException} at the call, and settings that do not fit together fail in
     * {@link #build()}, before anything connects. Not thread-safe.
     */
    public static final class Builder {
        static final int UNSET = -1;

        JedisClientFactory.Endpoint endpoint;
        RedisUri uri;
        String masterName;
        Set<HostAndPort> nodes;
        private UnifiedJedis client;
        private boolean credentialsSet;
        String user;
        String password;
        int database = UNSET;
        private String namespace;
        private Clock clock;
        Duration connectTimeout;
        Duration socketTimeout;
        Duration poolWaitTimeout;
        int maxConnections = UNSET;
        private Durability durability;
        private int replicas = UNSET;
        private Duration replicaTimeout;
        private InvalidationMode invalidationMode;
        private Duration heartbeat;
        Path trustStore;
        char[] trustStorePassword;
        private int maxSessionBytes;
        private StoreMetrics metrics;

        private Builder() {}

        /**
         * A standalone Redis (or a managed endpoint that hides its failover behind one address):
         * {@code redis://[[user]:password@]host[:port][/database]}, or {@code rediss://} for TLS. The port
         * defaults to 6379, the database to 0. Percent-encode reserved characters of the password.
         *
         * @throws IllegalArgumentException if it is not such a URI, or has a query (the message never quotes
         *     it: it may hold a password)
         * @throws IllegalStateException if an endpoint was already set
         */
        public Builder uri(String redisUri) {
            requireNoEndpoint();
            return parsedUri(RedisUri.parse(requireNonNull(redisUri, "redisUri")));
        }

        /** {@link #uri(String)}, parsed already. */
        Builder parsedUri(RedisUri parsed) {
            requireNoEndpoint();
            this.uri = parsed;
            this.endpoint = JedisClientFactory.Endpoint.URI;
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
            requireNonNull(masterName, "masterName");
            requireArgument(!masterName.isEmpty(), "sentinel master name must not be empty");
            this.nodes = addresses("sentinel", "sentinels", sentinels);
            this.masterName = masterName;
            this.endpoint = JedisClientFactory.Endpoint.SENTINEL;
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
            this.nodes = addresses("cluster seed node", "seedNodes", seedNodes);
            this.endpoint = JedisClientFactory.Endpoint.CLUSTER;
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
            this.client = requireNonNull(jedis, "jedis");
            return this;
        }

        /**
         * The trust store (PKCS12 or JKS, read when the manager is built) holding the certificate authority of a
         * {@code rediss://} server whose certificate the JVM's default trust store does not vouch for — a
         * private CA, or a self-signed certificate. The server's name is still checked against its certificate.
         * Default: the JVM's trust store.
         *
         * @param password the trust store's password, or {@code null} for none
         * @throws IllegalArgumentException if {@code file} is not a readable file
         * @throws IllegalStateException if a trust store was already set
         */
        public Builder trustStore(Path file, char[] password) {
            requireState(trustStore == null, "trust store was already set");
            requireNonNull(file, "file");
            requireArgument(Files.isRegularFile(file) && Files.isReadable(file),
                    "trust store must be a readable file, was %s", file);
            this.trustStore = file;
            this.trustStorePassword = password == null ? null : password.clone();
            return this;
        }

        /**
         * The user and password to authenticate with ({@code user} {@code null} for the {@code default}
         * user, as with {@code requirepass}); keeps the password out of a URI.
         *
         * @throws IllegalStateException if credentials were already set
         */
        public Builder credentials(String user, String password) {
            requireState(!credentialsSet, "credentials were already set");
            this.password = requireNonNull(password, "password");
            this.user = user;
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
            requireUnset(database, UNSET, "database");
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
            requireUnset(this.namespace, "namespace");
            requireNonNull(namespace, "namespace");
            requireArgument(!namespace.isEmpty() && namespace.length() <= 64,
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
            requireUnset(this.clock, "clock");
            this.clock = requireNonNull(clock, "clock");
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
            requireUnset(connectTimeout, "connect timeout");
            this.connectTimeout = positiveMillis(timeout, "timeout", "connect timeout");
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
            requireUnset(socketTimeout, "socket timeout");
            this.socketTimeout = positiveMillis(timeout, "timeout", "socket timeout");
            return this;
        }

        /**
         * How long a request waits for a pooled connection when all are busy; default 500 milliseconds.
         *
         * @throws IllegalArgumentException if not positive
         * @throws IllegalStateException if it was already set
         */
        public Builder poolWaitTimeout(Duration timeout) {
            requireUnset(poolWaitTimeout, "pool wait timeout");
            this.poolWaitTimeout = positiveMillis(timeout, "timeout", "pool wait timeout");
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
            requireUnset(maxConnections, UNSET, "max connections");
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
            requireUnset(this.durability, "durability");
            this.durability = requireNonNull(durability, "durability");
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
            this.replicaTimeout = positiveMillis(timeout, "timeout", "replica timeout");
            this.replicas = replicas;
            return this;
        }

        /**
         * Whether writes publish invalidations; default {@link InvalidationMode#PUBLISH}. With
         * {@link InvalidationMode#NONE} the manager does not implement {@link dev.satchel.Invalidations}.
         *
         * @throws IllegalStateException if it was already set
         */
        public Builder invalidationMode(InvalidationMode mode) {
            requireUnset(invalidationMode, "invalidation mode");
            this.invalidationMode = requireNonNull(mode, "mode");
            return this;
        }

        /**
         * How often the invalidation feed checks its connection with a {@code PING}; default one second.
         *
         * <p><b>Delivery.</b> While subscribed, an id arrives one network hop after the write that published
         * it (Redis pushes it to every subscriber as it runs the script). Messages published while a
         * subscriber is disconnected are lost (Redis keeps none), so the listener is told
         * {@link dev.satchel.Invalidations.Listener#invalidateAll() invalidateAll} when a connection fails or
         * closes, every heartbeat interval while there is no subscription, and when the subscription is
         * confirmed again. A connection that goes silent without closing (a frozen server, a dropped network
         * path) is detected by the heartbeat within three intervals. So a listener that honours the feed
         * serves a copy older than the newest write by at most the delivery time while connected, and by at
         * most three heartbeat intervals when the feed breaks.
         *
         * @throws IllegalArgumentException if not positive
         * @throws IllegalStateException if it was already set
         */
        public Builder invalidationHeartbeat(Duration interval) {
            requireUnset(heartbeat, "invalidation heartbeat");
            this.heartbeat = positiveMillis(interval, "interval", "invalidation heartbeat");
            return this;
        }

        /**
         * The largest session document a save may produce; default and limits as
         * {@link StoreSessionManager.Builder#maxSessionBytes}.
         *
         * @throws IllegalArgumentException if out of range
         * @throws IllegalStateException if it was already set
         */
        public Builder maxSessionBytes(int bytes) {
            requireUnset(maxSessionBytes, 0, "max session bytes");
            requireArgument(bytes >= 1024 && bytes <= StoreSessionManager.MAX_SESSION_BYTES_LIMIT,
                    "max session bytes must be between 1024 and %s, was %s",
                    StoreSessionManager.MAX_SESSION_BYTES_LIMIT, bytes);
            this.maxSessionBytes = bytes;
            return this;
        }

        /**
         * Where store operations are reported; default none. See {@link StoreMetrics}.
         *
         * @throws IllegalStateException if it was already set
         */
        public Builder metrics(StoreMetrics metrics) {
            requireUnset(this.metrics, "metrics");
            this.metrics = requireNonNull(metrics, "metrics");
            return this;
        }

        /**
         * Builds the manager: creates its Jedis client (unless one was given) and checks that Redis answers
         * with one read, so a wrong address or password fails here rather than on the first request. May be
         * called again for another manager with its own client; never changes this builder.
         *
         * @throws IllegalStateException if no endpoint was set, or settings contradict each other
         * @throws SessionStoreException if Redis cannot be reached or refuses the credentials; its message says
         *     which
         */
        public SessionManager build() {
            return manager(buildStore());
        }

        /** The manager {@link #build()} puts around {@code store}; for this package's tests. */
        SessionManager manager(RedisSessionStore store) {
            StoreSessionManager.Builder manager = StoreSessionManager.over(store)
                    .name("redis " + store.namespace());
            if (clock != null) {
                manager.clock(clock);
            }
            if (maxSessionBytes != 0) {
                manager.maxSessionBytes(maxSessionBytes);
            }
            if (metrics != null) {
                manager.metrics(metrics);
            }
            return manager.build();
        }

        /** The store {@link #build()} wraps: checked, connected and probed; for this package's tests. */
        RedisSessionStore buildStore() {
            requireState(endpoint != null || client != null,
                    "a Redis endpoint is required: uri(), sentinel(), cluster() or client()");
            Duration socket = JedisClientFactory.socketTimeout(this);
            if (client != null) {
                requireState(connectTimeout == null && socketTimeout == null && poolWaitTimeout == null
                        && maxConnections == UNSET && !credentialsSet && database == UNSET,
                        "connection settings (timeouts, pool, credentials, database) do not apply to a client you "
                                + "supply: configure them on the client");
            }
            requireState(trustStore == null || (endpoint == JedisClientFactory.Endpoint.URI && uri.tls()),
                    "a trust store applies only to a rediss:// URI");
            if (endpoint == JedisClientFactory.Endpoint.URI) {
                requireState(!credentialsSet || !uri.hasCredentials(),
                        "credentials were given both in the URI and by credentials()");
                requireState(database == UNSET || uri.database() == RedisUri.NO_DATABASE,
                        "database was given both in the URI and by database()");
            }
            requireState(endpoint != JedisClientFactory.Endpoint.CLUSTER || database == UNSET || database == 0,
                    "Redis Cluster has only database 0, was %s", database);
            requireState(replicas == UNSET || durability == Durability.REPLICATED,
                    "replica acknowledgements apply only to Durability.REPLICATED, durability is %s", durability);
            Duration waitForReplicas = replicaTimeout == null ? DEFAULT_REPLICA_TIMEOUT : replicaTimeout;
            requireState(durability != Durability.REPLICATED || client != null || waitForReplicas.compareTo(socket) < 0,
                    "replica timeout (%s) must be shorter than the socket timeout (%s)", waitForReplicas, socket);
            boolean owned = client == null;
            UnifiedJedis jedis;
            try {
                jedis = owned ? new JedisClientFactory(this).create() : client;
            } catch (RuntimeException e) {
                throw RedisFailures.translate("connecting at startup", e);
            }
            return RedisSessionStore.open(jedis, owned, namespace == null ? DEFAULT_NAMESPACE : namespace,
                    invalidationMode == null ? InvalidationMode.PUBLISH : invalidationMode,
                    heartbeat == null ? DEFAULT_INVALIDATION_HEARTBEAT : heartbeat,
                    durability == null ? Durability.ASYNC : durability,
                    replicas == UNSET ? 1 : replicas, waitForReplicas);
        }

        private void requireNoEndpoint() {
            requireState(endpoint == null && client == null, "a Redis endpoint was already set (%s)",
                    client != null ? "CLIENT" : endpoint);
        }

        private static Set<HostAndPort> addresses(String what, String parameter, String[] addresses) {
            requireNonNull(addresses, parameter);
            requireArgument(addresses.length > 0, "at least one %s address is required", what);
            Set<HostAndPort> set = new LinkedHashSet<>();
            for (String a : addresses) {
                requireNonNull(a, parameter);
                int colon = a.lastIndexOf(':');
                long port = colon < 0 ? -1 : SessionHash.parse(a.substring(colon + 1));
                requireArgument(colon > 0 && port > 0 && port <= 65535, "%s address must be host:port, was %s", what, a);
                set.add(new HostAndPort(a.substring(0, colon), (int) port));
            }
            return set;
        }

        private static Duration positiveMillis(Duration d, String parameter, String what) {
            requireNonNull(d, parameter);
            requireArgument(!d.isNegative() && d.toMillis() > 0 && d.toMillis() <= Integer.MAX_VALUE,
                    "%s must be at least one millisecond and at most Integer.MAX_VALUE ms, was %s", what, d);
            return d;
        }
    }
}
