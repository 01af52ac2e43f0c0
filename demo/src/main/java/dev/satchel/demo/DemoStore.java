package dev.satchel.demo;

import dev.satchel.SessionManager;
import dev.satchel.SessionManagers;
import dev.satchel.SessionStoreException;
import dev.satchel.spi.SessionAccess;
import dev.satchel.spi.SessionCodec;
import dev.satchel.store.file.FileBackedSessionManager;
import dev.satchel.store.redis.RedisSessionManager;
import dev.satchel.store.riak.RiakSessionManager;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import redis.clients.jedis.RedisClient;

/**
 * The store the demo keeps its sessions in, chosen by the scheme of {@code --store}: the manager that goes
 * behind the cache, a way to show what the store holds for one session (bypassing the cache, secrets
 * masked by the page), and a description fit to print (never a password).
 *
 * <p>Each store is one entry of {@link #SCHEMES}, built with the store module's public builder.
 */
final class DemoStore {

    /** Opens a store from its {@code --store} URI; {@code dataDir} is the demo's data folder. */
    @FunctionalInterface
    interface Opener {
        DemoStore open(String uri, Path dataDir, Clock clock) throws IOException;
    }

    /** What a store holds for one session, as the store holds it. */
    interface StoredView {
        /** The stored entry of {@code sid}, or {@code null} when the store holds nothing under it. */
        Stored read(String sid);
    }

    /**
     * One stored entry: where it lives (a file, a key, a URL path) and its text, {@code null} if absent.
     * {@code json} says whether the text is a JSON document (else {@code field value} lines).
     */
    record Stored(String location, String text, boolean json) {}

    /**
     * The stores the demo shows in their own terms (a file, a hash, a Riak object), by URI scheme
     * (lowercase); one more is one more line. Any other scheme a store module on the class path opens
     * ({@link SessionManagers#schemes()}) works too, shown through {@link #of}.
     */
    static final Map<String, Opener> SCHEMES = Map.of(
            "file", DemoStore::file,
            "redis", DemoStore::redis,
            "rediss", DemoStore::redis,
            "riak", DemoStore::riak);

    /** The forms of {@code --store}, for messages. */
    static final String FORMS = "file:PATH, redis://[[user]:password@]host[:port][/db], rediss://…, "
            + "riak://host[:port][/types/TYPE][/buckets/BUCKET]";

    final SessionManager manager;
    final StoredView view;
    final String description;
    /** How long the demo's cache trusts a record by default; {@code null}: the library's default. */
    final Duration defaultStaleness;

    DemoStore(SessionManager manager, StoredView view, String description, Duration defaultStaleness) {
        this.manager = manager;
        this.view = view;
        this.description = description;
        this.defaultStaleness = defaultStaleness;
    }

    /**
     * A store the demo has no special view for: it shows the record as {@link SessionCodec} encodes it,
     * read through {@code manager} (which is what the file store, Riak and a SQL row hold, give or take
     * store-specific fields).
     */
    static DemoStore of(SessionManager manager, String description) {
        StoredView view = sid -> manager.get(sid)
                .map(s -> new Stored("the record, as the codec encodes it",
                        new String(SessionCodec.encode(SessionAccess.record(s)), StandardCharsets.UTF_8), true))
                .orElse(null);
        return new DemoStore(manager, view, description, null);
    }

    /** The forms of {@code --store}, and the other schemes the store modules on the class path open. */
    static String forms() {
        java.util.Set<String> others = new java.util.TreeSet<>(SessionManagers.schemes());
        others.removeAll(SCHEMES.keySet());
        return others.isEmpty() ? FORMS : FORMS + ", or " + String.join(":, ", others) + ":";
    }

    /** Whether the demo can open a store of {@code scheme} (lowercase). */
    static boolean knows(String scheme) {
        return SCHEMES.containsKey(scheme) || SessionManagers.schemes().contains(scheme);
    }

    /**
     * Opens the store {@code uri} names (its scheme {@linkplain #knows known}).
     *
     * @throws IllegalArgumentException if the URI is not one the store accepts (never quoting it)
     * @throws IOException if a folder cannot be used
     * @throws dev.satchel.SessionStoreException if the store cannot be reached
     */
    static DemoStore open(String uri, Path dataDir, Clock clock) throws IOException {
        String scheme = scheme(uri);
        Opener opener = SCHEMES.get(scheme);
        if (opener != null) {
            return opener.open(uri, dataDir, clock);
        }
        URI u = parse(uri);
        return of(SessionManagers.open(uri, clock), "the " + scheme + " store"
                + (u.getHost() == null ? "" : " at " + hostAndPort(u, -1)));
    }

    /** The scheme of a {@code --store} URI, lowercase; {@code ""} when it has none. */
    static String scheme(String uri) {
        int colon = uri.indexOf(':');
        return colon <= 0 ? "" : uri.substring(0, colon).toLowerCase(Locale.ROOT);
    }

    /**
     * The folder of a {@code file:PATH} or {@code file:///abs/path} URI.
     *
     * @throws IllegalArgumentException if it is not a {@code file:} URI
     */
    static String fileFolder(String uri) {
        if (!scheme(uri).equals("file")) {
            throw new IllegalArgumentException("not a file: URI");
        }
        String rest = uri.substring("file:".length());
        return rest.startsWith("//") ? rest.substring(2) : rest;
    }

