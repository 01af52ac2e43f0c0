package dev.satchel.store.jdbc;

import dev.satchel.SessionManager;
import dev.satchel.spi.SessionManagerProvider;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.Locale;
import java.util.Properties;
import java.util.Set;

/**
 * Opens {@code postgresql://}, {@code mariadb://} and {@code mysql://} URIs for {@link dev.satchel.SessionManagers}:
 * {@code postgresql://user:password@host:5432/database?table=satchel_sessions&createSchema=true}. Settings in the
 * query: {@code table} (default {@value JdbcSessionManager#DEFAULT_TABLE}), {@code createSchema} ({@code true}
 * runs {@link JdbcSessionManager.Builder#createSchemaIfMissing()}), {@code statementTimeout} and
 * {@code sweepInterval} (ISO-8601 durations, {@code PT0S} for no sweeper). Connections come unpooled from the
 * JDBC driver on the class path ({@code org.postgresql:postgresql} or {@code org.mariadb.jdbc:mariadb-java-client});
 * for a pool, give {@link JdbcSessionManager#builder} your own {@code DataSource}. The user info is decoded and
 * handed to the driver, never put in a message. Registered with {@link java.util.ServiceLoader}; thread-safe.
 */
public final class JdbcProvider implements SessionManagerProvider {

    /** For {@link java.util.ServiceLoader}. */
    public JdbcProvider() {}

    @Override
    public Set<String> schemes() {
        return Set.of("postgresql", "mariadb", "mysql");
    }

    /**
     * @throws IllegalArgumentException if the URI or a setting is malformed or unknown, or no driver for the
     *     scheme is on the class path
     */
    @Override
    public SessionManager open(URI uri, Context context) {
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (uri.getHost() == null || uri.getRawPath() == null || uri.getRawPath().length() < 2 || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("a " + scheme + ": URI is " + scheme + "://[user[:password]@]host[:port]/database[?settings]");
        }
        String database = decode(uri.getRawPath().substring(1));
        int port = uri.getPort() > 0 ? uri.getPort() : scheme.equals("postgresql") ? 5432 : 3306;
        String jdbcScheme = scheme.equals("postgresql") ? "postgresql" : "mariadb"; // MariaDB's driver speaks to MySQL too
        String url = "jdbc:" + jdbcScheme + "://" + uri.getHost() + ":" + port + "/" + database;
        Properties credentials = new Properties();
        String userInfo = uri.getRawUserInfo();
        if (userInfo != null) {
            int colon = userInfo.indexOf(':');
            credentials.setProperty("user", decode(colon < 0 ? userInfo : userInfo.substring(0, colon)));
            if (colon >= 0) {
                credentials.setProperty("password", decode(userInfo.substring(colon + 1)));
            }
        }
        requireDriver(scheme, url);
        JdbcSessionManager.Builder b = JdbcSessionManager.builder(
                new DriverDataSource(url, credentials, uri.getHost() + ":" + port + "/" + database))
                .clock(context.clock()).metrics(context.metrics());
        Set<String> seen = new HashSet<>();
        String query = uri.getRawQuery();
        for (String pair : query == null || query.isEmpty() ? new String[0] : query.split("&")) {
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            if (!seen.add(name)) {
                throw new IllegalArgumentException("the setting " + name + " appears twice in the " + scheme + ": URI");
            }
            switch (name) {
                case "table":
                    b.tableName(value);
                    break;
                case "createSchema":
                    if (value.equals("true")) {
                        b.createSchemaIfMissing();
                    } else if (!value.equals("false")) {
                        throw new IllegalArgumentException("createSchema is true or false");
                    }
                    break;
                case "statementTimeout":
                    b.statementTimeout(duration(name, value));
                    break;
                case "sweepInterval":
                    Duration d = duration(name, value);
                    if (d.isZero()) {
                        b.withoutSweeper();
                    } else {
                        b.sweepInterval(d);
                    }
                    break;
                default:
                    throw new IllegalArgumentException("unknown setting " + name + " in a " + scheme
                            + ": URI; known: table, createSchema, statementTimeout, sweepInterval");
            }
        }
        return b.build();
    }

    private static void requireDriver(String scheme, String url) {
        try {
            java.sql.DriverManager.getDriver(url);
        } catch (java.sql.SQLException e) {
            String artifact = scheme.equals("postgresql") ? "org.postgresql:postgresql" : "org.mariadb.jdbc:mariadb-java-client";
            throw new IllegalArgumentException("no JDBC driver for " + scheme + ": on the class path; add " + artifact);
        }
    }

    private static Duration duration(String name, String value) {
        try {
            return Duration.parse(value);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(name + " is an ISO-8601 duration such as PT5S");
        }
    }

    private static String decode(String raw) {
        return URLDecoder.decode(raw.replace("+", "%2B"), StandardCharsets.UTF_8);
    }
}
