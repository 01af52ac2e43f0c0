package dev.satchel.store.redis;

import dev.satchel.SessionStoreTimeoutException;
import java.time.Duration;

/**
 * When a write counts as done. Redis replicates and persists asynchronously: a master acknowledges a
 * write as soon as it is in its memory, before any replica or disk has it. Choose how much of that window
 * a session write may fall into.
 */
public enum Durability {

    /**
     * Done once the master has applied the write: one round trip, the fastest. A master that crashes
     * loses the writes not yet copied: on a failover, those its promoted replica had not received
     * (typically the last milliseconds); on a restart without failover, those not yet in the
     * append-only file or snapshot it reloads (up to a second with {@code appendfsync everysec}, everything
     * since the last snapshot with RDB only). A lost session write means a lost attribute change or login,
     * or a logout that comes undone. The default.
     */
    ASYNC,

    /**
     * Done once the master has applied the write <em>and</em> at least
     * {@link RedisSessionManager.Builder#replicaAcknowledgements(int, Duration) N replicas} have acknowledged it
     * ({@code WAIT N timeout} on the same connection, pipelined behind the write). A failover to one of
     * those replicas keeps the write. Costs the replication round trip on every write (reads are
     * unchanged). When fewer replicas acknowledge within the timeout the write stays on the master, may
     * still replicate, and the call throws {@link dev.satchel.SessionStoreTimeoutException} so the caller
     * knows it is not safe. {@code WAIT} is no consensus: Redis may still promote a replica without the
     * write in rare double-failure cases.
     *
     * @see RedisSessionManager.Builder#replicaAcknowledgements(int, Duration)
     */
    REPLICATED
}
