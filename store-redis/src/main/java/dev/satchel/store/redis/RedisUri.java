package dev.satchel.store.redis;

import static dev.satchel.spi.BuilderRules.requireArgument;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * A parsed {@code redis://[[user]:password@]host[:port][/database]} or {@code rediss://…} URI. The user
 * info is decoded here and kept apart: nothing in this class, its {@link #toString()} or its exceptions
 * ever shows it, so a URI with a password can be logged through this class. Immutable.
 */
final class RedisUri {

    static final int DEFAULT_PORT = 6379;
    /** {@link #database()} of a URI without a database path. */
    static final int NO_DATABASE = -1;

    private final boolean tls;
    private final String host;
    private final int port;
    private final String user;
    private final String password;
    private final int database;

    private RedisUri(boolean tls, String host, int port, String user, String password, int database) {
        this.tls = tls;
        this.host = host;
        this.port = port;
        this.user = user;
        this.password = password;
        this.database = database;
    }

    /**
     * Parses {@code text}.
     *
     * @throws IllegalArgumentException if it is not such a URI; the message never quotes it
     */
    static RedisUri parse(String text) {
        URI u;
        try {
            u = new URI(text);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException("Redis URI is malformed at index " + e.getIndex()
                    + " (not quoted: it may hold a password)");
        }
        requireArgument(u.getRawQuery() == null && u.getRawFragment() == null,
                "Redis URI takes no query or fragment: settings are builder methods");
        return of(u);
    }

    /**
     * The parts of {@code u}, whose query and fragment are not looked at (a provider reads settings from the
     * query).
     *
     * @throws IllegalArgumentException if it is not such a URI; the message never quotes it
     */
    static RedisUri of(URI u) {
        String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
        requireArgument(scheme.equals("redis") || scheme.equals("rediss"),
                "Redis URI scheme must be redis:// or rediss://, was %s", scheme.isEmpty() ? "none" : scheme);
        requireArgument(u.getHost() != null && !u.getHost().isEmpty(),
                "Redis URI has no host (not quoted: it may hold a password)");
        String path = u.getPath();
        int database = NO_DATABASE;
        if (path != null && path.length() > 1) {
            long n = SessionHash.parse(path.substring(1));
            requireArgument(n >= 0, "Redis URI path must be /<database number>, was %s", path);
            database = (int) Math.min(Integer.MAX_VALUE, n);
        }
        String info = u.getUserInfo();
        String user = null;
        String password = null;
        if (info != null) {
            int colon = info.indexOf(':');
            requireArgument(colon >= 0, "Redis URI user info must be user:password or :password");
            user = colon == 0 ? null : info.substring(0, colon);
            password = info.substring(colon + 1);
        }
        return new RedisUri(scheme.equals("rediss"), u.getHost(), u.getPort() < 0 ? DEFAULT_PORT : u.getPort(),
                user, password, database);
    }

    /** Whether the scheme is {@code rediss://}. */
    boolean tls() {
        return tls;
    }

    String host() {
        return host;
    }

    int port() {
        return port;
    }

    /** Whether the URI carries user info (a password, and maybe a user). */
    boolean hasCredentials() {
        return password != null;
    }

    /** The user of the user info, or {@code null} for the {@code default} user or none. */
    String user() {
        return user;
    }

    /** The password of the user info, or {@code null} for none. */
    String password() {
        return password;
    }

    /** The database of the path, or {@link #NO_DATABASE}. */
    int database() {
        return database;
    }

    /** The URI without its user info. */
    @Override
    public String toString() {
        return (tls ? "rediss://" : "redis://") + host + ':' + port + (database == NO_DATABASE ? "" : "/" + database);
    }
}
