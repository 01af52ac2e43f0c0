package dev.satchel;

import dev.satchel.spi.SessionIds;
import java.util.Optional;

/**
 * Turns session ids into sessions and back: the one interface every Satchel store and decorator
 * implements, and the one an application (or {@link HttpSessions}) talks to.
 *
 * <p>Every implementation keeps these rules (the testkit's {@code SessionManagerContract} checks each):
 * <ol>
 *   <li><b>Bad ids never reach storage.</b> An id that is not {@link SessionIds#isValid valid} —
 *       {@code null}, empty, a path, 10 KB of text, non-ASCII — makes {@link #get} empty, {@link #exists}
 *       false and {@link #remove} a no-op, with no exception and no store access.</li>
 *   <li><b>put applies changes, it does not overwrite.</b> Two requests that loaded the same session and
 *       changed different attributes both keep their change; for the same attribute the later put wins.</li>
 *   <li><b>No resurrection.</b> A put for a session removed or expired meanwhile writes nothing and
 *       returns {@code false}.</li>
 *   <li><b>Expiry.</b> A session expires at {@code min(lastAccess + idleTimeout, deadline)}; {@link #get}
 *       never returns an expired one, and the store removes them (native TTL or a sweeper).</li>
 *   <li><b>Thread safety.</b> Every method may be called from any thread at any time; each {@link #get}
 *       returns a copy of its own.</li>
 *   <li><b>Clear failures.</b> An unreachable store, a timeout or an unresolvable conflict throws a
 *       {@link SessionStoreException} subclass carrying the cause; one corrupt entry is logged once and
 *       treated as absent. Nothing is ever half written.</li>
 *   <li><b>Time comes from an injected {@link java.time.Clock}.</b></li>
 * </ol>
 */
public interface SessionManager extends AutoCloseable {

    /**
     * Returns a new session with a fresh random id and randval. Nothing is stored until {@link #put}.
     */
    Session newSession();

    /**
     * Whether a session with this id is stored and not expired.
     *
     * @throws SessionStoreException if the store cannot answer
     */
    boolean exists(String sid);

    /**
     * Returns a new working copy of the stored session {@code sid}, or empty when the id is invalid, no
     * such session is stored, it has expired, or its entry is corrupt.
     *
     * @throws SessionStoreException if the store cannot answer
     */
    Optional<Session> get(String sid);

    /**
     * Looks up the session whose id is the {@value SessionIds#LENGTH} characters of {@code text} starting at
     * {@code start} — an id inside a {@code Cookie} header — and returns a new working copy, or {@code null}
     * when {@link #get} would be empty. The hot path of {@link HttpSessions#open}: an implementation that
     * can look up without copying the id out of the text, or without wrapping the answer, overrides it;
     * the default does exactly {@code get(text.substring(start, start + 22))}.
     *
     * @throws IndexOutOfBoundsException if {@code text} holds fewer than {@value SessionIds#LENGTH}
     *     characters from {@code start}
     * @throws SessionStoreException if the store cannot answer
     */
    default Session lookup(CharSequence text, int start) {
        return get(text.subSequence(start, start + SessionIds.LENGTH).toString()).orElse(null);
    }

    /**
     * Stores {@code session}: creates it if it is new, otherwise applies this request's changes to the
     * stored state atomically and records the access. On success the session becomes a clean copy of what
     * is now stored (not new, not modified).
     *
     * @return {@code true} if stored; {@code false} if the session was removed or has expired meanwhile,
     *     in which case nothing was written
     * @throws SessionConflictException if a new session's id is already taken
     * @throws SessionStoreException if the store fails; then nothing, or the complete change, was written
     */
    boolean put(Session session);

    /**
     * Removes session {@code sid}. Idempotent: removing an unknown, invalid or already removed id does
     * nothing.
     *
     * @throws SessionStoreException if the store fails
     */
    void remove(String sid);

    /** Releases what the manager owns (threads, connections, locks). Idempotent. */
    @Override
    void close();
}
