package dev.satchel.store.redis;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashSet;
import java.util.Set;
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
 * Makes the Jedis client of a store from the endpoint and connection settings a
 * {@link RedisSessionManager.Builder} collected: a {@link RedisClient} for a standalone URI (TLS for
 * {@code rediss://}, with the JVM's or the given trust store and the host name checked), a
 * {@link RedisSentinelClient} that follows the master the sentinels announce, or a {@link RedisClusterClient}.
 * Every client speaks RESP2 (no {@code HELLO} round trip), names itself {@code satchel}, and pools one
 * connection more than asked for the invalidation subscriber. Immutable; {@link #create()} may be called
 * more than once and makes a new client each time.
 */
final class JedisClientFactory {

    /** Where Redis is. */
    enum Endpoint { URI, SENTINEL, CLUSTER }

    private final Endpoint endpoint;
    private final RedisUri uri;
    private final String masterName;
    private final Set<HostAndPort> nodes;
    private final String user;
    private final String password;
    private final int database;
    private final Duration connectTimeout;
    private final Duration socketTimeout;
    private final Duration poolWaitTimeout;
    private final int maxConnections;
    private final Path trustStore;
    private final char[] trustStorePassword;

    /** A snapshot of {@code b}'s endpoint and connection settings, defaults applied; {@code b} has an endpoint. */
    JedisClientFactory(RedisSessionManager.Builder b) {
        this.endpoint = b.endpoint;
        this.uri = b.uri;
        this.masterName = b.masterName;
        this.nodes = b.nodes == null ? null : Collections.unmodifiableSet(new LinkedHashSet<>(b.nodes));
        this.user = b.user;
        this.password = b.password;
        this.database = b.database;
        this.connectTimeout = b.connectTimeout == null ? RedisSessionManager.DEFAULT_CONNECT_TIMEOUT : b.connectTimeout;
        this.socketTimeout = socketTimeout(b);
        this.poolWaitTimeout = b.poolWaitTimeout == null ? RedisSessionManager.DEFAULT_POOL_WAIT_TIMEOUT
                : b.poolWaitTimeout;
        this.maxConnections = b.maxConnections == RedisSessionManager.Builder.UNSET
                ? RedisSessionManager.DEFAULT_MAX_CONNECTIONS : b.maxConnections;
        this.trustStore = b.trustStore;
        this.trustStorePassword = b.trustStorePassword == null ? null : b.trustStorePassword.clone();
    }

    /** The socket timeout {@code b} asks for, or the default. */
    static Duration socketTimeout(RedisSessionManager.Builder b) {
        return b.socketTimeout == null ? RedisSessionManager.DEFAULT_SOCKET_TIMEOUT : b.socketTimeout;
    }

    /**
     * A new client. Opens no connection yet (the pools open them on first use).
     *
     * @throws RuntimeException a Jedis exception, for the caller to translate (a trust store that cannot be read)
     */
    UnifiedJedis create() {
        DefaultJedisClientConfig.Builder config = DefaultJedisClientConfig.builder()
                .connectionTimeoutMillis((int) connectTimeout.toMillis())
                .socketTimeoutMillis((int) socketTimeout.toMillis())
                .protocol(RedisProtocol.RESP2) // no HELLO round trip; every reply here has a RESP2 form
                .clientName("satchel")
                .clientSetInfoConfig(ClientSetInfoConfig.DISABLED);
        String u = user;
        String p = password;
        int db = database == RedisUri.NO_DATABASE ? 0 : database;
        if (endpoint == Endpoint.URI) {
            if (uri.hasCredentials()) {
                u = uri.user();
                p = uri.password();
            }
            if (uri.database() != RedisUri.NO_DATABASE) {
                db = uri.database();
            }
            if (uri.tls()) {
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
        pool.setMaxTotal(maxConnections + 1); // one more for the invalidation subscriber
        pool.setMaxIdle(maxConnections + 1);
        pool.setMinIdle(0);
        pool.setMaxWait(poolWaitTimeout);
        pool.setBlockWhenExhausted(true);
        pool.setJmxEnabled(false);
        switch (endpoint) {
            case URI:
                return RedisClient.builder()
                        .hostAndPort(uri.host(), uri.port())
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
                        .maxAttempts(5).maxTotalRetriesDuration(socketTimeout.multipliedBy(2))
                        .build();
        }
    }
}
