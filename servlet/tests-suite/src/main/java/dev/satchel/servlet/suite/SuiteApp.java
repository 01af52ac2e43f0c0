package dev.satchel.servlet.suite;

import dev.satchel.servlet.SatchelSessionFilter;
import dev.satchel.servlet.suite.Values.Badge;
import dev.satchel.servlet.suite.Values.Cart;
import dev.satchel.servlet.suite.Values.Frozen;
import dev.satchel.servlet.suite.Values.Gift;
import dev.satchel.servlet.suite.Values.Loop;
import jakarta.servlet.AsyncContext;
import jakarta.servlet.AsyncEvent;
import jakarta.servlet.AsyncListener;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.ServletResponseWrapper;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServlet;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import jakarta.servlet.http.HttpSession;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The web application the suite runs in every container: {@link SatchelSessionFilter} first on
 * {@code /*}, then two filters that misbehave the ways Spring Session's users met (a body-caching wrapper,
 * a component writing to the container's response directly), and one servlet whose path picks a scenario.
 */
public final class SuiteApp implements ServletContainerInitializer {

    /** Bytes of the large body: 1 MiB. */
    static final int BIG = 1024 * 1024;
    /** Bytes of the declared-length body. */
    static final int LENGTH = 5000;
    /** Released by the test once it has read the declared-length response while the servlet still runs. */
    static volatile CountDownLatch lengthRead = new CountDownLatch(1);
    static volatile CountDownLatch lengthDone = new CountDownLatch(1);

    private final SatchelSessionFilter filter;

    SuiteApp(SatchelSessionFilter filter) {
        this.filter = filter;
    }

    @Override
    public void onStartup(Set<Class<?>> classes, ServletContext context) {
        EnumSet<DispatcherType> dispatches = EnumSet.of(DispatcherType.REQUEST, DispatcherType.FORWARD, DispatcherType.ASYNC, DispatcherType.ERROR);
        FilterRegistration.Dynamic satchel = context.addFilter("satchel", filter);
        satchel.setAsyncSupported(true);
        satchel.addMappingForUrlPatterns(dispatches, true, "/*");
        FilterRegistration.Dynamic copying = context.addFilter("copying", new CopyingFilter());
        copying.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, "/copy/*");
        FilterRegistration.Dynamic bypass = context.addFilter("bypass", new BypassFilter());
        bypass.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, "/bypass/*");
        ServletRegistration.Dynamic scenarios = context.addServlet("scenarios", new Scenarios());
        scenarios.setAsyncSupported(true);
        scenarios.addMapping("/s/*", "/copy/*", "/bypass/*");
    }

    /** One scenario per path. */
    interface Scenario {
        void run(HttpServletRequest req, HttpServletResponse resp) throws Exception;
    }

    static final class Scenarios extends HttpServlet {
        private final Map<String, Scenario> byPath = new HashMap<>();

        Scenarios() {
            byPath.put("/set", (req, resp) -> {
                HttpSession s = req.getSession();
                for (String name : Collections.list(req.getParameterNames())) {
                    s.setAttribute(name, req.getParameter(name));
                }
                resp.getWriter().print("new=" + s.isNew());
            });
            byPath.put("/get", (req, resp) -> {
                HttpSession s = req.getSession(false);
                resp.getWriter().print(s == null ? "none" : String.valueOf(s.getAttribute(req.getParameter("name"))));
                resp.getWriter().print(";requested=" + (req.getRequestedSessionId() != null)
                        + ";valid=" + req.isRequestedSessionIdValid() + ";fromCookie=" + req.isRequestedSessionIdFromCookie()
                        + ";fromUrl=" + req.isRequestedSessionIdFromURL());
            });
            byPath.put("/touch", (req, resp) -> resp.getWriter().print("new=" + req.getSession().isNew()));
            byPath.put("/api", SuiteApp::api);
            byPath.put("/cart", (req, resp) -> {
                HttpSession s = req.getSession();
                Cart cart = new Cart("book");
                s.setAttribute("cart", cart);
                s.setAttribute("gift", new Gift());
                s.setAttribute("count", 3L);
                resp.getWriter().print("same=" + (s.getAttribute("cart") == cart));
            });
            byPath.put("/cart-read", (req, resp) -> {
                HttpSession s = req.getSession(false);
                Cart cart = (Cart) s.getAttribute("cart");
                cart.items.add("pen"); // seen by the rest of this request, saved only when set again
                Cart again = (Cart) s.getAttribute("cart");
                resp.getWriter().print("items=" + again.items + ";same=" + (again == cart)
                        + ";gift=" + s.getAttribute("gift").getClass().getSimpleName()
                        + ";count=" + s.getAttribute("count").getClass().getSimpleName());
                if (req.getParameter("save") != null) {
                    s.setAttribute("cart", cart);
                }
            });
            byPath.put("/refuse", (req, resp) -> {
                HttpSession s = req.getSession();
                StringBuilder out = new StringBuilder();
                for (Object[] attempt : new Object[][] {{"loop", new Loop()}, {"cart", "not a cart"}, {"frozen", new Frozen("x")}}) {
                    try {
                        s.setAttribute((String) attempt[0], attempt[1]);
                        out.append("accepted ").append(attempt[0]).append('\n');
                    } catch (IllegalArgumentException e) {
                        out.append("refused: ").append(e.getMessage()).append('\n');
                    }
                }
                out.append("names=").append(Collections.list(s.getAttributeNames()));
                resp.getWriter().print(out);
            });
            byPath.put("/rotate", (req, resp) -> {
                HttpSession s = req.getSession(false);
                String before = s.getId();
                String after = req.changeSessionId();
                resp.getWriter().print("changed=" + !before.equals(after) + ";id=" + after.equals(s.getId())
                        + ";valid=" + req.isRequestedSessionIdValid());
            });
            byPath.put("/invalidate", (req, resp) -> {
                req.getSession(false).invalidate();
                resp.getWriter().print("invalidated;now=" + req.getSession(false));
            });
            byPath.put("/relogin", (req, resp) -> {
                HttpSession old = req.getSession(false);
                old.invalidate();
                HttpSession fresh = req.getSession(true);
                fresh.setAttribute("user", "bob");
                resp.getWriter().print("new=" + fresh.isNew() + ";same=" + (old == fresh));
            });
            byPath.put("/redirect", (req, resp) -> {
                req.getSession().setAttribute("flash", "saved");
                resp.sendRedirect("/s/get?name=flash");
            });
            byPath.put("/flushes", (req, resp) -> {
                req.getSession().setAttribute("f", "1");
                PrintWriter w = resp.getWriter();
                for (int i = 0; i < 3; i++) {
                    w.print("chunk" + i + ";");
                    w.flush();
                    resp.flushBuffer();
                }
            });
            byPath.put("/throw", (req, resp) -> {
                req.getSession().setAttribute("before", "crash");
                resp.getWriter().print("partial body that the error page replaces");
                throw new IllegalStateException("boom");
            });
            byPath.put("/error", (req, resp) -> {
                HttpSession s = req.getSession(false);
                resp.getWriter().print("error page;status=" + resp.getStatus() + ";sees=" + (s == null ? "none" : s.getAttribute("before")));
            });
            byPath.put("/big", (req, resp) -> {
                req.getSession().setAttribute("big", "1");
                ServletOutputStream out = resp.getOutputStream();
                byte[] chunk = new byte[8 * 1024];
                for (int written = 0; written < BIG; written += chunk.length) {
                    for (int i = 0; i < chunk.length; i++) {
                        chunk[i] = (byte) ('a' + (written + i) % 26);
                    }
                    out.write(chunk);
                }
            });
            byPath.put("/stream", (req, resp) -> {
                HttpSession s = req.getSession();
                s.setAttribute("s", "1");
                PrintWriter w = resp.getWriter();
                for (int i = 0; i < 10; i++) {
                    w.println("line " + i + " é ü 日本");
                    w.flush();
                }
                s.setAttribute("after", "first flush"); // a change after the commit: still saved
            });
            byPath.put("/late-new", (req, resp) -> {
                PrintWriter w = resp.getWriter();
                w.print("x".repeat(100_000));
                w.flush();
                try {
                    req.getSession(true);
                    w.print("created");
                } catch (IllegalStateException e) {
                    w.print(";refused:" + e.getMessage());
                }
            });
            byPath.put("/senderror", (req, resp) -> {
                req.getSession().setAttribute("e", "1");
                resp.sendError(404);
            });
            byPath.put("/forward", (req, resp) -> {
                req.getSession().setAttribute("a", "1");
                resp.getWriter().print("dropped by the forward");
                req.getRequestDispatcher("/s/forward-target").forward(req, resp);
            });
            byPath.put("/forward-target", (req, resp) -> {
                req.getSession().setAttribute("b", "2");
                resp.getWriter().print("forwarded;a=" + req.getSession().getAttribute("a"));
            });
            byPath.put("/include", (req, resp) -> {
                resp.getWriter().print("before;");
                req.getRequestDispatcher("/s/include-target").include(req, resp);
                resp.getWriter().print(";after");
            });
            byPath.put("/include-target", (req, resp) -> {
                req.getSession().setAttribute("inc", "1");
                resp.getWriter().print("y".repeat(100_000)); // past the buffer: the commit happens inside the include
            });
            byPath.put("/async", (req, resp) -> {
                AsyncContext async = req.startAsync();
                async.start(() -> {
                    try {
                        HttpServletRequest r = (HttpServletRequest) async.getRequest();
                        r.getSession().setAttribute("async", "1");
                        async.getResponse().getWriter().print("async done");
                    } catch (IOException e) {
                        throw new IllegalStateException(e);
                    } finally {
                        async.complete();
                    }
                });
            });
            byPath.put("/async-timeout", (req, resp) -> {
                AsyncContext async = req.startAsync();
                async.setTimeout(200);
                req.getSession().setAttribute("t", "1");
                async.addListener(new AsyncListener() {
                    @Override
                    public void onTimeout(AsyncEvent event) throws IOException {
                        event.getSuppliedResponse().getWriter().print("timed out");
                        event.getAsyncContext().complete();
                    }

                    @Override
                    public void onComplete(AsyncEvent event) {}

                    @Override
                    public void onError(AsyncEvent event) {}

                    @Override
                    public void onStartAsync(AsyncEvent event) {}
                });
            });
            byPath.put("/length", (req, resp) -> {
                HttpSession s = req.getSession();
                s.setAttribute("len", "1");
                resp.setContentLength(LENGTH);
                byte[] body = "z".repeat(LENGTH).getBytes(StandardCharsets.US_ASCII);
                resp.getOutputStream().write(body); // reaches the length: the response leaves now
                try {
                    if (lengthRead.await(20, TimeUnit.SECONDS)) {
                        s.setAttribute("afterLength", "saved");
                    }
                } finally {
                    lengthDone.countDown();
                }
            });
            byPath.put("/badge", (req, resp) -> {
                HttpSession s = req.getSession();
                if (s.isNew()) {
                    EventLog.creating = s;
                }
                s.setAttribute("user", "ann");
                s.setAttribute("badge", new Badge(req.getParameter("level")));
                resp.getWriter().print("ok");
            });
            byPath.put("/unbadge", (req, resp) -> {
                req.getSession(false).removeAttribute("badge");
                resp.getWriter().print("ok");
            });
            byPath.put("/nonblocking", (req, resp) -> {
                req.getSession().setAttribute("nb", "1");
                AsyncContext async = req.startAsync();
                ServletOutputStream out = resp.getOutputStream();
                out.setWriteListener(new WriteListener() {
                    private boolean written;

                    @Override
                    public void onWritePossible() throws IOException {
                        while (out.isReady()) {
                            if (written) {
                                async.complete();
                                return;
                            }
                            out.write("non-blocking".getBytes(StandardCharsets.US_ASCII));
                            written = true;
                        }
                    }

                    @Override
                    public void onError(Throwable t) {
                        async.complete();
                    }
                });
            });
            // Reached through /copy/ and /bypass/, behind the misbehaving filters.
            byPath.put("/new", (req, resp) -> {
                req.getSession().setAttribute("behind", "filter");
                resp.getWriter().print("body behind a filter");
            });
        }

        @Override
        protected void service(HttpServletRequest req, HttpServletResponse resp) throws ServletException, IOException {
            Object included = req.getAttribute(RequestDispatcher.INCLUDE_PATH_INFO); // an include keeps the outer path
            Scenario s = byPath.get(included != null ? (String) included : req.getPathInfo());
            if (s == null) {
                resp.sendError(404);
                return;
            }
            resp.setContentType("text/plain;charset=UTF-8");
            try {
                s.run(req, resp);
            } catch (IOException | ServletException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new ServletException(e);
            }
        }
    }

    /** The HttpSession API, printed line by line. */
    private static void api(HttpServletRequest req, HttpServletResponse resp) throws IOException {
        HttpSession s = req.getSession();
        StringBuilder out = new StringBuilder();
        out.append("new=").append(s.isNew()).append('\n');
        out.append("context=").append(s.getServletContext() == req.getServletContext()).append('\n');
        out.append("created<=accessed=").append(s.getCreationTime() <= s.getLastAccessedTime()).append('\n');
        out.append("maxInactive=").append(s.getMaxInactiveInterval()).append('\n');
        s.setMaxInactiveInterval(600);
        out.append("maxInactiveNow=").append(s.getMaxInactiveInterval()).append('\n');
        s.setAttribute("a", "1");
        s.setAttribute("b", 2);
        s.setAttribute("c", true);
        s.removeAttribute("c");
        s.setAttribute("d", null);
        out.append("names=").append(Collections.list(s.getAttributeNames())).append('\n');
        out.append("types=").append(s.getAttribute("a").getClass().getSimpleName()).append(',')
                .append(s.getAttribute("b").getClass().getSimpleName()).append('\n');
        out.append("session==session=").append(req.getSession() == s).append('\n');
        String id = s.getId();
        s.invalidate();
        out.append("afterInvalidate:");
        for (Runnable call : new Runnable[] {() -> s.getAttribute("a"), () -> s.setAttribute("x", "y"), s::isNew,
                s::getCreationTime, s::getLastAccessedTime, s::getAttributeNames, () -> s.removeAttribute("a"), s::invalidate}) {
            try {
                call.run();
                out.append(" allowed");
            } catch (IllegalStateException e) {
                out.append(" ISE");
            }
        }
        out.append('\n').append("idStillReadable=").append(id.equals(s.getId())).append('\n');
        out.append("getSession(false)=").append(req.getSession(false)).append('\n');
        resp.getWriter().print(out);
    }

    /** Caches the body of what follows it and copies it into the response it was given at the end (Spring's ShallowEtagHeaderFilter). */
    static final class CopyingFilter implements Filter {
        @Override
        public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
            ByteArrayOutputStream cache = new ByteArrayOutputStream();
            PrintWriter cachingWriter = new PrintWriter(cache, true, StandardCharsets.UTF_8);
            HttpServletResponseWrapper caching = new HttpServletResponseWrapper((HttpServletResponse) res) {
                @Override
                public PrintWriter getWriter() {
                    return cachingWriter;
                }
            };
            chain.doFilter(req, caching);
            cachingWriter.flush();
            res.setContentLength(cache.size());
            res.getOutputStream().write(cache.toByteArray());
            res.flushBuffer();
        }
    }

    /**
     * Writes past every wrapper to the container's own response and flushes it, as a component that
     * unwraps the response would: the session filter can only notice afterwards.
     */
    static final class BypassFilter implements Filter {
        @Override
        public void doFilter(ServletRequest req, ServletResponse res, FilterChain chain) throws IOException, ServletException {
            ServletResponse raw = res;
            while (raw instanceof ServletResponseWrapper w) {
                raw = w.getResponse();
            }
            ServletResponse container = raw;
            HttpServletResponseWrapper direct = new HttpServletResponseWrapper((HttpServletResponse) res) {
                @Override
                public PrintWriter getWriter() throws IOException {
                    return container.getWriter();
                }
            };
            chain.doFilter(req, direct);
            if (req.getParameter("flush") != null) {
                container.flushBuffer();
            }
        }
    }
}
