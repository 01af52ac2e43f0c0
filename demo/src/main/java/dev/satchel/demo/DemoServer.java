package dev.satchel.demo;

import com.sun.net.httpserver.HttpServer;
import dev.satchel.CookieSpec;
import dev.satchel.HttpSessions;
import dev.satchel.SigningKeys;
import dev.satchel.store.caching.CachingSessionManager;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running demo: an {@link HttpServer} in front of {@link HttpSessions} over a
 * {@link CachingSessionManager} over the store {@code --store} names ({@link DemoStore}). Its data folder
 * holds {@code signing-key} (unless the key comes from the environment) and, for the file store,
 * {@code sessions/}.
 */
final class DemoServer implements AutoCloseable {

    /**
     * Named explicitly: the library's default name is meant for HTTPS ({@code __Host-} cookies must be
     * Secure), and a name of its own keeps the demo's cookie apart from other apps on the same host (cookies
     * do not tell ports apart).
     */
    static final String COOKIE_NAME = "satchel-demo";
    /**
     * The JDK server's switch for {@code TCP_NODELAY} on accepted connections, read once, when its
     * configuration class initialises (at the first {@link HttpServer#create} in this JVM).
     */
    static final String NODELAY_PROPERTY = "sun.net.httpserver.nodelay";

    private static final Logger LOG = LoggerFactory.getLogger(DemoServer.class);

    private final HttpServer server;
    private final ExecutorService workers;
    private final CachingSessionManager manager;

    private DemoServer(HttpServer server, ExecutorService workers, CachingSessionManager manager) {
        this.server = server;
        this.workers = workers;
        this.manager = manager;
    }

    /**
     * Opens the store, reads or creates the signing key and starts serving.
     *
     * @throws IllegalArgumentException if a signing key is unusable
     * @throws IOException if the data folder, the key file or the port cannot be used
     */
    static DemoServer start(DemoOptions options, Map<String, String> env) throws IOException {
        Path dir = options.dir.toAbsolutePath().normalize();
        createPrivateDirectories(dir);
        SigningKeys keys = SigningKeySource.load(dir, env);
        InetAddress address = InetAddress.getByName(options.host);
        // The demo only speaks plain HTTP, so a Secure cookie would never come back; that is acceptable
        // only on loopback, where nobody else is on the wire. Elsewhere, serve it behind a TLS proxy.
        boolean secure = !address.isLoopbackAddress();
        if (secure) {
            LOG.info("Cookies are Secure: browsers send them back only over HTTPS, so serve this behind TLS");
        } else {
            LOG.info("Serving plain HTTP on the loopback address {}: cookies are not marked Secure", options.host);
        }
        Clock clock = Clock.systemUTC();
        DemoStore store = DemoStore.open(options.store, dir, clock);
        CachingSessionManager.Builder cache = CachingSessionManager.over(store.manager)
                .maximumSize(options.cacheSize)
                .clock(clock)
                .recordStats();
        Duration staleness = options.maxStaleness != null ? options.maxStaleness : store.defaultStaleness;
        if (staleness != null) {
            cache.maxStaleness(staleness);
        }
        CachingSessionManager manager = cache.build();
        boolean noDelay = requestNoDelay();
        if (!noDelay) {
            LOG.warn("TCP_NODELAY is off (-D{}=false): each response on a kept-alive connection waits for the "
                    + "client's delayed ACK, about 40 ms", NODELAY_PROPERTY);
        }
        HttpServer server;
        ExecutorService workers = Executors.newFixedThreadPool(8, namedThreads());
        try {
            HttpSessions sessions = HttpSessions.builder()
                    .manager(manager)
                    .signingKeys(keys)
                    .cookie(CookieSpec.named(COOKIE_NAME).secure(secure).sameSite(CookieSpec.SameSite.LAX))
                    .clock(clock)
                    .build();
            server = HttpServer.create(new InetSocketAddress(address, options.port), 64);
            server.createContext("/", new DemoHandler(sessions, manager, store, clock, StaticFiles.load()));
            server.setExecutor(workers);
            server.start();
        } catch (IOException | RuntimeException e) {
            workers.shutdownNow();
            manager.close();
            throw e;
        }
        LOG.info("Satchel demo listening on http://{}:{}/ with sessions in {}", options.host,
                server.getAddress().getPort(), store.description);
        return new DemoServer(server, workers, manager);
    }

    /**
     * Turns {@code TCP_NODELAY} on for the JDK server unless {@value #NODELAY_PROPERTY} was set explicitly,
     * and says whether it is on. Without it a kept-alive connection (every browser's) waits about 40 ms per
     * response: the JDK writes the headers and the body of a response separately, and Nagle's algorithm
     * holds the body back until the client acknowledges the headers, which a client delays hoping to
     * piggyback the ACK. Must run before the first {@link HttpServer} of this JVM is created: the JDK reads
     * the property once. {@link Main} calls it first thing; {@link #start} calls it again for a demo started
     * in-process.
     */
    static boolean requestNoDelay() {
        if (System.getProperty(NODELAY_PROPERTY) == null) {
            System.setProperty(NODELAY_PROPERTY, "true");
        }
        return Boolean.getBoolean(NODELAY_PROPERTY);
    }

    /** The port actually bound (useful with port 0). */
    int port() {
        return server.getAddress().getPort();
    }

    /** Stops accepting requests, lets running ones finish (up to a second), and closes the store. */
    @Override
    public void close() {
        server.stop(1);
        workers.shutdown();
        try {
            if (!workers.awaitTermination(5, TimeUnit.SECONDS)) {
                workers.shutdownNow();
            }
        } catch (InterruptedException e) {
            workers.shutdownNow();
            Thread.currentThread().interrupt();
        }
        manager.close();
        LOG.info("Satchel demo stopped");
    }

    private static void createPrivateDirectories(Path dir) throws IOException {
        if (Files.isDirectory(dir)) {
            return;
        }
        Path parent = dir.getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        if (Files.getFileStore(parent == null ? dir.getRoot() : parent)
                .supportsFileAttributeView(PosixFileAttributeView.class)) {
            Files.createDirectory(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
        } else {
            Files.createDirectory(dir);
        }
    }

    private static java.util.concurrent.ThreadFactory namedThreads() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "satchel-demo-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
