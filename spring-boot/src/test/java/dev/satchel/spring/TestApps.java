package dev.satchel.spring;

import jakarta.servlet.http.HttpServletRequest;
import java.security.Principal;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.SpringBootConfiguration;
import org.springframework.boot.autoconfigure.EnableAutoConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.stereotype.Component;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.annotation.SessionScope;

/** The Spring Boot applications the tests start. */
final class TestApps {

    private TestApps() {}

    /** A session-scoped bean: plain data, stored as JSON of its class. */
    @Component
    @SessionScope
    public static class Cart {
        private List<String> items = new ArrayList<>();

        public List<String> getItems() {
            return items;
        }

        public void setItems(List<String> items) {
            this.items = items;
        }

        /** Through a method: a scoped proxy's own fields are never the session's bean's. */
        public void add(String item) {
            items.add(item);
        }
    }

    @RestController
    static class Pages {
        @Autowired
        Cart cart;

        @GetMapping("/hello")
        String hello(Principal principal) {
            return "hello " + principal.getName();
        }

        @GetMapping("/session")
        String session(HttpServletRequest request) {
            return request.getSession().getClass().getName() + " " + request.getSession().getId();
        }

        @GetMapping("/cart")
        List<String> cart(@RequestParam(name = "add", required = false) String add) {
            if (add != null) {
                cart.add(add);
            }
            return cart.getItems();
        }
    }

    /** Embedded Tomcat (Boot would pick Jetty, also on the test class path). */
    static class OnTomcat {
        @Bean
        org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory tomcat() {
            return new org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory();
        }
    }

    /** Embedded Jetty. */
    static class OnJetty {
        @Bean
        org.springframework.boot.jetty.servlet.JettyServletWebServerFactory jetty() {
            return new org.springframework.boot.jetty.servlet.JettyServletWebServerFactory();
        }
    }

    /** Boot's defaults: everything authenticated, form login, HTTP basic, CSRF, logout; the user from spring.security.user.*. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import({Pages.class, Cart.class, OnTomcat.class})
    static class DefaultSecurity {}

    /** The same on Jetty. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import({Pages.class, Cart.class, OnJetty.class})
    static class DefaultSecurityOnJetty {}

    /** One session per user: a second login expires the first. */
    @SpringBootConfiguration
    @EnableAutoConfiguration
    @Import({Pages.class, Cart.class, OnTomcat.class})
    static class OneSessionPerUser {
        @Bean
        SecurityFilterChain chain(HttpSecurity http) throws Exception {
            http.authorizeHttpRequests(a -> a.anyRequest().authenticated())
                    .formLogin(f -> {})
                    .sessionManagement(s -> s.maximumSessions(1));
            return http.build();
        }
    }
}
