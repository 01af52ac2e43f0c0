package dev.satchel.store.redis;

/**
 * Whether the manager tells other nodes which sessions changed, so their caches
 * ({@code CachingSessionManager}) drop stale copies within milliseconds. Every manager over one store
 * must use the same mode: a node that does not publish leaves the others' caches stale.
 */
public enum InvalidationMode {

    /**
     * Every change and removal publishes the session id on the channel {@code <namespace>:invalidations}
     * from inside the same script that writes it, so a change is never published without being stored or
     * stored without being published. Costs one {@code PUBLISH} per write; on Cluster a plain
     * {@code PUBLISH} travels the cluster bus to every node, so it grows with the cluster. The default.
     */
    PUBLISH,

    /**
     * Nothing is published, and the manager does not implement {@link dev.satchel.Invalidations}: a cache in
     * front of it bounds staleness by its own maximum staleness instead. For deployments without caches in
     * front of Redis, or whose caches rely on a short maximum staleness.
     */
    NONE
}
