package dev.satchel.benchmarks;

import dev.satchel.HttpSessions;
import dev.satchel.SessionManager;
import dev.satchel.SigningKeys;
import dev.satchel.servlet.SatchelSessionFilter;
import dev.satchel.store.caching.CachingSessionManager;
import dev.satchel.store.redis.RedisSessionManager;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import org.apache.catalina.Context;
import org.apache.catalina.LifecycleException;
import org.apache.catalina.connector.Connector;
import org.apache.catalina.startup.Tomcat;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.RedisTemplate;
import org.springframework.data.redis.serializer.RedisSerializer;
import org.springframework.session.data.redis.RedisSessionRepository;
import org.springframework.session.web.http.SessionRepositoryFilter;

/**
 * The end-to-end benchmark's application: one small servlet on embedded Tomcat 11, with Satchel's filter,
 * Spring Session Data Redis's {@code SessionRepositoryFilter} or no session filter at all in front of it,
 * sessions in one {@code redis-server}. {@link EndToEndRun} starts it in a JVM of its own per measurement:
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.satchel.benchmarks.EndToEndApp SATCHEL|SPRING_SESSION|NO_SESSION PORT REDIS_HOST:PORT
 * </pre>
 * It prints {@value #READY} and the port on standard output once it answers, and stops when its standard
 * input ends (or on a signal).
 *
 * <p>Paths: {@code /login?n=N} creates session {@code N} (attributes {@code user} and {@code visits}) and
 * answers with its cookie; {@code /read} reads both attributes; {@code /write} reads both and sets
 * {@code visits} to one more. With a session filter, a request to {@code /read} or {@code /write} without
 * a session is answered 403, so a lost cookie shows as an error in the load generator's count. Without one,
 * the same servlet runs with no session: {@code getSession(false)} is Tomcat's, finds no {@code JSESSIONID},
 * and returns null.
 */
public final class EndToEndApp implements AutoCloseable {

    /** Which filter is in front of the servlet. */
    enum Impl {
        /** {@code SatchelSessionFilter} over {@code CachingSessionManager.over(RedisSessionManager)}, defaults. */
        SATCHEL,
        /** Spring Session Data Redis: {@code SessionRepositoryFilter} over {@code RedisSessionRepository}. */
        SPRING_SESSION,
        /** No session filter: the same servlet, no session. */
        NO_SESSION
    }

    /** The line the application prints once it answers. */
    static final String READY = "E2E-APP-READY";
    /** Every timeout of Satchel's Redis client, as {@code RedisStoreBenchmark} sets them (Lettuce's default is 60 s). */
    private static final Duration STARVED = Duration.ofSeconds(60);

    private final Tomcat tomcat;
    private final List<AutoCloseable> resources;
    private final int port;
    private final Path baseDir;

