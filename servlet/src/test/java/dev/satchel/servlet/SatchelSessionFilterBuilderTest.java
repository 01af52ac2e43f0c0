package dev.satchel.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.satchel.HttpSessions;
import dev.satchel.InMemorySessionManager;
import dev.satchel.SessionManager;
import dev.satchel.SigningKeys;
import jakarta.servlet.http.HttpSessionListener;
import java.util.EventListener;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.core.type.TypeReference;

/** The builder's rules; the filter's behaviour is tested over HTTP in the servlet/tests-* modules. */
class SatchelSessionFilterBuilderTest {

    private final SessionManager manager = InMemorySessionManager.builder().withoutBackgroundSweeper().build();
    private final HttpSessions sessions = HttpSessions.builder().manager(manager)
            .signingKeys(SigningKeys.fromBase64(SigningKeys.generateBase64Key())).build();

    @AfterEach
    void close() {
        manager.close();
    }

    @Test
    void anAttributeIsDeclaredOnce() {
        SatchelSessionFilter.Builder b = SatchelSessionFilter.builder(sessions).attribute("cart", List.class);
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> b.attribute("cart", new TypeReference<List<String>>() {}));
        assertEquals("attribute 'cart' was already declared as java.util.List", e.getMessage());
    }

    @Test
    void primitivesAndNullsAreRefusedAtTheCall() {
        SatchelSessionFilter.Builder b = SatchelSessionFilter.builder(sessions);
        assertEquals("declare the boxed type instead of int: attribute values are objects",
                assertThrows(IllegalArgumentException.class, () -> b.attribute("n", int.class)).getMessage());
        assertEquals("name", assertThrows(NullPointerException.class, () -> b.attribute(null, String.class)).getMessage());
        assertEquals("type", assertThrows(NullPointerException.class, () -> b.attribute("n", (Class<?>) null)).getMessage());
        assertEquals("listener", assertThrows(NullPointerException.class, () -> b.listener(null)).getMessage());
        assertEquals("sessions", assertThrows(NullPointerException.class, () -> SatchelSessionFilter.builder(null)).getMessage());
    }

    @Test
    void onlySessionListenersAreAccepted() {
        SatchelSessionFilter.Builder b = SatchelSessionFilter.builder(sessions);
        EventListener other = new EventListener() {};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> b.listener(other));
        assertEquals(other.getClass().getName()
                + " is not an HttpSessionListener, HttpSessionAttributeListener or HttpSessionIdListener", e.getMessage());
        b.listener(new HttpSessionListener() {});
    }

    @Test
    void theStoreFailureStatusIsSetOnceAndIsAnError() {
        SatchelSessionFilter.Builder b = SatchelSessionFilter.builder(sessions);
        assertEquals("the store failure status must be 4xx or 5xx, was 200",
                assertThrows(IllegalArgumentException.class, () -> b.storeFailureStatus(200)).getMessage());
        b.storeFailureStatus(500);
        assertEquals("the store failure status was already set to 500",
                assertThrows(IllegalStateException.class, () -> b.storeFailureStatus(503)).getMessage());
    }

    @Test
    void buildLeavesTheBuilderAsItWas() {
        SatchelSessionFilter.Builder b = SatchelSessionFilter.builder(sessions).attribute("a", String.class);
        FilterSettings first = b.settings();
        b.attribute("b", String.class);
        assertEquals(1, first.types.size());
        assertEquals(503, first.storeFailureStatus);
        assertNotSame(b.build(), b.build());
    }
}
