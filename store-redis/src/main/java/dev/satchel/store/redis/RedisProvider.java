package dev.satchel.store.redis;

import dev.satchel.SessionManager;
import dev.satchel.spi.SessionManagerProvider;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;

/**
 * Opens {@code redis://} and {@code rediss://} URIs for {@link dev.satchel.SessionManagers}: the URI as
 * {@link RedisSessionManager.Builder#uri} takes it, plus settings in its query —
 * {@code redis://app:secret@redis.internal:6379/0?namespace=shop&durability=replicated}:
 * <ul>
 *   <li>{@code namespace}: see {@link RedisSessionManager.Builder#namespace};</li>
 *   <li>{@code durability}: {@code async} or {@code replicated} (one replica, 250 ms);</li>
 *   <li>{@code invalidation}: {@code publish} or {@code none};</li>
 *   <li>{@code maxConnections}, {@code connectTimeout}, {@code socketTimeout}, {@code poolWaitTimeout}
 *       (milliseconds).</li>
 * </ul>
 * Sentinel, Cluster and trust stores need the builder. Each setting may appear once; an unknown one is
 * refused. Registered with {@link java.util.ServiceLoader}; thread-safe.
 */
public final class RedisProvider implements SessionManagerProvider {

    private static final Set<String> SETTINGS = Set.of("namespace", "durability", "invalidation", "maxConnections",
            "connectTimeout", "socketTimeout", "poolWaitTimeout");

    /** For {@link java.util.ServiceLoader}. */
    public RedisProvider() {}

    @Override
    public Set<String> schemes() {
        return Set.of("redis", "rediss");
    }

    /**
     * @throws IllegalArgumentException if the URI or a setting is malformed, or a setting unknown or repeated;
     *     the message names the setting, never the user info
     * @throws dev.satchel.SessionStoreException if Redis cannot be reached or refuses the credentials
     */
    @Override
    public SessionManager open(URI uri, Context context) {
        RedisSessionManager.Builder b = RedisSessionManager.builder().parsedUri(RedisUri.of(uri))
                .clock(context.clock()).metrics(context.metrics());
        String query = uri.getRawQuery();
        Set<String> seen = new HashSet<>();
        for (String pair : query == null || query.isEmpty() ? new String[0] : query.split("&")) {
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            if (!SETTINGS.contains(name)) {
                throw new IllegalArgumentException("a redis:// URI takes the settings " + new TreeSet<>(SETTINGS)
                        + "; it has another one");
            }
            if (!seen.add(name)) {
                throw new IllegalArgumentException("the setting " + name + " appears twice in the redis:// URI");
            }
            apply(b, name, value);
        }
        return b.build();
    }

    private static void apply(RedisSessionManager.Builder b, String name, String value) {
        switch (name) {
            case "namespace":
                b.namespace(value);
                break;
            case "durability":
                b.durability(choice(Durability.class, name, value));
                break;
            case "invalidation":
                b.invalidationMode(choice(InvalidationMode.class, name, value));
                break;
            case "maxConnections":
                b.maxConnections((int) Math.min(Integer.MAX_VALUE, number(name, value, "a number")));
                break;
            case "connectTimeout":
                b.connectTimeout(Duration.ofMillis(number(name, value, "milliseconds")));
                break;
            case "socketTimeout":
                b.socketTimeout(Duration.ofMillis(number(name, value, "milliseconds")));
                break;
            default:
                b.poolWaitTimeout(Duration.ofMillis(number(name, value, "milliseconds")));
        }
    }

    private static <E extends Enum<E>> E choice(Class<E> type, String name, String value) {
        for (E e : type.getEnumConstants()) {
            if (e.name().toLowerCase(Locale.ROOT).equals(value)) {
                return e;
            }
        }
        StringBuilder known = new StringBuilder();
        for (E e : type.getEnumConstants()) {
            known.append(known.length() == 0 ? "" : " or ").append(e.name().toLowerCase(Locale.ROOT));
        }
        throw new IllegalArgumentException("the setting " + name + " must be " + known + ", was " + value);
    }

    private static long number(String name, String value, String what) {
        long n = SessionHash.parse(value);
        if (n < 0) {
            throw new IllegalArgumentException("the setting " + name + " must be " + what + ", was " + value);
        }
        return n;
    }

    private static String decode(String part) {
        return URLDecoder.decode(part, StandardCharsets.UTF_8);
    }
}
