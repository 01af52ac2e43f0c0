package dev.satchel.demo;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * The demo's command line. Every value is checked here, so a mistake stops the demo with a message that
 * names the option, before anything is opened.
 */
final class DemoOptions {

    static final String USAGE = String.join("\n",
            "usage: java -jar satchel-demo.jar [options]",
            "  --port N            port to listen on (default: $PORT, else 8080; 0 picks a free port)",
            "  --host ADDRESS      address to bind (default 127.0.0.1)",
            "  --dir PATH          folder for the sessions and the generated signing key (default ./satchel-data)",
            "  --store URI         where sessions live (default file:./satchel-data, the same as --dir):",
            "                      file:PATH, redis://[[user]:password@]host[:port][/db], rediss://...,",
            "                      riak://host[:port][/types/TYPE][/buckets/BUCKET], or any scheme",
            "                      a store module on the class path opens (memory:/,",
            "                      postgresql://user:pw@host:5432/db?createSchema=true, mariadb://...)",
            "  --cache-size N      sessions kept in memory (default 10000)",
            "  --max-staleness S   seconds a cached session is trusted before it is re-read (default: 1800",
            "                      for files, use 1 when several demo processes share one folder; else",
            "                      the cache's own default)",
            "  --help              show this text");

    static final int DEFAULT_PORT = 8080;
    static final String DEFAULT_HOST = "127.0.0.1";
    static final Path DEFAULT_DIR = Path.of("satchel-data");
    static final long DEFAULT_CACHE_SIZE = 10_000;

    final int port;
    final String host;
    final Path dir;
    /** The {@code --store} URI; {@code file:} followed by {@link #dir} when none was given. */
    final String store;
    final long cacheSize;
    /** {@code null}: the store's default. */
    final Duration maxStaleness;
    final boolean help;

    DemoOptions(int port, String host, Path dir, String store, long cacheSize, Duration maxStaleness, boolean help) {
        this.port = port;
        this.host = host;
        this.dir = dir;
        this.store = store;
        this.cacheSize = cacheSize;
        this.maxStaleness = maxStaleness;
        this.help = help;
    }

    /**
     * Reads {@code args}, falling back to {@code env} for the port.
     *
     * @throws IllegalArgumentException naming the option that is wrong and why
     */
    static DemoOptions parse(String[] args, Map<String, String> env) {
        Integer port = null;
        String host = DEFAULT_HOST;
        Path dir = null;
        String store = null;
        long cacheSize = DEFAULT_CACHE_SIZE;
        Duration staleness = null;
        for (int i = 0; i < args.length; i++) {
            String option = args[i];
            if (option.equals("--help") || option.equals("-h")) {
                return new DemoOptions(DEFAULT_PORT, host, DEFAULT_DIR, null, cacheSize, staleness, true);
            }
            if (!option.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + printable(option) + "'");
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException(printable(option) + " needs a value");
            }
            String value = args[++i];
            switch (option) {
                case "--port":
                    port = port("--port", value);
                    break;
                case "--host":
                    if (value.isBlank()) {
                        throw new IllegalArgumentException("--host must not be empty");
                    }
                    host = value;
                    break;
                case "--dir":
                    dir = dir(dir, "--dir", value);
                    break;
                case "--store":
                    if (store != null) {
                        throw new IllegalArgumentException("--store was already given");
                    }
                    store = store(value);
                    if (store.startsWith("file:")) {
                        dir = dir(dir, "--store", DemoStore.fileFolder(store));
                    }
                    break;
                case "--cache-size":
                    cacheSize = positive("--cache-size", value, Integer.MAX_VALUE);
                    break;
                case "--max-staleness":
                    staleness = Duration.ofSeconds(positive("--max-staleness", value, 365L * 24 * 3600));
                    break;
                default:
                    throw new IllegalArgumentException("unknown option " + printable(option));
            }
        }
        if (port == null) {
            String fromEnv = env.get("PORT");
            port = fromEnv == null || fromEnv.isBlank() ? DEFAULT_PORT : port("PORT", fromEnv.trim());
        }
        Path folder = dir == null ? DEFAULT_DIR : dir;
        return new DemoOptions(port, host, folder, store == null ? "file:" + folder : store, cacheSize, staleness,
                false);
    }

    private static int port(String name, String value) {
        return (int) number(name, value, 0, 65_535);
    }

    private static long positive(String name, String value, long max) {
        return number(name, value, 1, max);
    }

    private static long number(String name, String value, long min, long max) {
        long n;
        try {
            n = Long.parseLong(value);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + " must be a whole number, was '" + printable(value) + "'");
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException(name + " must be between " + min + " and " + max + ", was " + n);
        }
        return n;
    }

    private static Path dir(Path already, String name, String value) {
        if (already != null) {
            throw new IllegalArgumentException(name + ": the folder was already given (use --dir or --store once)");
        }
        if (value.isBlank() || value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(name + " must name a folder");
        }
        return Path.of(value);
    }

    /** {@code uri} if its scheme names a store the demo knows ({@code file:} lowercased); never quoted back. */
    private static String store(String uri) {
        String scheme = DemoStore.scheme(uri);
        if (!DemoStore.knows(scheme)) {
            // Only the scheme is quoted: the rest may hold a password.
            throw new IllegalArgumentException("--store " + (scheme.isEmpty() ? "needs a URI" : printable(scheme)
                    + ": not a store this demo knows") + "; use " + DemoStore.forms());
        }
        return scheme.equals("file") ? "file:" + uri.substring(5) : uri;
    }

    /** {@code s} shortened and with control characters replaced, safe to put in a log line. */
    private static String printable(String s) {
        StringBuilder b = new StringBuilder(Math.min(s.length(), 64));
        for (int i = 0; i < s.length() && i < 64; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return s.length() > 64 ? b.append("...").toString() : b.toString();
    }
}
