package dev.satchel;

import dev.satchel.spi.SessionManagerProvider;
import dev.satchel.spi.StoreMetrics;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.util.Collections;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.TreeMap;

/**
 * Opens a {@link SessionManager} by URI, through the {@link SessionManagerProvider}s of the store modules on
 * the class path: {@code memory:} (core), {@code file:PATH} (satchel-store-file), {@code redis://} and
 * {@code rediss://} (satchel-store-redis), {@code riak://} (satchel-store-riak), {@code postgresql://} and
 * {@code mariadb://} (satchel-store-jdbc). See each store's README for the settings its URI takes.
 *
 * <pre>{@code
 * SessionManager manager = SessionManagers.open(System.getenv("SESSION_STORE"));
 * }</pre>
 *
 * <p>Thread-safe. Messages never contain the URI's user info.
 */
public final class SessionManagers {

    private SessionManagers() {}

    /** {@link #open(String, Clock)} with the system clock. */
    public static SessionManager open(String uri) {
        return open(uri, Clock.systemUTC());
    }

    /** {@link #open(String, Clock, StoreMetrics)} without metrics. */
    public static SessionManager open(String uri, Clock clock) {
        return open(uri, clock, StoreMetrics.NONE);
    }

    /**
     * Opens the manager {@code uri} names, reading time from {@code clock} and reporting every store operation
     * to {@code metrics}.
     *
     * @throws IllegalArgumentException if {@code uri} is not a URI, has no scheme, or no store module on the
     *     class path opens its scheme (the message lists those that do)
     * @throws SessionStoreException if the store cannot be opened
     */
    public static SessionManager open(String uri, Clock clock, StoreMetrics metrics) {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(clock, "clock");
        Objects.requireNonNull(metrics, "metrics");
        URI parsed;
        try {
            parsed = new URI(uri);
        } catch (URISyntaxException e) {
            // The text may hold a password: say where it broke, not what it was.
            throw new IllegalArgumentException("the session store URI is malformed at index " + e.getIndex()
                    + ": " + e.getReason());
        }
        String scheme = parsed.getScheme();
        if (scheme == null) {
            throw new IllegalArgumentException("the session store URI has no scheme; known: " + schemes());
        }
        SessionManagerProvider provider = Providers.BY_SCHEME.get(scheme.toLowerCase(Locale.ROOT));
        if (provider == null) {
            throw new IllegalArgumentException("no Satchel store module for scheme '" + scheme.toLowerCase(Locale.ROOT)
                    + "' is on the class path; known: " + schemes());
        }
        return provider.open(parsed, SessionManagerProvider.Context.of(clock, metrics));
    }

    /** The schemes the store modules on the class path open, sorted. */
    public static Set<String> schemes() {
        return Collections.unmodifiableSet(Providers.BY_SCHEME.keySet());
    }

    /** Loaded once, on first use. */
    private static final class Providers {
        static final Map<String, SessionManagerProvider> BY_SCHEME = load();

        private static Map<String, SessionManagerProvider> load() {
            Map<String, SessionManagerProvider> byScheme = new TreeMap<>();
            for (SessionManagerProvider p : ServiceLoader.load(SessionManagerProvider.class, SessionManagers.class.getClassLoader())) {
                for (String s : p.schemes()) {
                    SessionManagerProvider previous = byScheme.putIfAbsent(s, p);
                    if (previous != null && previous.getClass() != p.getClass()) {
                        throw new IllegalStateException("two providers for scheme '" + s + "': "
                                + previous.getClass().getName() + " and " + p.getClass().getName());
                    }
                }
            }
            return byScheme;
        }
    }
}
