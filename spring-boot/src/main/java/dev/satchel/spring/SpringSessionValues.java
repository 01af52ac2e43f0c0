package dev.satchel.spring;

import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestWrapper;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpSession;
import java.io.IOException;
import java.util.Enumeration;
import java.util.Objects;
import org.springframework.security.core.AuthenticationException;
import org.springframework.util.ClassUtils;

/**
 * The {@link dev.satchel.servlet.SatchelSessionFilter}, plus a view of the session that stores the objects
 * Spring itself puts there as plain data. Spring Security's failure handler puts the failed login's
 * {@code AuthenticationException} into the session ({@code SPRING_SECURITY_LAST_EXCEPTION}); as JSON that
 * would be its stack trace and, through {@code getAuthenticationRequest()}, the password that was tried. This
 * view keeps its message only, and gives back an {@code AuthenticationException} with that message, so a
 * login page showing {@code SPRING_SECURITY_LAST_EXCEPTION.message} still works. Everything else passes
 * through unchanged.
 */
final class SpringSessionValues implements Filter {

    static final String LAST_EXCEPTION = "SPRING_SECURITY_LAST_EXCEPTION";
    private static final boolean SECURITY = ClassUtils.isPresent("org.springframework.security.core.AuthenticationException",
            SpringSessionValues.class.getClassLoader());

    private final Filter satchel;

    SpringSessionValues(Filter satchel) {
        this.satchel = Objects.requireNonNull(satchel, "satchel");
    }

    @Override
    public void init(FilterConfig config) throws ServletException {
        satchel.init(config);
    }

    @Override
    public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain) throws IOException, ServletException {
        if (!SECURITY) {
            satchel.doFilter(request, response, chain);
            return;
        }
        satchel.doFilter(request, response, (req, res) -> chain.doFilter(wrap(req), res));
    }

    @Override
    public void destroy() {
        satchel.destroy();
    }

    /** The session {@code session} is a view of, or {@code session} itself. */
    static HttpSession unwrap(HttpSession session) {
        return session instanceof ValuesSession v ? v.session() : session;
    }

    private static ServletRequest wrap(ServletRequest request) {
        if (!(request instanceof HttpServletRequest http)) {
            return request;
        }
        for (ServletRequest r = request; r instanceof ServletRequestWrapper w; r = w.getRequest()) {
            if (r instanceof ValuesRequest) {
                return request; // a forward or an error dispatch of a request already wrapped
            }
        }
        return new ValuesRequest(http);
    }

    private static final class ValuesRequest extends HttpServletRequestWrapper {
        ValuesRequest(HttpServletRequest request) {
            super(request);
        }

        @Override
        public HttpSession getSession(boolean create) {
            HttpSession s = super.getSession(create);
            return s == null ? null : new ValuesSession(s);
        }

        @Override
        public HttpSession getSession() {
            return getSession(true);
        }
    }

    /** Delegates everything; translates the attributes named in the class comment. */
    private record ValuesSession(HttpSession session) implements HttpSession {
        @Override
        public Object getAttribute(String name) {
            Object v = session.getAttribute(name);
            if (LAST_EXCEPTION.equals(name) && v instanceof String message) {
                return new StoredAuthenticationFailure(message);
            }
            return v;
        }

        @Override
        public void setAttribute(String name, Object value) {
            if (LAST_EXCEPTION.equals(name) && value instanceof AuthenticationException e) {
                session.setAttribute(name, e.getMessage() == null ? "" : e.getMessage());
                return;
            }
            session.setAttribute(name, value);
        }

        @Override
        public long getCreationTime() {
            return session.getCreationTime();
        }

        @Override
        public String getId() {
            return session.getId();
        }

        @Override
        public long getLastAccessedTime() {
            return session.getLastAccessedTime();
        }

        @Override
        public jakarta.servlet.ServletContext getServletContext() {
            return session.getServletContext();
        }

        @Override
        public void setMaxInactiveInterval(int interval) {
            session.setMaxInactiveInterval(interval);
        }

        @Override
        public int getMaxInactiveInterval() {
            return session.getMaxInactiveInterval();
        }

        @Override
        public Enumeration<String> getAttributeNames() {
            return session.getAttributeNames();
        }

        @Override
        public void removeAttribute(String name) {
            session.removeAttribute(name);
        }

        @Override
        public void invalidate() {
            session.invalidate();
        }

        @Override
        public boolean isNew() {
            return session.isNew();
        }

        @Override
        public String toString() {
            return session.toString();
        }
    }

    /** A failed login as read back from the session: its message only. */
    static final class StoredAuthenticationFailure extends AuthenticationException {
        private static final long serialVersionUID = 1L;

        StoredAuthenticationFailure(String message) {
            super(message);
        }
    }
}