    private EndToEndApp(Tomcat tomcat, List<AutoCloseable> resources, int port, Path baseDir) {
        this.tomcat = tomcat;
        this.resources = resources;
        this.port = port;
        this.baseDir = baseDir;
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            throw new IllegalArgumentException("usage: EndToEndApp SATCHEL|SPRING_SESSION|NO_SESSION PORT REDIS_HOST:PORT");
        }
        int colon = args[2].lastIndexOf(':');
        EndToEndApp app = start(Impl.valueOf(args[0]), Integer.parseInt(args[1]), args[2].substring(0, colon),
                Integer.parseInt(args[2].substring(colon + 1)));
        Runtime.getRuntime().addShutdownHook(new Thread(() -> closeQuietly(app)));
        System.out.println(READY + " " + app.port());
        System.out.flush();
        // The driver closes our standard input to stop us; a killed driver closes it too.
        try {
            while (System.in.read() >= 0) {
                // nothing to read: wait for the end
            }
            closeQuietly(app);
        } finally {
            // Tomcat's threads are not daemons: whatever closing threw, the JVM ends here.
            System.exit(0);
        }
    }

    /** Starts Tomcat on {@code port} of loopback (0: a free one) with {@code impl}'s filter over Redis at {@code redisHost:redisPort}. */
    static EndToEndApp start(Impl impl, int port, String redisHost, int redisPort) throws LifecycleException {
        List<AutoCloseable> resources = new ArrayList<>();
        Filter filter;
        switch (impl) {
            case SATCHEL: {
                // What a user writes (servlet/README.md), with the Redis store's defaults but its timeouts, and the
                // cache's defaults: it subscribes to the store's invalidations, so it trusts a record for up to a
                // minute and drops it as soon as any node (this one included) changes it.
                SessionManager manager = CachingSessionManager.over(RedisSessionManager.builder()
                        .uri("redis://" + redisHost + ":" + redisPort)
                        .connectTimeout(STARVED).socketTimeout(STARVED).poolWaitTimeout(STARVED).build()).build();
                resources.add(manager::close);
                HttpSessions sessions = HttpSessions.builder().manager(manager).signingKeys(SigningKeys.of(Population.KEY)).build();
                filter = SatchelSessionFilter.builder(sessions).build();
                break;
            }
            case SPRING_SESSION: {
                // What @EnableRedisHttpSession builds (RedisHttpSessionConfiguration, SpringHttpSessionConfiguration),
                // constructed directly: a LettuceConnectionFactory, a RedisTemplate with string keys and hash keys and
                // JDK serialization of values, RedisSessionRepository with its defaults, and the filter with its
                // default cookie resolver (cookie SESSION). A Boot-less application reaches the filter through
                // DelegatingFilterProxy, one delegating call more, which needs an application context.
                LettuceConnectionFactory factory = new LettuceConnectionFactory(new RedisStandaloneConfiguration(redisHost, redisPort));
                factory.afterPropertiesSet();
                factory.start();
                resources.add(factory::destroy);
                RedisTemplate<String, Object> template = new RedisTemplate<>();
                template.setConnectionFactory(factory);
                template.setKeySerializer(RedisSerializer.string());
                template.setHashKeySerializer(RedisSerializer.string());
                template.afterPropertiesSet();
                filter = new SessionRepositoryFilter<>(new RedisSessionRepository(template));
                break;
            }
            case NO_SESSION:
                filter = null;
                break;
            default:
                throw new AssertionError(impl);
        }

        Tomcat tomcat = new Tomcat();
        Path baseDir = Scratch.newDir("tomcat");
        tomcat.setBaseDir(baseDir.toString());
        Connector connector = new Connector();
        connector.setPort(port);
        connector.setProperty("address", "127.0.0.1");
        tomcat.setConnector(connector);
        Context context = tomcat.addContext("", null);
        // No annotation scanning (tomcat-annotations-api is not on the class path) and Tomcat's own
        // sessions stay in memory, unsaved, so the no-session app never writes a SESSIONS.ser.
        context.setIgnoreAnnotations(true);
        org.apache.catalina.session.StandardManager manager = new org.apache.catalina.session.StandardManager();
        manager.setPathname(null);
        context.setManager(manager);
        // Installed through the standard API, as servlet/README.md does: the filter first in the chain.
        Filter chosen = filter;
        context.addServletContainerInitializer((classes, ctx) -> {
            if (chosen != null) {
                FilterRegistration.Dynamic f = ctx.addFilter("sessions", chosen);
                f.setAsyncSupported(true);
                f.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST, DispatcherType.FORWARD, DispatcherType.ASYNC,
                        DispatcherType.ERROR), false, "/*");
            }
            ctx.addServlet("app", new AppServlet(chosen != null)).addMapping("/login", "/read", "/write");
        }, null);
        try {
            tomcat.start();
        } catch (LifecycleException | RuntimeException e) {
            closeAll(resources);
            closeAll(List.of(() -> Scratch.delete(baseDir)));
            throw e;
        }
        return new EndToEndApp(tomcat, resources, connector.getLocalPort(), baseDir);
    }

    /** The port Tomcat listens on, on 127.0.0.1. */
    int port() {
        return port;
    }

    /**
     * Closes the filter's Redis clients, then stops Tomcat (in this order so that Tomcat finds none of their
     * threads running when it checks the stopped application for leaks). Call it with no request in flight.
     */
    @Override
    public void close() throws Exception {
        closeAll(resources);
        try {
            tomcat.stop();
            tomcat.destroy();
        } finally {
            Scratch.delete(baseDir);
        }
    }

    private static void closeAll(List<AutoCloseable> resources) {
        for (AutoCloseable r : resources) {
            try {
                r.close();
            } catch (Exception e) {
                // stopping: nothing to do about it
            }
        }
    }

    private static void closeQuietly(EndToEndApp app) {
        try {
            app.close();
        } catch (Exception e) {
            // stopping: nothing to do about it
        }
    }

    /** The application: reads two attributes, sets one on {@code /write}. */
    static final class AppServlet extends HttpServlet {
        private static final long serialVersionUID = 1L;
        private final boolean sessions;

        AppServlet(boolean sessions) {
            this.sessions = sessions;
        }

        @Override
        protected void doGet(HttpServletRequest req, HttpServletResponse resp) throws IOException {
            String path = req.getServletPath();
            String user = "anonymous";
            int visits = 0;
            if (path.equals("/login")) {
                if (sessions) {
                    HttpSession s = req.getSession();
                    s.setAttribute("user", "user-" + req.getParameter("n"));
                    s.setAttribute("visits", 0);
                }
            } else {
                HttpSession s = req.getSession(false);
                if (s != null) {
                    user = (String) s.getAttribute("user");
                    Object v = s.getAttribute("visits");
                    visits = v instanceof Number ? ((Number) v).intValue() : -1;
                    if (path.equals("/write")) {
                        s.setAttribute("visits", visits + 1);
                    }
                } else if (sessions) {
                    resp.sendError(HttpServletResponse.SC_FORBIDDEN);
                    return;
                }
            }
            resp.setContentType("text/plain");
            resp.setCharacterEncoding(StandardCharsets.UTF_8.name());
            resp.getWriter().write(String.format(Locale.ROOT, "user=%s visits=%d%n", user, visits));
        }
    }
}
