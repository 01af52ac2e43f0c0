package dev.satchel.spring;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;
import org.springframework.web.context.annotation.SessionScope;

/** A session-scoped bean that JSON cannot carry fails the startup, saying what to change. */
class SessionScopedBeanRefusedIT {

    @Component
    @SessionScope
    public static class Wizard {
        @Autowired
        Environment environment;
        public int step;
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import({Wizard.class, TestApps.OnTomcat.class})
    static class App {}

    @Test
    void anInjectedSessionScopedBeanFailsTheStartup() {
        Throwable e = assertThrows(Throwable.class, () -> RunningApp.start(Map.of(), App.class).close());
        StringBuilder messages = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            messages.append(t.getMessage()).append('\n');
        }
        assertTrue(messages.toString().contains("scopedTarget.dev.satchel.spring.SessionScopedBeanRefusedIT$Wizard'") && messages.toString().contains("field 'environment' is injected")
                && messages.toString().contains("satchel.attribute-types"), messages.toString());
    }
}
