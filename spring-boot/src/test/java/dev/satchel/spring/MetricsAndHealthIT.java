package dev.satchel.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The meters and the health indicator of an application with Actuator, on embedded Tomcat. */
class MetricsAndHealthIT {

    @Test
    void sessionsStoreAndCacheAreMeasuredAndTheStoreIsHealthy() {
        try (RunningApp app = RunningApp.start(Map.of("satchel.cache.enabled", "true",
                "management.endpoint.health.show-details", "always"), TestApps.DefaultSecurity.class)) {
            Browser b = new Browser();
            assertEquals(302, FormLoginIT.logIn(app, b, "secret-password-1").statusCode());
            assertEquals("hello alice", app.get(b, "/hello"));
            FormLoginIT.logOut(app, b);

            MeterRegistry r = app.bean(MeterRegistry.class);
            assertEquals(1.0, r.get("satchel.sessions.created").counter().count());
            assertEquals(1.0, r.get("satchel.sessions.rotated").counter().count());
            assertEquals(1.0, r.get("satchel.sessions.destroyed").tag("reason", "invalidated").counter().count());
            assertTrue(r.get("satchel.store.operations").tag("operation", "create").tag("outcome", "success").timer().count() >= 2);
            assertTrue(r.get("satchel.store.operations").tag("operation", "delete").tag("outcome", "success").timer().count() >= 1);
            assertTrue(r.get("satchel.cache.requests").tag("result", "hit").counter().count() >= 1);

            Browser admin = new Browser();
            FormLoginIT.logIn(app, admin, "secret-password-1");
            String health = app.get(admin, "/actuator/health");
            assertTrue(java.util.regex.Pattern.compile("\"satchel\":\\{[^}]*\"status\":\"UP\"").matcher(health).find(), health);
        }
    }
}
