package dev.satchel.spi;

import java.util.Arrays;
import java.util.Collections;
import java.util.Map;
import java.util.Set;

/**
 * What one request changed in one stored session: attributes set (name to JSON text), attributes removed,
 * the principal, the timeouts, and the time of access. A store applies it atomically to whatever is stored
 * at that moment — not to the copy the request started from — so two requests that changed different
 * attributes both keep their change, and for the same attribute the later write wins.
 *
 * <p>{@link #applyTo} is that merge, written once here for every store that merges in Java; stores that
 * merge inside the server (a Redis script, a SQL statement) implement the same rules from the accessors.
 * Immutable and thread-safe.
 */
public final class ChangeSet {

    private final SessionRecord base;
    private final String sessionId;
    private final long baseVersion;
    private final long accessTime;
    private final Map<String, String> setAttributes;
    private final Set<String> removedAttributes;
    private final boolean principalChanged;
    private final String principal;
    private final long idleTimeoutMillis;
    private final boolean deadlineChanged;
    private final long deadline;
    /** The set attributes' names in ascending order and their values, and the removed names in ascending order: what merges walk. */
    private final String[] setNames;
    private final String[] setValues;
    private final String[] removedNames;

    /**
     * A change of {@code base}, the record a request started from, made at {@code accessTime}. For managers
     * (the maps and sets are taken as they are and wrapped unmodifiable: pass copies you no longer touch);
     * {@code idleTimeoutMillis} 0 means unchanged.
     */
    public ChangeSet(SessionRecord base, long accessTime, Map<String, String> setAttributes,
            Set<String> removedAttributes, boolean principalChanged, String principal, long idleTimeoutMillis,
            boolean deadlineChanged, long deadline) {
        this.base = base;
        this.sessionId = base.id();
        this.baseVersion = base.version();
        this.accessTime = accessTime;
        this.setAttributes = setAttributes.isEmpty() ? Map.of() : Collections.unmodifiableMap(setAttributes);
        this.removedAttributes = removedAttributes.isEmpty() ? Set.of() : Collections.unmodifiableSet(removedAttributes);
        this.setNames = sortedNames(setAttributes.keySet());
        if (setNames.length == 0) {
            this.setValues = setNames;
        } else {
            this.setValues = new String[setNames.length];
            for (int i = 0; i < setNames.length; i++) {
                setValues[i] = setAttributes.get(setNames[i]);
            }
        }
        this.removedNames = sortedNames(removedAttributes);
        this.principalChanged = principalChanged;
        this.principal = principal;
        this.idleTimeoutMillis = idleTimeoutMillis;
        this.deadlineChanged = deadlineChanged;
        this.deadline = deadline;
    }

    /** The session this change applies to. */
    public String sessionId() {
        return sessionId;
    }

    /** The version of the record the request started from. */
    public long baseVersion() {
        return baseVersion;
    }

    /**
     * The record the request started from. When a store finds its stored version still equal to
     * {@link #baseVersion()} — nobody wrote in between — the merged record is {@code applyTo(base())},
     * which spares reading it back.
     */
    public SessionRecord base() {
        return base;
    }

    /** When the request accessed the session, epoch milliseconds; becomes the stored last access. */
    public long accessTime() {
        return accessTime;
    }

    /** Attributes this request set: name to JSON text. Unmodifiable. */
    public Map<String, String> setAttributes() {
        return setAttributes;
    }

    /** Attributes this request removed. Unmodifiable; disjoint from {@link #setAttributes()}. */
    public Set<String> removedAttributes() {
        return removedAttributes;
    }

    /** Whether this request set or cleared the principal. */
    public boolean principalChanged() {
        return principalChanged;
    }

    /** The new principal when {@link #principalChanged()}, {@code null} meaning "logged out". */
    public String principal() {
        return principal;
    }

    /** Whether this request changed the idle timeout. */
    public boolean idleTimeoutChanged() {
        return idleTimeoutMillis > 0;
    }

    /** The new idle timeout in milliseconds when {@link #idleTimeoutChanged()}. */
    public long idleTimeoutMillis() {
        return idleTimeoutMillis;
    }

    /** Whether this request changed the absolute deadline. */
    public boolean deadlineChanged() {
        return deadlineChanged;
    }

    /** The new deadline (epoch milliseconds or {@link SessionRecord#NO_DEADLINE}) when {@link #deadlineChanged()}. */
    public long deadline() {
        return deadline;
    }

    /** Whether this change only records an access (a touch), changing no data. */
    public boolean isTouchOnly() {
        return setAttributes.isEmpty() && removedAttributes.isEmpty() && !principalChanged
                && idleTimeoutMillis <= 0 && !deadlineChanged;
    }

    /**
     * Merges this change into {@code stored}, the record in the store now, and returns the record to store
     * in its place: this request's attributes set and removed, the rest of {@code stored} untouched, the
     * last access moved forward (never back) and the version one higher than {@code stored}'s.
     *
     * @return the merged record, or {@code null} when nothing may be written because {@code stored} is
     *     {@code null} (removed meanwhile) or expired at {@link #accessTime()} — a change never resurrects
     *     a session — or because this change itself ends the session (a deadline already past)
     */
    public SessionRecord applyTo(SessionRecord stored) {
        if (stored == null || stored.isExpiredAt(accessTime)) {
            return null;
        }
        SessionRecord merged = stored.merged(this, Math.max(stored.lastAccess(), accessTime), stored.version() + 1);
        return merged.isExpiredAt(accessTime) ? null : merged;
    }

    /** The names of {@link #setAttributes()} in ascending order; the caller must not change the array. */
    String[] setNames() {
        return setNames;
    }

    /** The values of {@link #setNames()}, at the same index; the caller must not change the array. */
    String[] setValues() {
        return setValues;
    }

    /** {@link #removedAttributes()} in ascending order; the caller must not change the array. */
    String[] removedNames() {
        return removedNames;
    }

    private static final String[] NO_NAMES = new String[0];

    /** {@code names} in ascending order; {@code toArray} of a {@code HashMap}'s key set or a {@code HashSet} needs no iterator. */
    private static String[] sortedNames(Set<String> names) {
        int n = names.size();
        if (n == 0) {
            return NO_NAMES;
        }
        String[] sorted = names.toArray(new String[n]);
        if (n > 1) {
            Arrays.sort(sorted);
        }
        return sorted;
    }

    /** Not the id or any value. */
    @Override
    public String toString() {
        return "ChangeSet[set=" + setAttributes.size() + ", removed=" + removedAttributes.size()
                + ", principalChanged=" + principalChanged + ", baseVersion=" + baseVersion + "]";
    }
}
