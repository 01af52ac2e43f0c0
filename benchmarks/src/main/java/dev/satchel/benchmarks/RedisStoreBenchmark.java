package dev.satchel.benchmarks;

import dev.satchel.SessionManager;
import dev.satchel.store.redis.RedisSessionManager;
import java.time.Duration;
import org.openjdk.jmh.annotations.Param;
import redis.clients.jedis.DefaultJedisClientConfig;
import redis.clients.jedis.RedisClient;
import redis.clients.jedis.RedisProtocol;

/**
 * The Redis store next to raw Jedis issuing the same commands on the same client ({@code HGETALL}; the
 * {@code EVALSHA} of the same script with the same arguments) and to Spring Session Data Redis's
 * {@code RedisSessionRepository} (on Lettuce, Spring Data Redis's default), all on one {@code redis-server}
 * on loopback: {@code get}, {@code put} of one changed attribute, and the {@code cycle} of both.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar RedisStoreBenchmark -t 1 -prof gc   # starts its own redis-server
 * java -Dsatchel.bench.redis=127.0.0.1:6399 -jar benchmarks/target/benchmarks.jar RedisStoreBenchmark -t 2
 * java -Dsatchel.bench.redis=127.0.0.1:6399 -jar benchmarks/target/benchmarks.jar 'RedisStoreBenchmark.get$' -p impl=SATCHEL+JEDIS_RAW -wi 24 -w 250ms -i 16 -r 250ms
 * </pre>
 * The last line has two implementations take turns in one fork ({@link Interleaving}); they share the server,
 * each with sessions of its own.
 */
public class RedisStoreBenchmark extends StoreBenchmark {

    /** What is measured. */
    public enum Impl {
        /** {@code RedisSessionManager}: {@code get} = {@code HGETALL} and decode; {@code put} = one {@code EVALSHA}. */
        SATCHEL,
        /** The same commands through the same Jedis client, without Satchel's code around them. */
        JEDIS_RAW,
        /** Spring Session Data Redis {@code RedisSessionRepository}: {@code findById}; {@code save}. */
        SPRING_SESSION
    }

    /** Every timeout of the benchmark's stores (see {@link #satchel}). */
    private static final Duration STARVED = Duration.ofSeconds(60);

    /** One {@link Impl}, or several joined by {@code +} to take turns in one fork ({@link Interleaving}). */
    @Param({"SATCHEL", "JEDIS_RAW", "SPRING_SESSION"})
    String impl;

    /** The server every client of this fork uses, emptied once before the first is opened. */
    private RedisProcess redis;

    @Override
    protected String implementations() {
        return impl;
    }

    @Override
    protected StoreClient open(String name) {
        if (redis == null) {
            redis = RedisProcess.obtain();
            redis.flush();
        }
        try {
            switch (Impl.valueOf(name)) {
                case SATCHEL:
                    return new SatchelStoreClient(satchel(redis), sessions, redis);
                case JEDIS_RAW:
                    return new JedisRawClient(satchel(redis), RedisClient.builder()
                            .hostAndPort(redis.host(), redis.port())
                            .clientConfig(DefaultJedisClientConfig.builder().protocol(RedisProtocol.RESP2)
                                    .connectionTimeoutMillis((int) STARVED.toMillis()).socketTimeoutMillis((int) STARVED.toMillis())
                                    .build())
                            .build(), sessions, redis);
                case SPRING_SESSION:
                    return new SpringRedisClient(redis, sessions);
                default:
                    throw new AssertionError(name);
            }
        } catch (RuntimeException e) {
            redis.close();
            throw e;
        }
    }

    @Override
    protected void closeShared() {
        if (redis != null) {
            redis.close();
        }
    }

    /** On one CPU with the redis-server when {@code -Dsatchel.bench.pinCpu} asks (see {@link CpuPin}). */
    @Override
    protected void ready() {
        CpuPin.applyIfAsked();
    }

    /**
     * The store with the defaults an application gets, except its timeouts: 1 s without an answer is a
     * failure in production, but on this shared machine a pinned fork can be starved that long (a full run
     * failed so), and a benchmark measures the speed of the answers, not the handling of their absence.
     * Lettuce's default command timeout, which the Spring peer keeps, is 60 s.
     */
    private static SessionManager satchel(RedisProcess redis) {
        return RedisSessionManager.builder().uri("redis://" + redis.host() + ":" + redis.port())
                .connectTimeout(STARVED).socketTimeout(STARVED).poolWaitTimeout(STARVED).build();
    }

}