    /**
     * Sessions as JSON files under {@code <data>/sessions} ({@link DemoOptions} made the URI's folder the data
     * folder); only this process writes them, so the cache trusts them long.
     */
    private static DemoStore file(String uri, Path dataDir, Clock clock) {
        Path dir = dataDir.resolve("sessions");
        SessionManager files = FileBackedSessionManager.builder(dir).clock(clock).build();
        HexFormat hex = HexFormat.of();
        StoredView view = sid -> {
            String base = hex.formatHex(Base64.getUrlDecoder().decode(sid));
            Path file = dir.resolve(base.substring(0, 2)).resolve(base + ".json");
            String location = "sessions/" + base.substring(0, 2) + "/" + base + ".json";
            try {
                return new Stored(location, Files.readString(file, StandardCharsets.UTF_8), true);
            } catch (NoSuchFileException e) {
                return null;
            } catch (IOException e) {
                return new Stored(location, "(cannot read the file: " + e.getClass().getSimpleName() + ")", false);
            }
        };
        return new DemoStore(files, view, "files in " + dir, Duration.ofMinutes(30));
    }

    /** One hash per session in Redis; the cache subscribes to its invalidations. */
    private static DemoStore redis(String uri, Path dataDir, Clock clock) {
        SessionManager redis = RedisSessionManager.builder().uri(uri).clock(clock).build();
        // The page reads the hash with a client of its own: the store's connections are the store's.
        RedisClient reader = RedisClient.create(URI.create(uri));
        String prefix = RedisSessionManager.DEFAULT_NAMESPACE + ":session:{";
        StoredView view = sid -> {
            String key = prefix + sid + "}";
            Map<String, String> hash = reader.hgetAll(key);
            if (hash.isEmpty()) {
                return null;
            }
            StringBuilder lines = new StringBuilder();
            for (Map.Entry<String, String> field : ordered(hash).entrySet()) {
                lines.append(field.getKey()).append(' ').append(field.getValue()).append('\n');
            }
            return new Stored("HGETALL " + key, lines.toString(), false);
        };
        return new DemoStore(redis, view, "Redis at " + hostAndPort(URI.create(uri), 6379), null);
    }

    /** A Riak object per session, read over Riak's HTTP API. */
    private static DemoStore riak(String uri, Path dataDir, Clock clock) {
        URI u = parse(uri);
        if (u.getHost() == null || u.getRawUserInfo() != null || u.getRawQuery() != null || u.getRawFragment() != null) {
            throw new IllegalArgumentException("--store riak: use " + FORMS.substring(FORMS.indexOf("riak://")));
        }
        String node = "http://" + hostAndPort(u, 8098);
        String bucketType = null;
        String bucket = "sessions";
        List<String> segments = new ArrayList<>(List.of(u.getPath() == null ? new String[0] : u.getPath().split("/")));
        segments.removeIf(String::isEmpty);
        while (segments.size() >= 2 && (segments.get(0).equals("types") || segments.get(0).equals("buckets"))) {
            if (segments.get(0).equals("types")) {
                bucketType = segments.get(1);
            } else {
                bucket = segments.get(1);
            }
            segments = segments.subList(2, segments.size());
        }
        if (!segments.isEmpty()) {
            throw new IllegalArgumentException("--store riak: the path must be [/types/TYPE][/buckets/BUCKET]");
        }
        RiakSessionManager.Builder b = RiakSessionManager.builder().node(node).bucket(bucket).clock(clock);
        if (bucketType != null) {
            b.bucketType(bucketType);
        }
        SessionManager riak = b.build();
        String path = (bucketType == null ? "" : "/types/" + bucketType) + "/buckets/" + bucket + "/keys/";
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        StoredView view = sid -> {
            HttpRequest get = HttpRequest.newBuilder(URI.create(node + path + sid))
                    .timeout(Duration.ofSeconds(2)).header("Accept", "application/json").GET().build();
            String location = "GET " + path + sid;
            try {
                HttpResponse<String> r = http.send(get, HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() == 404) {
                    return null;
                }
                return r.statusCode() == 200 ? new Stored(location, r.body(), true)
                        : new Stored(location, "(Riak answered " + r.statusCode() + ")", false);
            } catch (IOException e) {
                return new Stored(location, "(Riak did not answer: " + e.getClass().getSimpleName() + ")", false);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Stored(location, "(interrupted)", false);
            }
        };
        return new DemoStore(riak, view, "Riak at " + node + ", bucket " + (bucketType == null ? "" : bucketType + "/")
                + bucket, null);
    }

    /** The fields of a session hash in the order of the stored document, then the attributes by name. */
    private static Map<String, String> ordered(Map<String, String> hash) {
        List<String> order = List.of("v", "id", "randval", "created", "lastAccess", "idleTimeoutMs", "deadline",
                "principal", "version");
        Map<String, String> sorted = new TreeMap<>((a, b) -> {
            int ia = order.indexOf(a);
            int ib = order.indexOf(b);
            if (ia >= 0 || ib >= 0) {
                return ia < 0 ? 1 : ib < 0 ? -1 : Integer.compare(ia, ib);
            }
            return a.compareTo(b);
        });
        sorted.putAll(hash);
        return sorted;
    }

    private static URI parse(String uri) {
        try {
            return new URI(uri);
        } catch (URISyntaxException e) {
            // Not quoted: a store URI may hold a password.
            throw new IllegalArgumentException("--store " + scheme(uri) + ": malformed URI at index " + e.getIndex());
        }
    }

    /** {@code host:port} of {@code uri}, with {@code defaultPort} when it names none: never the user info. */
    private static String hostAndPort(URI uri, int defaultPort) {
        int port = uri.getPort() < 0 ? defaultPort : uri.getPort();
        return port < 0 ? uri.getHost() : uri.getHost() + ":" + port;
    }
}
