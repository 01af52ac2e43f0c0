package dev.satchel.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.CookieSpec;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Form login with CSRF, the id change and logout on embedded Jetty (12.1, ee11), over real HTTP. */
class JettyFormLoginIT {

    @Test
    void formLoginAndLogoutOnJetty() {
        try (RunningApp app = RunningApp.start(Map.of(), TestApps.DefaultSecurityOnJetty.class)) {
            Browser b = new Browser();
            assertEquals(302, b.get(app.url("/hello")).statusCode());
            String before = b.cookie(CookieSpec.DEFAULT_NAME);
            assertEquals(app.url("/hello?continue"),
                    FormLoginIT.logIn(app, b, "secret-password-1").headers().firstValue("Location").orElseThrow());
            assertNotEquals(before, b.cookie(CookieSpec.DEFAULT_NAME), "the session id changes at login");
            assertEquals("hello alice", app.get(b, "/hello?continue"));
            assertTrue(app.get(b, "/session").startsWith("dev.satchel."));
            assertEquals("[\"cup\"]", app.get(b, "/cart?add=cup"));
            String session = b.cookie(CookieSpec.DEFAULT_NAME);
            FormLoginIT.logOut(app, b);
            assertTrue(b.setCookies.get(b.setCookies.size() - 1).contains("Max-Age=0"), b.setCookies.toString());
            Browser replay = new Browser();
            replay.cookies.put(CookieSpec.DEFAULT_NAME, session);
            assertEquals(302, replay.get(app.url("/hello")).statusCode());
            assertTrue(((org.springframework.boot.web.server.context.WebServerApplicationContext) app.context).getWebServer()
                    .getClass().getName().contains("Jetty"), "runs on Jetty");
        }
    }
}
