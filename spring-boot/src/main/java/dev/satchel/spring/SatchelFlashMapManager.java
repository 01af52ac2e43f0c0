package dev.satchel.spring;

import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpSession;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.util.LinkedMultiValueMap;
import org.springframework.util.MultiValueMap;
import org.springframework.web.servlet.FlashMap;
import org.springframework.web.servlet.support.AbstractFlashMapManager;

/**
 * Spring MVC's flash attributes ({@code RedirectAttributes.addFlashAttribute}, post/redirect/get) in the Satchel
 * session as plain JSON. Spring's {@code SessionFlashMapManager} stores {@link FlashMap} objects, which do not
 * survive JSON (a map subclass with fields of its own); this one stores, under {@value #ATTRIBUTE}, a list of
 * <pre>{"path":"/done","params":{"tab":["2"]},"expires":1764633600000,"attributes":{"message":"Saved"}}</pre>
 * ({@code path} and {@code params}: the redirect's target, which the next request must match; {@code expires}:
 * epoch milliseconds, {@code -1} for none). Spring's own rules choose which flash map a request gets and drop it
 * after that request or at expiry.
 *
 * <p>Attribute values must be JSON-shaped, so the next request gets what this one put: {@code String},
 * {@code Boolean}, a number ({@code Integer}, {@code Long}, {@code Double}, ...), {@code null}, a {@code List}
 * (or other collection, or an array) or a {@code Map} with {@code String} keys of those. They come back as Jackson
 * reads untyped JSON ({@code Integer} or {@code Long} by size, {@code Double}, {@code ArrayList},
 * {@code LinkedHashMap}). Anything else (an object of the application's) is refused when the redirect is sent,
 * with an {@link IllegalArgumentException} naming the attribute and its type: store an id and load the object
 * on the next request.
 *
 * <p>Thread-safe. Two requests of one session saving flash maps at once: the later write wins (the session's
 * per-attribute merge), as with Spring's manager across cluster nodes. A stored entry that is not of the shape
 * above (written by other code) is ignored and logged once.
 */
final class SatchelFlashMapManager extends AbstractFlashMapManager {

    /** The session attribute holding the flash maps. */
    static final String ATTRIBUTE = "satchel.flash";

    private static final Logger LOG = LoggerFactory.getLogger(SatchelFlashMapManager.class);
    private static volatile boolean warned;

    @Override
    protected List<FlashMap> retrieveFlashMaps(HttpServletRequest request) {
        HttpSession session = request.getSession(false);
        if (session == null) {
            return null;
        }
        Object stored = session.getAttribute(ATTRIBUTE);
        if (stored == null) {
            return null;
        }
        List<FlashMap> maps = stored instanceof List<?> list ? read(list) : null;
        if (maps == null && !warned) {
            warned = true;
            LOG.warn("The session attribute '{}' is not a list of flash maps as Satchel stores them; it is ignored",
                    ATTRIBUTE);
        }
        return maps;
    }

    /**
     * None: each request has its own working copy of the session, so a lock would guard nothing (Spring's
     * default, one lock for the whole application, would make the requests of every session wait for each other).
     */
    @Override
    protected Object getFlashMapsMutex(HttpServletRequest request) {
        return null;
    }

    @Override
    protected void updateFlashMaps(List<FlashMap> flashMaps, HttpServletRequest request, HttpServletResponse response) {
        if (flashMaps.isEmpty()) {
            HttpSession session = request.getSession(false);
            if (session != null && session.getAttribute(ATTRIBUTE) != null) {
                session.removeAttribute(ATTRIBUTE);
            }
            return;
        }
        List<Map<String, Object>> stored = new ArrayList<>(flashMaps.size());
        for (FlashMap m : flashMaps) {
            stored.add(write(m));
        }
        request.getSession().setAttribute(ATTRIBUTE, stored);
    }

    /** The JSON-shaped form of {@code map}; throws IllegalArgumentException for an attribute that is not JSON-shaped. */
    static Map<String, Object> write(FlashMap map) {
        Map<String, Object> attributes = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : map.entrySet()) {
            checkJsonShaped(e.getKey(), e.getValue());
            attributes.put(e.getKey(), e.getValue());
        }
        Map<String, List<String>> params = new LinkedHashMap<>();
        for (Map.Entry<String, List<String>> e : map.getTargetRequestParams().entrySet()) {
            params.put(e.getKey(), new ArrayList<>(e.getValue()));
        }
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("path", map.getTargetRequestPath());
        out.put("params", params);
        out.put("expires", map.getExpirationTime());
        out.put("attributes", attributes);
        return out;
    }

    /** The flash maps {@code stored} holds, or null if it is not of the shape {@link #write} gives. */
    static List<FlashMap> read(List<?> stored) {
        List<FlashMap> maps = new ArrayList<>(stored.size());
        for (Object o : stored) {
            if (!(o instanceof Map<?, ?> m) || !(m.get("attributes") instanceof Map<?, ?> attributes)
                    || !(m.get("params") instanceof Map<?, ?> params) || !(m.get("expires") instanceof Number expires)
                    || (m.get("path") != null && !(m.get("path") instanceof String))) {
                return null;
            }
            FlashMap map = new FlashMap();
            map.setTargetRequestPath((String) m.get("path"));
            MultiValueMap<String, String> target = new LinkedMultiValueMap<>();
            for (Map.Entry<?, ?> p : params.entrySet()) {
                if (!(p.getKey() instanceof String name) || !(p.getValue() instanceof List<?> values)) {
                    return null;
                }
                for (Object v : values) {
                    if (!(v instanceof String value)) {
                        return null;
                    }
                    target.add(name, value);
                }
            }
            map.addTargetRequestParams(target);
            map.setExpirationTime(expires.longValue());
            for (Map.Entry<?, ?> a : attributes.entrySet()) {
                if (!(a.getKey() instanceof String name)) {
                    return null;
                }
                map.put(name, a.getValue());
            }
            maps.add(map);
        }
        return maps;
    }

    private static void checkJsonShaped(String name, Object value) {
        if (!isJsonShaped(value, 0)) {
            throw new IllegalArgumentException("flash attribute '" + name + "' holds a " + value.getClass().getName()
                    + ", which the next request would not get back: Satchel stores flash attributes as JSON; use a "
                    + "String, Boolean, number, or a List or Map (String keys) of those, for example an id to load "
                    + "the object by");
        }
    }

    private static boolean isJsonShaped(Object value, int depth) {
        if (depth > 64) {
            return false;
        }
        if (value == null || value instanceof String || value instanceof Boolean || value instanceof Integer
                || value instanceof Long || value instanceof Short || value instanceof Byte || value instanceof Double
                || value instanceof Float || value instanceof BigInteger || value instanceof BigDecimal) {
            return true;
        }
        if (value instanceof Iterable<?> items) {
            for (Object item : items) {
                if (!isJsonShaped(item, depth + 1)) {
                    return false;
                }
            }
            return true;
        }
        if (value instanceof Object[] items) {
            for (Object item : items) {
                if (!isJsonShaped(item, depth + 1)) {
                    return false;
                }
            }
            return true;
        }
        if (value instanceof Map<?, ?> map) {
            for (Map.Entry<?, ?> e : map.entrySet()) {
                if (!(e.getKey() instanceof String) || !isJsonShaped(e.getValue(), depth + 1)) {
                    return false;
                }
            }
            return true;
        }
        return false;
    }
}
