package dev.satchel;

import java.util.List;

/**
 * A capability of managers that index sessions by principal (user) name, for "show my sessions" and
 * "log out everywhere". Managers that cannot do this efficiently simply do not implement it.
 */
public interface PrincipalIndex {

    /**
     * Returns working copies of every live session whose principal is {@code principal}; empty for
     * {@code null}. Expired sessions are never returned.
     *
     * @throws SessionStoreException if the store cannot answer
     */
    List<Session> findByPrincipal(String principal);

    /**
     * Removes every live session whose principal is {@code principal} and returns how many it removed:
     * exactly the sessions {@link #findByPrincipal} would have returned at that moment (expired and
     * unreadable entries are neither counted nor, when of a newer format, touched). {@code null} removes
     * nothing and returns 0.
     *
     * @throws SessionStoreException if the store fails; sessions removed before the failure stay removed
     */
    int removeByPrincipal(String principal);
}
