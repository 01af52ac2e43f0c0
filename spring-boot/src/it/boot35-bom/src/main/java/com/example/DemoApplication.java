package com.example;

import jakarta.servlet.http.HttpSession;
import java.security.Principal;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** A new Boot application: Satchel's starter, Boot's default security, one property (the key). */
@SpringBootApplication
public class DemoApplication {

    public static void main(String[] args) {
        SpringApplication.run(DemoApplication.class, args);
    }

    @RestController
    static class Visits {
        @GetMapping("/visits")
        String visits(Principal principal, HttpSession session) {
            Integer n = (Integer) session.getAttribute("visits");
            n = n == null ? 1 : n + 1;
            session.setAttribute("visits", n);
            return principal.getName() + " " + n;
        }
    }
}
