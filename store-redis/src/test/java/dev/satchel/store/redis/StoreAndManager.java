package dev.satchel.store.redis;

import dev.satchel.Invalidations;
import dev.satchel.PrincipalIndex;
import dev.satchel.SessionManager;

/**
 * A manager built exactly as {@link RedisSessionManager.Builder#build()} builds it, with its store at hand
 * for what tests look at (key names, whether the invalidation feed is subscribed). Closing it closes the
 * manager, which closes the store.
 */
final class StoreAndManager implements AutoCloseable {

    final RedisSessionStore store;
    final SessionManager manager;

    private StoreAndManager(RedisSessionStore store, SessionManager manager) {
        this.store = store;
        this.manager = manager;
    }

    static StoreAndManager build(RedisSessionManager.Builder builder) {
        RedisSessionStore store = builder.buildStore();
        return new StoreAndManager(store, builder.manager(store));
    }

    /** The manager as the principal index it implements. */
    PrincipalIndex index() {
        return (PrincipalIndex) manager;
    }

    /** The manager as the invalidation feed it implements with {@link InvalidationMode#PUBLISH}. */
    Invalidations invalidations() {
        return (Invalidations) manager;
    }

    String sessionKey(String sid) {
        return store.sessionKey(sid);
    }

    String principalKey(String principal) {
        return store.principalKey(principal);
    }

    String namespace() {
        return store.namespace();
    }

    boolean feedSubscribed() {
        return store.feedSubscribed();
    }

    @Override
    public void close() {
        manager.close();
    }
}
