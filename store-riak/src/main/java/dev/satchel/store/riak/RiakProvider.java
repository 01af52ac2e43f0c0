package dev.satchel.store.riak;

import dev.satchel.SessionManager;
import dev.satchel.spi.SessionManagerProvider;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * {@code riak://host[:port][/types/TYPE][/buckets/BUCKET][?setting=value&…]} — a {@link RiakSessionManager}
 * over Riak's HTTP API at {@code http://host:port} (port 8098 unless given), for
 * {@link dev.satchel.SessionManagers#open}. Settings: {@code node=host:port} (another node; repeatable),
 * {@code https=true} (every node over HTTPS), {@code r}, {@code pr}, {@code w}, {@code pw}, {@code dw},
 * {@code rw} ({@code one}, {@code quorum}, {@code all}, {@code default} or a number),
 * {@code siblingPolicy=ACCEPT_LOSSY_LAST_WRITE_WINS}, {@code connectTimeout} and {@code requestTimeout} (ISO-8601
 * durations such as {@code PT2S}). An unknown setting, user info or any other path is refused; messages never
 * quote user info. Thread-safe.
 */
public final class RiakProvider implements SessionManagerProvider {

    /** For {@link java.util.ServiceLoader}. */
    public RiakProvider() {}

    @Override
    public Set<String> schemes() {
        return Set.of("riak");
    }

    @Override
    public SessionManager open(URI uri, Context context) {
        if (uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException("a riak: URI must not have user info");
        }
        if (uri.getHost() == null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException("a riak: URI is riak://host[:port][/types/TYPE][/buckets/BUCKET][?settings]");
        }
        RiakSessionManager.Builder b = RiakSessionManager.builder().clock(context.clock()).metrics(context.metrics());
        path(uri.getRawPath(), b);
        List<String> hosts = new ArrayList<>(List.of(hostAndPort(uri.getHost(), uri.getPort())));
        boolean https = false;
        String query = uri.getRawQuery();
        if (query != null && !query.isEmpty()) {
            for (String pair : query.split("&")) {
                int eq = pair.indexOf('=');
                String name = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String value = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                switch (name) {
                    case "node": hosts.add(value); break;
                    case "https": https = parseBoolean(name, value); break;
                    case "r": b.r(quorum(name, value)); break;
                    case "pr": b.pr(quorum(name, value)); break;
                    case "w": b.w(quorum(name, value)); break;
                    case "pw": b.pw(quorum(name, value)); break;
                    case "dw": b.dw(quorum(name, value)); break;
                    case "rw": b.rw(quorum(name, value)); break;
                    case "siblingPolicy": b.siblingPolicy(policy(value)); break;
                    case "connectTimeout": b.connectTimeout(duration(name, value)); break;
                    case "requestTimeout": b.requestTimeout(duration(name, value)); break;
                    default:
                        throw new IllegalArgumentException("unknown riak: URI setting '" + name + "'; known: node,"
                                + " https, r, pr, w, pw, dw, rw, siblingPolicy, connectTimeout, requestTimeout");
                }
            }
        }
        for (String host : hosts) {
            if (host.indexOf('@') >= 0 || host.indexOf('/') >= 0) {
                throw new IllegalArgumentException("a riak: URI's node setting is host:port, without user info or path");
            }
            b.node((https ? "https://" : "http://") + (host.indexOf(':') >= 0 ? host : host + ":8098"));
        }
        return b.build();
    }

    private static void path(String raw, RiakSessionManager.Builder b) {
        String[] segments = raw == null || raw.isEmpty() || raw.equals("/") ? new String[0] : raw.substring(1).split("/");
        int i = 0;
        if (segments.length >= i + 2 && segments[i].equals("types")) {
            b.bucketType(URLDecoder.decode(segments[i + 1], StandardCharsets.UTF_8));
            i += 2;
        }
        if (segments.length >= i + 2 && segments[i].equals("buckets")) {
            b.bucket(URLDecoder.decode(segments[i + 1], StandardCharsets.UTF_8));
            i += 2;
        }
        if (i != segments.length) {
            throw new IllegalArgumentException("a riak: URI's path is [/types/TYPE][/buckets/BUCKET]");
        }
    }

    private static String hostAndPort(String host, int port) {
        return host + ":" + (port < 0 ? 8098 : port);
    }

    private static Quorum quorum(String name, String value) {
        switch (value.toLowerCase(Locale.ROOT)) {
            case "one": return Quorum.ONE;
            case "quorum": return Quorum.QUORUM;
            case "all": return Quorum.ALL;
            case "default": return Quorum.DEFAULT;
            default:
                try {
                    return Quorum.of(Integer.parseInt(value));
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("riak: URI setting " + name
                            + " must be one, quorum, all, default or a number of replicas, was " + value);
                }
        }
    }

    private static RiakSessionManager.SiblingPolicy policy(String value) {
        try {
            return RiakSessionManager.SiblingPolicy.valueOf(value);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("riak: URI setting siblingPolicy must be REQUIRE_SIBLINGS or"
                    + " ACCEPT_LOSSY_LAST_WRITE_WINS, was " + value);
        }
    }

    private static Duration duration(String name, String value) {
        try {
            return Duration.parse(value);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("riak: URI setting " + name + " must be an ISO-8601 duration such as"
                    + " PT2S, was " + value);
        }
    }

    private static boolean parseBoolean(String name, String value) {
        if (!value.equals("true") && !value.equals("false")) {
            throw new IllegalArgumentException("riak: URI setting " + name + " must be true or false, was " + value);
        }
        return value.equals("true");
    }
}
