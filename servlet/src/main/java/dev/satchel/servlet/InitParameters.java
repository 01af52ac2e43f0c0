package dev.satchel.servlet;

import dev.satchel.HttpSessions;
import jakarta.servlet.FilterConfig;
import jakarta.servlet.ServletException;
import java.util.EventListener;

/** Builds a filter's settings from its init parameters (see {@link SatchelSessionFilter}). */
final class InitParameters {

    private InitParameters() {}

    static FilterSettings read(FilterConfig config) throws ServletException {
        String attribute = valueOr(config, SatchelSessionFilter.SESSIONS_ATTRIBUTE_PARAMETER,
                SatchelSessionFilter.DEFAULT_SESSIONS_ATTRIBUTE);
        Object sessions = config.getServletContext().getAttribute(attribute);
        if (!(sessions instanceof HttpSessions httpSessions)) {
            throw new ServletException("SatchelSessionFilter needs an HttpSessions in the servlet context attribute '"
                    + attribute + "' (set it from a ServletContextListener), or build the filter with "
                    + "SatchelSessionFilter.builder(sessions); found " + (sessions == null ? "nothing" : sessions.getClass().getName()));
        }
        SatchelSessionFilter.Builder b = SatchelSessionFilter.builder(httpSessions);
        ClassLoader loader = Thread.currentThread().getContextClassLoader();
        try {
            for (String pair : list(config.getInitParameter(SatchelSessionFilter.ATTRIBUTE_TYPES_PARAMETER))) {
                int eq = pair.indexOf('=');
                if (eq <= 0 || eq == pair.length() - 1) {
                    throw new ServletException(SatchelSessionFilter.ATTRIBUTE_TYPES_PARAMETER
                            + " takes name=class pairs separated by commas, found '" + pair + "'");
                }
                b.attribute(pair.substring(0, eq).trim(), load(pair.substring(eq + 1).trim(), loader));
            }
            for (String name : list(config.getInitParameter(SatchelSessionFilter.LISTENERS_PARAMETER))) {
                Object listener = load(name, loader).getDeclaredConstructor().newInstance();
                if (!(listener instanceof EventListener l) || !FilterSettings.isSessionListener(l)) {
                    throw new ServletException(name + " is not an HttpSessionListener, HttpSessionAttributeListener or HttpSessionIdListener");
                }
                b.listener(l);
            }
            String status = config.getInitParameter(SatchelSessionFilter.STORE_FAILURE_STATUS_PARAMETER);
            if (status != null) {
                b.storeFailureStatus(Integer.parseInt(status.trim()));
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            throw new ServletException("SatchelSessionFilter's init parameters are wrong: " + e, e);
        }
        return b.settings();
    }

    private static Class<?> load(String name, ClassLoader loader) throws ClassNotFoundException {
        return Class.forName(name, false, loader);
    }

    private static String valueOr(FilterConfig config, String name, String fallback) {
        String v = config.getInitParameter(name);
        return v == null || v.isBlank() ? fallback : v.trim();
    }

    private static String[] list(String value) {
        if (value == null || value.isBlank()) {
            return new String[0];
        }
        return value.trim().split("\\s*,\\s*");
    }
}
