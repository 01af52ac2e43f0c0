package dev.satchel.servlet;

import dev.satchel.HttpSessions;
import jakarta.servlet.http.HttpSessionAttributeListener;
import jakarta.servlet.http.HttpSessionIdListener;
import jakarta.servlet.http.HttpSessionListener;
import java.util.EventListener;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** What a {@link SatchelSessionFilter} was configured with. Immutable but for the set of warnings given. */
final class FilterSettings {

    final HttpSessions sessions;
    final Map<String, AttributeType> types;
    final int storeFailureStatus;
    final List<HttpSessionListener> sessionListeners;
    final List<HttpSessionAttributeListener> attributeListeners;
    final List<HttpSessionIdListener> idListeners;
    /** Whether some declared type reads back as a binding listener. */
    final boolean bindingTypes;
    /** Attribute names already warned about (an undeclared non-JSON value): one warning per name. */
    final Set<String> warned = ConcurrentHashMap.newKeySet();

    FilterSettings(HttpSessions sessions, Map<String, AttributeType> types, List<EventListener> listeners,
            int storeFailureStatus) {
        this.sessions = sessions;
        this.types = Map.copyOf(types);
        this.storeFailureStatus = storeFailureStatus;
        this.sessionListeners = only(listeners, HttpSessionListener.class);
        this.attributeListeners = only(listeners, HttpSessionAttributeListener.class);
        this.idListeners = only(listeners, HttpSessionIdListener.class);
        this.bindingTypes = this.types.values().stream().anyMatch(AttributeType::mayBeBindingListener);
    }

    private static <T> List<T> only(List<EventListener> listeners, Class<T> kind) {
        return listeners.stream().filter(kind::isInstance).map(kind::cast).toList();
    }

    /** Whether {@code listener} is of a kind the filter can call. */
    static boolean isSessionListener(EventListener listener) {
        return listener instanceof HttpSessionListener || listener instanceof HttpSessionAttributeListener
                || listener instanceof HttpSessionIdListener;
    }
}
