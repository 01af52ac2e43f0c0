package dev.satchel.spring;

import jakarta.servlet.http.Cookie;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.springframework.security.web.savedrequest.RequestCache;
import org.springframework.security.web.savedrequest.SavedRequest;
import org.springframework.security.web.util.UrlUtils;
import org.springframework.web.util.UriComponentsBuilder;

/**
 * Remembers the page a user asked for before logging in — its URL, and nothing else. Spring Security's
 * {@code HttpSessionRequestCache} stores the whole request: every header and cookie, so the session store
 * would hold the request's own session cookie, any {@code Authorization} header and whatever other
 * credentials the browser sent. This one stores the URL as a string under {@value #ATTRIBUTE}; the
 * {@link SavedRequest} it gives back has no headers, cookies or locales, and parameters only from the URL's
 * query.
 *
 * <p>Saved: {@code GET} requests that are not XHR ({@code X-Requested-With: XMLHttpRequest}), do not ask only
 * for JSON, event streams or multipart, and are not for a {@code favicon} — what Spring Security's default
 * matcher saves. After the login the user is redirected to the URL with a {@code continue} parameter, and the
 * request carrying it takes the saved request out of the session, as with Spring Security's default. A URL
 * should not carry a credential: it is stored as sent.
 *
 * <p>Thread-safe.
 */
public final class SatchelRequestCache implements RequestCache {

    /** The session attribute holding the saved URL. */
    public static final String ATTRIBUTE = "satchel.security.saved-request";
    /** The parameter added to the URL the user is sent back to, which marks the request that takes it out. */
    public static final String MATCHING_PARAMETER = "continue";

    /** Created by the auto-configuration, or by an application configuring {@code http.requestCache(...)} itself. */
    public SatchelRequestCache() {}

    @Override
    public void saveRequest(HttpServletRequest request, HttpServletResponse response) {
        if (!worthSaving(request)) {
            return;
        }
        request.getSession().setAttribute(ATTRIBUTE, UrlUtils.buildFullRequestUrl(request));
    }

    @Override
    public SavedRequest getRequest(HttpServletRequest request, HttpServletResponse response) {
        String url = saved(request);
        return url == null ? null : new SavedUrl(url);
    }

    @Override
    public HttpServletRequest getMatchingRequest(HttpServletRequest request, HttpServletResponse response) {
        String query = request.getQueryString();
        if (query == null || !hasMatchingParameter(query)) {
            return null; // the usual case: no session lookup at all
        }
        String url = saved(request);
        if (url == null) {
            return null;
        }
        String current = UrlUtils.buildFullRequestUrl(request.getScheme(), request.getServerName(),
                request.getServerPort(), request.getRequestURI(), withoutMatchingParameter(query));
        if (!current.equals(url)) {
            return null;
        }
        removeRequest(request, response);
        return request; // a GET: nothing of the original request needs restoring
    }

    @Override
    public void removeRequest(HttpServletRequest request, HttpServletResponse response) {
        HttpSession session = request.getSession(false);
        if (session != null && session.getAttribute(ATTRIBUTE) != null) {
            session.removeAttribute(ATTRIBUTE);
        }
    }

    private static String saved(HttpServletRequest request) {
        HttpSession session = request.getSession(false);
        return session != null && session.getAttribute(ATTRIBUTE) instanceof String url ? url : null;
    }

    static boolean worthSaving(HttpServletRequest request) {
        if (!"GET".equals(request.getMethod())) {
            return false;
        }
        if ("XMLHttpRequest".equalsIgnoreCase(request.getHeader("X-Requested-With"))) {
            return false;
        }
        String uri = request.getRequestURI();
        int slash = uri.lastIndexOf('/');
        if (uri.startsWith("favicon.", slash + 1)) {
            return false;
        }
        String accept = request.getHeader("Accept");
        if (accept != null) {
            for (String part : accept.split(",")) {
                int semicolon = part.indexOf(';');
                String type = (semicolon < 0 ? part : part.substring(0, semicolon)).strip().toLowerCase(Locale.ROOT);
                if (type.equals("application/json") || type.equals("text/event-stream") || type.equals("multipart/form-data")) {
                    return false;
                }
            }
        }
        return true;
    }

    private static boolean hasMatchingParameter(String query) {
        for (String p : query.split("&")) {
            if (p.equals(MATCHING_PARAMETER) || p.startsWith(MATCHING_PARAMETER + "=")) {
                return true;
            }
        }
        return false;
    }

    private static String withoutMatchingParameter(String query) {
        StringBuilder kept = new StringBuilder();
        for (String p : query.split("&")) {
            if (!p.equals(MATCHING_PARAMETER) && !p.startsWith(MATCHING_PARAMETER + "=")) {
                kept.append(kept.length() == 0 ? "" : "&").append(p);
            }
        }
        return kept.length() == 0 ? null : kept.toString();
    }

    /** A saved URL: the redirect target, and the parameters of its query. */
    private static final class SavedUrl implements SavedRequest {
        private static final long serialVersionUID = 1L;
        private final String url;

        SavedUrl(String url) {
            this.url = Objects.requireNonNull(url);
        }

        @Override
        public String getRedirectUrl() {
            return UriComponentsBuilder.fromUriString(url).query(MATCHING_PARAMETER).build(true).toUriString();
        }

        @Override
        public List<Cookie> getCookies() {
            return List.of();
        }

        @Override
        public String getMethod() {
            return "GET";
        }

        @Override
        public List<String> getHeaderValues(String name) {
            return List.of();
        }

        @Override
        public Collection<String> getHeaderNames() {
            return List.of();
        }

        @Override
        public List<Locale> getLocales() {
            return List.of();
        }

        @Override
        public String[] getParameterValues(String name) {
            return getParameterMap().get(name);
        }

        @Override
        public Map<String, String[]> getParameterMap() {
            Map<String, String[]> map = new LinkedHashMap<>();
            UriComponentsBuilder.fromUriString(url).build().getQueryParams().forEach((k, v) -> {
                List<String> values = new ArrayList<>();
                for (String s : v) {
                    values.add(s == null ? "" : org.springframework.web.util.UriUtils.decode(s, java.nio.charset.StandardCharsets.UTF_8));
                }
                map.put(org.springframework.web.util.UriUtils.decode(k, java.nio.charset.StandardCharsets.UTF_8),
                        values.toArray(new String[0]));
            });
            return map;
        }

        @Override
        public String toString() {
            return "SavedUrl[" + url + "]";
        }
    }
}
