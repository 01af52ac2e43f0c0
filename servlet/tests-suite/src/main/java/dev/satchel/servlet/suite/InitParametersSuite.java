package dev.satchel.servlet.suite;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.CookieSpec;
import dev.satchel.HttpSessions;
import dev.satchel.SessionManager;
import dev.satchel.SigningKeys;
import dev.satchel.servlet.SatchelSessionFilter;
import dev.satchel.servlet.suite.Values.Cart;
import dev.satchel.store.file.FileBackedSessionManager;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContainerInitializer;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletRegistration;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The filter as a container creates it ({@code addFilter(name, SatchelSessionFilter.class)}, as from
 * {@code web.xml}), configured by init parameters, over the file store: the {@code HttpSessions} comes
 * from the servlet context attribute an application's listener sets.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class InitParametersSuite {

    private final Container.Starter starter;
    private SessionManager files;
    private Container container;
    private Http http;

    protected InitParametersSuite(Container.Starter starter) {
        this.starter = starter;
    }

    @BeforeAll
    void start() throws Exception {
        Path dir = Files.createTempDirectory(Path.of("target").toAbsolutePath(), "sessions");
        files = FileBackedSessionManager.builder(dir).withoutBackgroundSweeper().build();
        HttpSessions sessions = HttpSessions.builder().manager(files)
                .signingKeys(SigningKeys.fromBase64(SigningKeys.generateBase64Key()))
                .cookie(CookieSpec.named("SID")).build();
        container = starter.start(new App(sessions), "/s/error");
        http = new Http(container.port());
    }

    @AfterAll
    void stop() throws Exception {
        if (container != null) {
            container.close();
        }
        if (files != null) {
            files.close();
        }
    }

    @Test
    void declaredTypesAndListenersComeFromTheInitParameters() throws Exception {
        EventLog.clear();
        Http.Response set = http.get("/s/cart");
        assertEquals("same=true", set.text(), set::toString);
        String cookie = set.cookie("SID");
        assertEquals("items=[book, pen];same=true;gift=LinkedHashMap;count=Integer", http.get("/s/cart-read", cookie).text());
        Http.Response gone = http.get("/s/invalidate", cookie);
        assertEquals(1, gone.sessionCookies("SID").size(), gone::toString);
        assertTrue(EventLog.events().containsAll(List.of("created", "added cart", "destroyed user=null", "removed cart")),
                EventLog.events()::toString);
    }

    @Test
    void theFileStoreKeepsTheSessionBetweenRequests() throws Exception {
        String cookie = http.get("/s/set?user=ivy").cookie("SID");
        assertTrue(http.get("/s/get?name=user", cookie).text().startsWith("ivy;requested=true;valid=true"));
    }

    /** Sets the context attribute, then lets the container create and configure the filter. */
    static final class App implements ServletContainerInitializer {
        private final HttpSessions sessions;

        App(HttpSessions sessions) {
            this.sessions = sessions;
        }

        @Override
        public void onStartup(Set<Class<?>> classes, ServletContext context) {
            context.setAttribute(SatchelSessionFilter.DEFAULT_SESSIONS_ATTRIBUTE, sessions);
            FilterRegistration.Dynamic f = context.addFilter("satchel", SatchelSessionFilter.class);
            f.setAsyncSupported(true);
            f.setInitParameter(SatchelSessionFilter.ATTRIBUTE_TYPES_PARAMETER, "cart = " + Cart.class.getName());
            f.setInitParameter(SatchelSessionFilter.LISTENERS_PARAMETER, EventLog.class.getName());
            f.setInitParameter(SatchelSessionFilter.STORE_FAILURE_STATUS_PARAMETER, "503");
            f.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST, DispatcherType.FORWARD,
                    DispatcherType.ASYNC, DispatcherType.ERROR), true, "/*");
            ServletRegistration.Dynamic s = context.addServlet("scenarios", new SuiteApp.Scenarios());
            s.setAsyncSupported(true);
            s.addMapping("/s/*");
        }
    }
}
