package dev.satchel.spring;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Session;
import dev.satchel.SessionManager;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.servlet.FlashMapManager;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/** Spring MVC's post/redirect/get with flash attributes, over real HTTP on embedded Tomcat. */
class FlashAttributesIT {

    /** An object of the application's: not JSON-shaped, refused as a flash attribute. */
    public record Item(String name) {}

    @Controller
    static class Items {
        @PostMapping("/items")
        String add(@RequestParam("name") String name, RedirectAttributes redirect) {
            redirect.addFlashAttribute("message", "Added " + name);
            redirect.addFlashAttribute("count", 3);
            redirect.addAttribute("tab", "recent");
            return "redirect:/items";
        }

        @PostMapping("/items/object")
        String addObject(RedirectAttributes redirect) {
            redirect.addFlashAttribute("item", new Item("apple"));
            return "redirect:/items";
        }

        @GetMapping("/items")
        @ResponseBody
        String list(Model model) {
            return "message=" + model.getAttribute("message") + " count=" + model.getAttribute("count");
        }
    }

    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import({Items.class, TestApps.OnTomcat.class})
    static class App {
        @Bean
        SecurityFilterChain open(HttpSecurity http) throws Exception {
            http.authorizeHttpRequests(a -> a.anyRequest().permitAll()).csrf(c -> c.disable());
            return http.build();
        }
    }

    @Test
    void aFlashAttributeIsShownOnceAfterTheRedirectAndStoredAsPlainJson() {
        try (RunningApp app = RunningApp.start(Map.of(), App.class)) {
            assertInstanceOf(SatchelFlashMapManager.class, app.context.getBean("flashMapManager", FlashMapManager.class));
            Browser b = new Browser();
            HttpResponse<String> post = b.post(app.url("/items"), Map.of("name", "apple"));
            assertEquals(302, post.statusCode(), post.body());
            String location = post.headers().firstValue("Location").orElseThrow();
            assertTrue(location.endsWith("/items?tab=recent"), location);

            String sid = b.cookie(FormLoginIT.COOKIE).split("!", 2)[0];
            Session stored = app.bean(SessionManager.class).get(sid).orElseThrow();
            String json = stored.getJson(SatchelFlashMapManager.ATTRIBUTE);
            assertTrue(json.matches("\\[\\{\"path\":\"/items\",\"params\":\\{\"tab\":\\[\"recent\"]},\"expires\":\\d+,"
                    + "\"attributes\":\\{\"message\":\"Added apple\",\"count\":3}}]"), json);

            assertEquals("message=Added apple count=3", app.get(b, "/items?tab=recent"));
            assertEquals("message=null count=null", app.get(b, "/items?tab=recent"), "a flash attribute is shown once");
            assertEquals(null, app.bean(SessionManager.class).get(sid).orElseThrow()
                    .getJson(SatchelFlashMapManager.ATTRIBUTE), "the used flash map is removed from the session");
        }
    }

    @Test
    void aFlashAttributeThatIsNotJsonShapedFailsTheRequestNamingItAndItsType() {
        try (RunningApp app = RunningApp.start(Map.of(), App.class)) {
            Browser b = new Browser();
            assertEquals(500, b.post(app.url("/items/object"), Map.of()).statusCode());
        }
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> {
            org.springframework.web.servlet.FlashMap m = new org.springframework.web.servlet.FlashMap();
            m.put("item", new Item("apple"));
            SatchelFlashMapManager.write(m);
        });
        assertTrue(e.getMessage().startsWith("flash attribute 'item' holds a " + Item.class.getName()), e.getMessage());
    }
}
