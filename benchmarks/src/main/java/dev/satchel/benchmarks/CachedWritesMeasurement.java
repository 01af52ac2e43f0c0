package dev.satchel.benchmarks;

import dev.satchel.Invalidations;
import dev.satchel.Session;
import dev.satchel.SessionManager;
import dev.satchel.spi.SessionCodec;
import dev.satchel.store.caching.CacheStats;
import dev.satchel.store.caching.CachingSessionManager;
import dev.satchel.store.redis.RedisSessionManager;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import tools.jackson.databind.JsonNode;

/**
 * Issue 17's figure: the cache's hit rate over Redis when every request writes its session (a page that
 * counts views, say). One thread plays one node's requests: pick one of {@value #SESSIONS} sessions at
 * random, read it through the cache, change one attribute, write it back. Measured twice on the same
 * server, each time after a warm-up: with the cache fed the versioned invalidations the Redis store
 * publishes ({@code versioned}), and with the versions stripped from them before the cache sees them
 * ({@code unversioned}: how the cache behaved before issue 17, when its own write evicted what it had
 * just cached). A measurement, not a JMH benchmark: the figure is a ratio of counts, not a time.
 *
 * <pre>
 * mvn -B -q -Pbenchmarks -DskipTests package -pl benchmarks -am
 * java -Dsatchel.bench.redis=127.0.0.1:PORT -cp benchmarks/target/benchmarks.jar \
 *     dev.satchel.benchmarks.CachedWritesMeasurement [OUT.json]
 * </pre>
 * Without {@code satchel.bench.redis} it starts its own {@code redis-server}. Prints one line per variant
 * and, given a path, writes them as JSON for {@link #section}.
 */
public final class CachedWritesMeasurement {

    static final String FILE = "cached-writes.json";
    private static final int SESSIONS = 200;
    private static final int WARMUP = 2_000;
    private static final int REQUESTS = 10_000;

    private CachedWritesMeasurement() {}

    public static void main(String[] args) throws IOException {
        Map<String, Object> result = new LinkedHashMap<>();
        try (RedisProcess redis = RedisProcess.obtain()) {
            String uri = "redis://" + redis.host() + ":" + redis.port();
            for (boolean versioned : new boolean[] {false, true}) {
                Map<String, Object> row = measure(uri, versioned);
                result.put(versioned ? "versioned" : "unversioned", row);
                System.out.printf(Locale.ROOT, "cached writes, %s invalidations: %d hits, %d misses, hit rate %.1f %%%n",
                        versioned ? "versioned" : "unversioned", row.get("hits"), row.get("misses"),
                        100 * (double) row.get("hitRate"));
            }
        }
        if (args.length > 0) {
            Files.writeString(Paths.get(args[0]), SessionCodec.jsonMapper().writeValueAsString(result), StandardCharsets.UTF_8);
        }
    }

    private static Map<String, Object> measure(String uri, boolean versioned) {
        RedisSessionManager.Builder parentBuilder = RedisSessionManager.builder().uri(uri)
                .namespace("cachedwrites" + (versioned ? "v" : "u"));
        SessionManager parent = parentBuilder.build();
        CachingSessionManager.Builder b = CachingSessionManager.over(parent).recordStats();
        if (!versioned) {
            Invalidations feed = (Invalidations) parent;
            b.invalidationsFrom(listener -> feed.subscribe(new WithoutVersions(listener)));
        }
        try (CachingSessionManager cache = b.build()) {
            List<String> ids = new ArrayList<>(SESSIONS);
            for (int i = 0; i < SESSIONS; i++) {
                Session s = cache.newSession();
                s.put("views", 0);
                cache.put(s);
                ids.add(s.id());
            }
            SplittableRandom random = new SplittableRandom(17);
            requests(cache, ids, random, WARMUP); // long past the subscription's first reset
            CacheStats before = cache.stats();
            long start = System.nanoTime();
            requests(cache, ids, random, REQUESTS);
            long elapsed = System.nanoTime() - start;
            CacheStats after = cache.stats();
            long hits = after.hits() - before.hits();
            long misses = after.misses() - before.misses();
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("requests", REQUESTS);
            row.put("sessions", SESSIONS);
            row.put("hits", hits);
            row.put("misses", misses);
            row.put("hitRate", hits + misses == 0 ? 0.0 : (double) hits / (hits + misses));
            row.put("microsPerRequest", TimeUnit.NANOSECONDS.toMicros(elapsed) / (double) REQUESTS);
            for (String id : ids) {
                cache.remove(id);
            }
            return row;
        }
    }

    private static void requests(CachingSessionManager cache, List<String> ids, SplittableRandom random, int n) {
        for (int i = 0; i < n; i++) {
            Session s = cache.get(ids.get(random.nextInt(ids.size()))).orElseThrow();
            s.put("views", s.get("views", Integer.class) + 1);
            if (!cache.put(s)) {
                throw new IllegalStateException("a session of the measurement vanished");
            }
        }
    }

    /** The feed as a listener that predates versioned invalidations sees it. */
    private static final class WithoutVersions implements Invalidations.Listener {
        private final Invalidations.Listener delegate;

        WithoutVersions(Invalidations.Listener delegate) {
            this.delegate = delegate;
        }

        @Override
        public void invalidate(String sid) {
            delegate.invalidate(sid);
        }

        @Override
        public void invalidateAll() {
            delegate.invalidateAll();
        }
    }

    /**
     * The BENCHMARKS.md section for {@code runDir}'s {@value #FILE}, or "" when the run has none. For
     * {@link Report}: {@code md.append(CachedWritesMeasurement.section(dir))}.
     */
    static String section(Path runDir) throws IOException {
        Path file = runDir.resolve(FILE);
        if (!Files.exists(file)) {
            return "";
        }
        JsonNode json = PairedRun.JSON.readTree(Files.readString(file));
        StringBuilder md = new StringBuilder();
        md.append("## Cache over Redis when every request writes\n\n");
        md.append("`CachedWritesMeasurement`: one thread, requests over ").append(json.path("versioned").path("sessions").asInt())
                .append(" sessions at random, each a read through `CachingSessionManager` and a write of one attribute; ")
                .append("the cache fed by the Redis store's invalidations with the version written (now) and without it ")
                .append("(before issue 17: the node's own write evicted what it had just cached).\n\n");
        md.append("| invalidations | requests | hits | misses | hit rate | µs per request |\n|---|---|---|---|---|---|\n");
        for (String k : new String[] {"unversioned", "versioned"}) {
            JsonNode r = json.path(k);
            md.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %.1f %% | %.1f |%n", k, r.path("requests").asLong(),
                    r.path("hits").asLong(), r.path("misses").asLong(), 100 * r.path("hitRate").asDouble(),
                    r.path("microsPerRequest").asDouble()));
        }
        md.append('\n');
        return md.toString();
    }
}
