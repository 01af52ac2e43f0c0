package dev.satchel;

import dev.satchel.spi.ChangeSet;
import dev.satchel.spi.SessionAccess;
import dev.satchel.spi.SessionCodec;
import dev.satchel.spi.SessionRecord;
import dev.satchel.spi.UnreadableEntryException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import tools.jackson.core.type.TypeReference;

/**
 * One request's working copy of a session: a copy-on-write view over an immutable {@link SessionRecord}
 * that remembers which attributes this request set and removed. Saving it
 * ({@link SessionManager#put}) applies exactly those changes to what is stored, so concurrent requests
 * on the same session do not overwrite each other's attributes.
 *
 * <p>Attribute values are stored as JSON. {@link #put} converts the value immediately, so later changes
 * to the Java object are not seen unless it is put again, and a value that cannot be written as JSON
 * fails at the call, not at commit. Reads convert back on every call: untyped reads give
 * {@code String}, {@code Boolean}, {@code Integer}/{@code Long}/{@code BigInteger}, {@code Double},
 * {@code List}, {@code Map} or {@code null} — JSON-shaped data, never the class that was put; typed reads
 * go through Jackson, without any default typing. A value returned by a read is the caller's own;
 * changing it changes nothing stored.
 *
 * <p><b>What reads back as itself</b> through {@link #get(String, Class)} with the type it was put as:
 * {@code String}, {@code Boolean}, {@code Integer}, {@code Long}, {@code Double} (non-finite values too),
 * {@code BigInteger}, {@code BigDecimal}, {@code java.time} values ({@code Instant}, {@code LocalDate},
 * {@code LocalDateTime}, {@code OffsetDateTime}, {@code Duration}; written as ISO-8601 text), enums (by
 * name), records and beans of those (by their properties), and — with a {@link TypeReference} naming the
 * element types — {@code List}, {@code Set} and {@code Map} with string keys. An object with no properties
 * to write ({@code new Object()}) is refused at {@link #put}, since it would read back as a default object;
 * so is a value beyond the codec's limits (nesting {@value SessionCodec#MAX_VALUE_NESTING_DEPTH}, strings
 * {@value SessionCodec#MAX_STRING_LENGTH} characters, names {@value SessionCodec#MAX_NAME_LENGTH}) or a
 * string with an unpaired surrogate: what {@code put} accepts always reads back.
 *
 * <p>Not thread-safe: a session belongs to the request that opened it. Two requests never share one;
 * {@link SessionManager#get} returns a new copy each time.
 */
public final class Session {

    private static final byte NEW = 1;
    private static final byte COOKIE_OUTDATED = 2;
    private static final byte INVALIDATED = 4;

    private SessionRecord base;
    /** {@link #NEW}, {@link #COOKIE_OUTDATED}, {@link #INVALIDATED}. */
    private byte flags;
    /**
     * This request's changes; {@code null} until the first one, so a session that is only read (the
     * common request) is one small object over a shared record.
     */
    private Pending pending;

    private Session(SessionRecord base, boolean isNew) {
        this.base = base;
        this.flags = isNew ? NEW : 0;
    }

    static {
        SessionAccess.install(new SessionAccess.Bridge() {
            @Override
            public Session wrap(SessionRecord stored) {
                return new Session(Objects.requireNonNull(stored, "stored"), false);
            }

            @Override
            public Session fresh(SessionRecord unsaved) {
                return new Session(Objects.requireNonNull(unsaved, "unsaved"), true);
            }

            @Override
            public SessionRecord record(Session session) {
                return session.base;
            }

            @Override
            public ChangeSet changes(Session session, long now) {
                return session.changes(now);
            }

            @Override
            public SessionRecord initialRecord(Session session, long now) {
                return session.initialRecord(now);
            }

            @Override
            public void saved(Session session, SessionRecord stored) {
                session.saved(stored);
            }
        });
    }

    /** The session id. */
    public String id() {
        return base.id();
    }

    /** Whether this session has never been stored. */
    public boolean isNew() {
        return (flags & NEW) != 0;
    }

    /** Whether this request changed anything: an attribute, the principal or a timeout. */
    public boolean isModified() {
        return pending != null && pending.isModified();
    }

    /** The record this copy was loaded from, or last saved as; for a new session, its unsaved initial state. */
    SessionRecord record() {
        return base;
    }

    /** When the session was created. */
    public Instant createdAt() {
        return Instant.ofEpochMilli(base.created());
    }

    /** The last stored access (updated when the session is saved or touched, not on every read). */
    public Instant lastAccessedAt() {
        return Instant.ofEpochMilli(base.lastAccess());
    }

    /** The idle timeout, including a change made by this request. */
    public Duration idleTimeout() {
        long changed = pending == null ? 0 : pending.idleTimeoutMillis;
        return Duration.ofMillis(changed > 0 ? changed : base.idleTimeoutMillis());
    }

    /** The absolute deadline, including a change made by this request; empty when there is none. */
    public Optional<Instant> deadline() {
        long d = pending != null && pending.deadlineChanged ? pending.deadline : base.deadline();
        return d == SessionRecord.NO_DEADLINE ? Optional.empty() : Optional.of(Instant.ofEpochMilli(d));
    }

