package dev.satchel.spi;

import java.util.Objects;

/**
 * The one builder convention every Satchel builder follows, written once (Caffeine's {@code requireState}
 * and {@code requireArgument} are the model):
 * <ul>
 *   <li>a second call to a setter is refused with an {@link IllegalStateException} naming the setting and
 *       the value it already has;</li>
 *   <li>{@code null} is a {@link NullPointerException} naming the parameter;</li>
 *   <li>a value out of range is an {@link IllegalArgumentException} naming the setting and the value;</li>
 *   <li>contradictory settings fail in {@code build()}, which never changes the builder.</li>
 * </ul>
 * Static helpers only; thread-safe.
 */
public final class BuilderRules {

    private BuilderRules() {}

    /**
     * Refuses a second call to a setter.
     *
     * @param current the setting's current value; {@code null} (or {@code unset}) means not set yet
     * @throws IllegalStateException "{@code setting} was already set to {@code current}"
     */
    public static void requireUnset(Object current, Object unset, String setting) {
        if (!Objects.equals(current, unset)) {
            throw new IllegalStateException(setting + " was already set to " + current);
        }
    }

    /** {@link #requireUnset(Object, Object, String)} with {@code null} meaning unset. */
    public static void requireUnset(Object current, String setting) {
        requireUnset(current, null, setting);
    }

    /** Like {@link Objects#requireNonNull(Object, String)}: the message is the parameter's name. */
    public static <T> T requireNonNull(T value, String parameter) {
        return Objects.requireNonNull(value, parameter);
    }

    /**
     * Refuses an argument out of range.
     *
     * @throws IllegalArgumentException with {@code String.format(format, args)}
     */
    public static void requireArgument(boolean ok, String format, Object... args) {
        if (!ok) {
            throw new IllegalArgumentException(String.format(format, args));
        }
    }

    /**
     * Refuses a contradiction found in {@code build()}.
     *
     * @throws IllegalStateException with {@code String.format(format, args)}
     */
    public static void requireState(boolean ok, String format, Object... args) {
        if (!ok) {
            throw new IllegalStateException(String.format(format, args));
        }
    }
}
