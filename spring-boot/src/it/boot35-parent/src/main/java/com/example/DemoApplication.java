package com.example;

import jakarta.servlet.http.HttpSession;
import java.security.Principal;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.security.web.csrf.CsrfToken;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

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

    /** Post/redirect/get with a flash attribute (Spring MVC's RedirectAttributes). */
    @Controller
    static class Notes {
        @GetMapping("/csrf")
        @ResponseBody
        String csrf(CsrfToken token) {
            return token.getToken();
        }

        @PostMapping("/notes")
        String add(@RequestParam("text") String text, RedirectAttributes redirect) {
            redirect.addFlashAttribute("message", "Saved " + text);
            return "redirect:/notes";
        }

        @GetMapping("/notes")
        @ResponseBody
        String notes(Model model) {
            return "message=" + model.getAttribute("message");
        }
    }
}