    /**
     * Sets how long the session may go unused before it expires.
     *
     * @throws IllegalArgumentException if {@code timeout} is not positive
     */
    public void setIdleTimeout(Duration timeout) {
        long millis = timeout.toMillis();
        if (millis <= 0) {
            throw new IllegalArgumentException("idle timeout must be positive, was " + timeout);
        }
        pending().idleTimeoutMillis = millis;
    }

    /**
     * Sets the absolute deadline to the creation time plus {@code timeout}, however active the session is;
     * {@code null} removes the deadline.
     *
     * @throws IllegalArgumentException if {@code timeout} is not positive
     */
    public void setAbsoluteTimeout(Duration timeout) {
        long d;
        if (timeout == null) {
            d = SessionRecord.NO_DEADLINE;
        } else {
            if (timeout.isNegative() || timeout.isZero()) {
                throw new IllegalArgumentException("absolute timeout must be positive, was " + timeout);
            }
            d = base.created() + timeout.toMillis();
            if (d < base.created()) {
                d = SessionRecord.NO_DEADLINE;
            }
        }
        Pending p = pending();
        p.deadline = d;
        p.deadlineChanged = true;
    }

    /** The principal (user) name this session is logged in as, if any. */
    public Optional<String> principal() {
        return Optional.ofNullable(pending != null && pending.principalChanged ? pending.principal : base.principal());
    }

    /**
     * Sets the principal name, or clears it with {@code null}. After a login, also rotate the session id
     * ({@link HttpSessions#rotateId}) so an id known before the login is worthless after it.
     */
    public void setPrincipal(String name) {
        Pending p = pending();
        p.principal = name;
        p.principalChanged = true;
    }

    /** Whether attribute {@code name} exists (its value may be JSON {@code null}). */
    public boolean contains(String name) {
        return json(name) != null;
    }

    /**
     * The value of attribute {@code name} as plain Java data (see the class comment), or {@code null} when
     * absent or JSON {@code null}.
     */
    public Object get(String name) {
        String json = json(name);
        return json == null ? null : SessionCodec.fromJson(name, json);
    }

    /**
     * The value of attribute {@code name} read as {@code type}, or {@code null} when absent.
     *
     * @throws IllegalArgumentException if the stored value cannot be read as {@code type}
     */
    public <T> T get(String name, Class<T> type) {
        String json = json(name);
        return json == null ? null : SessionCodec.fromJson(name, json, type);
    }

    /**
     * The value of attribute {@code name} read as the generic type {@code type}
     * (for example {@code new TypeReference<List<Item>>() {}}), or {@code null} when absent.
     *
     * @throws IllegalArgumentException if the stored value cannot be read as {@code type}
     */
    public <T> T get(String name, TypeReference<T> type) {
        String json = json(name);
        return json == null ? null : SessionCodec.fromJson(name, json, type);
    }

    /** The JSON text of attribute {@code name}, or {@code null} when absent. */
    public String getJson(String name) {
        return json(name);
    }

    /**
     * Sets attribute {@code name} to {@code value}, converted to JSON now ({@code null} stores JSON null).
     *
     * @throws IllegalArgumentException naming the attribute, if the value cannot be written as JSON (it has
     *     no properties, or a getter fails) or is beyond the limits in the class comment, or if the name is
     *     longer than {@value SessionCodec#MAX_NAME_LENGTH} characters or holds an unpaired surrogate
     * @throws NullPointerException if {@code name} is null
     */
    public void put(String name, Object value) {
        SessionCodec.checkName(name);
        String json = SessionCodec.toJson(name, value);
        SessionCodec.checkValueLimits(name, json);
        record(name, json);
    }

    /**
     * Sets attribute {@code name} to the JSON text {@code json}, which is checked and stored in canonical form.
     *
     * @throws IllegalArgumentException if {@code json} is not exactly one JSON value
     */
    public void putJson(String name, String json) {
        SessionCodec.checkName(name);
        String canonical;
        try {
            canonical = SessionCodec.checkedValue(json);
        } catch (UnreadableEntryException e) {
            throw new IllegalArgumentException("value of attribute '" + name + "' is not one JSON value", e);
        }
        SessionCodec.checkValueLimits(name, canonical);
        record(name, canonical);
    }

    /** Removes attribute {@code name}; the removal is saved even if this copy did not see the attribute. */
    public void remove(String name) {
        Objects.requireNonNull(name, "name");
        Pending p = pending();
        if (p.changed != null) {
            p.changed.remove(name);
        }
        if (p.removed == null) {
            p.removed = new HashSet<>(4);
        }
        p.removed.add(name);
    }

    /** Removes every attribute this copy sees. */
    public void clear() {
        for (String name : attributeNames()) {
            remove(name);
        }
    }

