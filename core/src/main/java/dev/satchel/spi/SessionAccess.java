package dev.satchel.spi;

import dev.satchel.Session;

/**
 * The parts of a {@link Session} that managers, decorators and integrations need and applications must not
 * call: wrapping a stored record, reading the record under a working copy, its pending changes, and marking
 * it saved. Static methods; thread-safe as far as the session itself is (a session belongs to one request).
 */
public final class SessionAccess {

    private static volatile Bridge bridge;

    static {
        // Session installs its bridge when it initialises; make sure that happened first.
        try {
            Class.forName(Session.class.getName(), true, SessionAccess.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private SessionAccess() {}

    /** A working copy over a record read from a store (not new, not modified). */
    public static Session wrap(SessionRecord stored) {
        return bridge.wrap(stored);
    }

    /** A session that exists only in memory until its first save. */
    public static Session fresh(SessionRecord unsaved) {
        return bridge.fresh(unsaved);
    }

    /** The record the session was loaded from or last saved as; for a new one, its unsaved initial state. */
    public static SessionRecord record(Session session) {
        return bridge.record(session);
    }

    /** The session's pending changes, as a change set accessed at {@code now}. */
    public static ChangeSet changes(Session session, long now) {
        return bridge.changes(session, now);
    }

    /**
     * The first stored state of a new session saved at {@code now}, or {@code null} when it is already past
     * its absolute deadline.
     */
    public static SessionRecord initialRecord(Session session, long now) {
        return bridge.initialRecord(session, now);
    }

    /** Makes the session a clean (not new, not modified) copy of {@code stored}, after a successful save. */
    public static void saved(Session session, SessionRecord stored) {
        bridge.saved(session, stored);
    }

    /**
     * Installed once by {@link Session} itself when it initialises; a second installation is refused, so no
     * other code can take its place.
     *
     * @throws IllegalStateException if a bridge is installed already
     */
    public static void install(Bridge b) {
        synchronized (SessionAccess.class) {
            if (bridge != null) {
                throw new IllegalStateException("the session bridge is installed already");
            }
            bridge = b;
        }
    }

    /** What {@link Session} provides to this class. Not for anything else to implement. */
    public interface Bridge {
        /** See {@link SessionAccess#wrap}. */
        Session wrap(SessionRecord stored);

        /** See {@link SessionAccess#fresh}. */
        Session fresh(SessionRecord unsaved);

        /** See {@link SessionAccess#record}. */
        SessionRecord record(Session session);

        /** See {@link SessionAccess#changes}. */
        ChangeSet changes(Session session, long now);

        /** See {@link SessionAccess#initialRecord}. */
        SessionRecord initialRecord(Session session, long now);

        /** See {@link SessionAccess#saved}. */
        void saved(Session session, SessionRecord stored);
    }
}
