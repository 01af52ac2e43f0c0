package dev.satchel.spi;

import dev.satchel.PrincipalIndex;
import dev.satchel.SessionStoreException;
import java.util.Collection;

/**
 * A store that indexes sessions by principal (user) name, so the manager can offer
 * {@link dev.satchel.PrincipalIndex} ("show my sessions", "log out everywhere") in time proportional to one
 * principal's sessions rather than to the store.
 */
public interface PrincipalIndexedStore extends SessionStore {

    /**
     * The ids of the sessions whose principal is {@code principal}. The answer may hold stale ids (sessions
     * since removed, expired or given another principal): the manager loads each and keeps only live ones
     * whose principal still matches, so an index may lag a write, but must never miss a live session whose
     * stored principal is {@code principal}.
     *
     * @throws dev.satchel.SessionStoreException if the store fails
     */
    Collection<String> idsOfPrincipal(String principal);

    /**
     * Deletes session {@code id} only if its stored principal is still {@code principal}, atomically with
     * that check, so a "log out everywhere" never removes a session that logged in as someone else after it
     * was listed. The default cannot check atomically: it deletes unconditionally, as {@link #delete} does.
     *
     * @return whether a session was deleted
     * @throws dev.satchel.SessionStoreException if the store fails; what it holds is then unknown
     */
    default boolean deleteIfPrincipal(String id, String principal) {
        delete(id);
        return true;
    }
}
