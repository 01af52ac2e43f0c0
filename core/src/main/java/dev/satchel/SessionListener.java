package dev.satchel;

/**
 * Hears sessions begin, change id and end: the event SPI every integration builds its own events on (a
 * servlet container's {@code HttpSessionListener}, a framework's session events, an audit log). Register
 * one with {@link HttpSessions.Builder#addListener} or, from an integration handed an {@link HttpSessions}
 * it did not build, with {@link HttpSessions#subscribe}.
 *
 * <p><b>When each event fires.</b> {@link #created} when {@link HttpSessions#commit} first stores a new
 * session (an empty session is never stored, so it is never announced); {@link #idChanged} when
 * {@link HttpSessions#rotateId} gives a stored session a new id; {@link #destroyed} with
 * {@link Reason#INVALIDATED} when {@link HttpSessions#invalidate} removes a stored session, and with
 * {@link Reason#EXPIRED} when the manager's sweeper removes an expired one — only for managers that
 * implement {@link ExpiryEvents} (a store that expires entries itself, such as Redis, cannot say which
 * went). Every announced session therefore ends with at most one {@code destroyed}; a session that
 * expires unseen by a sweeper (a Redis TTL, or an expired entry dropped on a request's write) ends
 * without one.
 *
 * <p><b>Threads and failures.</b> Request events are called on the thread doing the operation, after the
 * store has done it: the {@code Session} passed is that request's working copy. Expiry events come from
 * the sweeper's thread with a read-only copy of the last stored state (changing it saves nothing). A
 * listener that throws is logged and the others still run; the operation has already happened and is
 * never undone or stopped by a listener. Implementations must be thread-safe and quick.
 */
public interface SessionListener {

    /** Why a session ended. */
    enum Reason {
        /** The application ended it ({@link HttpSessions#invalidate}: a logout). */
        INVALIDATED,
        /** The manager's sweeper removed it after its idle timeout or absolute deadline passed. */
        EXPIRED
    }

    /** A new session was stored for the first time; {@code session} is the request's working copy. */
    default void created(Session session) {}

    /** {@code session} (now under its new id) was stored under {@code oldId} until now; {@code oldId} no longer works. */
    default void idChanged(Session session, String oldId) {}

    /** {@code session} was removed from the store; its attributes are still readable from {@code session}. */
    default void destroyed(Session session, Reason reason) {}
}