    /** The names of all attributes this copy sees, sorted; a snapshot, not a live view. */
    public Set<String> attributeNames() {
        TreeSet<String> names = new TreeSet<>();
        for (int i = 0, n = base.attributeCount(); i < n; i++) {
            names.add(base.attributeName(i));
        }
        if (pending != null && pending.removed != null) {
            names.removeAll(pending.removed);
        }
        if (pending != null && pending.changed != null) {
            names.addAll(pending.changed.keySet());
        }
        return Collections.unmodifiableSet(names);
    }

    /** The names of the attributes this request set. */
    public Set<String> changedAttributeNames() {
        return pending == null || pending.changed == null ? Set.of() : Set.copyOf(pending.changed.keySet());
    }

    /** The names of the attributes this request removed. */
    public Set<String> removedAttributeNames() {
        return pending == null || pending.removed == null ? Set.of() : Set.copyOf(pending.removed);
    }

    /** Never shows the id, randval or values: sessions end up in logs. */
    @Override
    public String toString() {
        return "Session[" + (isNew() ? "new" : "stored, version " + base.version())
                + (isModified() ? ", modified" : "") + "]";
    }

    private void record(String name, String json) {
        Pending p = pending();
        if (p.removed != null) {
            p.removed.remove(name);
        }
        if (p.changed == null) {
            // Most requests change one or two attributes: a table of 4, not the default 16, until more are set.
            p.changed = new HashMap<>(4);
        }
        p.changed.put(name, json);
    }

    private Pending pending() {
        Pending p = pending;
        if (p == null) {
            p = new Pending();
            pending = p;
        } else if (p.handedOut) {
            // A change set holds these maps: change copies, never what it holds.
            if (p.changed != null) {
                p.changed = new HashMap<>(p.changed);
            }
            if (p.removed != null) {
                p.removed = new HashSet<>(p.removed);
            }
            p.handedOut = false;
        }
        return p;
    }

    private String json(String name) {
        if (name == null) {
            return null;
        }
        Pending p = pending;
        if (p != null) {
            if (p.changed != null) {
                String json = p.changed.get(name);
                if (json != null) {
                    return json;
                }
            }
            if (p.removed != null && p.removed.contains(name)) {
                return null;
            }
        }
        return base.attribute(name);
    }

    // ---- for managers and HttpSessions (same package) ----

    /** Whether a new session holds anything worth storing. */
    boolean isEmpty() {
        return principal().isEmpty() && attributeNames().isEmpty();
    }

    /** This request's changes, accessed at {@code now}. */
    ChangeSet changes(long now) {
        Pending p = pending == null ? Pending.NONE : pending;
        // The change set takes this copy's maps as they are (no copy per commit); a later change to this
        // session copies them first (see writable()), so the change set handed out never moves.
        if (p != Pending.NONE) {
            p.handedOut = true;
        }
        return new ChangeSet(base, now,
                p.changed == null ? Map.of() : p.changed,
                p.removed == null ? Set.of() : p.removed,
                p.principalChanged, p.principal, p.idleTimeoutMillis, p.deadlineChanged, p.deadline);
    }

    /**
     * The first stored state of a new session, created by the first save at {@code now}, or {@code null}
     * when it is already past its absolute deadline.
     */
    SessionRecord initialRecord(long now) {
        return changes(now).applyTo(base.toBuilder().lastAccess(now).version(0).build());
    }

    /** Makes this copy a clean view of {@code stored}, after a successful save. */
    void saved(SessionRecord stored) {
        this.base = stored;
        this.flags &= ~NEW;
        this.pending = null;
    }

    /**
     * Gives this session a new id and randval and makes it new again, keeping its data, its times and any
     * unsaved change: the next save creates a record under the new id. The caller removes the old one.
     */
    void reissue(String[] idAndRandval) {
        this.base = base.toBuilder(idAndRandval[0], idAndRandval[1]).build();
        this.flags |= NEW;
    }

    boolean isCookieOutdated() {
        return (flags & COOKIE_OUTDATED) != 0;
    }

    void setCookieOutdated(boolean outdated) {
        flags = (byte) (outdated ? flags | COOKIE_OUTDATED : flags & ~COOKIE_OUTDATED);
    }

    boolean isInvalidated() {
        return (flags & INVALIDATED) != 0;
    }

    void markInvalidated() {
        flags |= INVALIDATED;
    }

    /** What this request changed; one per modified session. */
    private static final class Pending {
        /** An empty change: for an unmodified session's change set (a touch). */
        static final Pending NONE = new Pending();

        /** Attributes set (name to JSON); null until the first put. */
        Map<String, String> changed;
        /** Attributes removed; null until the first remove. */
        Set<String> removed;
        boolean principalChanged;
        String principal;
        /** 0 when unchanged. */
        long idleTimeoutMillis;
        boolean deadlineChanged;
        long deadline;
        /** Whether a {@link ChangeSet} holds {@link #changed} and {@link #removed}: copy them before changing. */
        boolean handedOut;

        boolean isModified() {
            return (changed != null && !changed.isEmpty()) || (removed != null && !removed.isEmpty())
                    || principalChanged || idleTimeoutMillis > 0 || deadlineChanged;
        }
    }
}
