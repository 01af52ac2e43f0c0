package dev.satchel.store.riak;

import java.util.Objects;

/**
 * How many replicas must take part in one Riak request: the value of one of Riak's {@code r}, {@code pr},
 * {@code w}, {@code pw}, {@code dw} and {@code rw} parameters. A number of replicas, or one of Riak's symbolic
 * values, each with its trade-off:
 * <ul>
 *   <li>{@link #ONE}: fastest and most available; a read may miss the latest write, a write survives only as
 *       long as the one replica that acknowledged it.</li>
 *   <li>{@link #QUORUM}: a majority of the bucket's {@code n_val} replicas; reads and writes at quorum overlap
 *       in at least one replica, so a read sees every acknowledged write while the replicas are reachable.</li>
 *   <li>{@link #ALL}: every replica; the most consistent and the first to fail when any replica is down.</li>
 *   <li>{@link #DEFAULT}: whatever the bucket (type) says; the parameter is not sent at all.</li>
 * </ul>
 *
 * <p>A number larger than the bucket's {@code n_val} would make Riak refuse every request, so the manager
 * refuses it when it starts, with a {@link dev.satchel.SessionStoreException}; so it does for a {@code pr} or
 * {@code pw} that is not a majority of {@code n_val}. Immutable and thread-safe.
 */
public final class Quorum {

    /** One replica. */
    public static final Quorum ONE = new Quorum("one");
    /** A majority of the bucket's {@code n_val} replicas. */
    public static final Quorum QUORUM = new Quorum("quorum");
    /** Every replica. */
    public static final Quorum ALL = new Quorum("all");
    /** The bucket's own setting: the parameter is left out of the request. */
    public static final Quorum DEFAULT = new Quorum(null);

    private final String value;

    private Quorum(String value) {
        this.value = value;
    }

    /**
     * Exactly {@code replicas} replicas; 0 is meaningful for {@code pr} and {@code pw} (no primary required).
     *
     * @throws IllegalArgumentException if {@code replicas} is negative
     */
    public static Quorum of(int replicas) {
        if (replicas < 0) {
            throw new IllegalArgumentException("replicas must not be negative, was " + replicas);
        }
        return new Quorum(Integer.toString(replicas));
    }

    /**
     * How many replicas of {@code nVal} this asks for; {@link #DEFAULT} counts as 0 (Riak's own default for
     * {@code pr} and {@code pw}; for the others the check that uses this only compares with {@code nVal}).
     */
    int replicas(int nVal) {
        if (value == null) {
            return 0;
        }
        switch (value) {
            case "one": return 1;
            case "quorum": return nVal / 2 + 1;
            case "all": return nVal;
            default: return Integer.parseInt(value);
        }
    }

    /** The query parameter value, or {@code null} when the parameter is not sent. */
    String queryValue() {
        return value;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Quorum && Objects.equals(((Quorum) o).value, value);
    }

    @Override
    public int hashCode() {
        return Objects.hashCode(value);
    }

    /** The value as Riak spells it ({@code one}, {@code quorum}, {@code all}, a number) or {@code default}. */
    @Override
    public String toString() {
        return value == null ? "default" : value;
    }
}
