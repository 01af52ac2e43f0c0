package dev.satchel.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The demo in a real browser: Debian's headless Chromium, driven by Selenium through Debian's chromedriver
 * (given by path, so Selenium Manager never runs and nothing is downloaded). First visit, revisit, the
 * cache counters refreshed by the page's script under the strict CSP, login (the id change shown),
 * logout (the expiring cookie, the document gone), a tampered cookie refused. Screenshots of each step go
 * to {@code target/screenshots/}; the browser's profile and the demo's data stay under {@code target/}.
 */
class BrowserIT {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration WAIT = Duration.ofSeconds(20);

    private static Path target;

    private DemoServer demo;
    private ChromeDriverService service;
    private WebDriver browser;

    @BeforeAll
    static void requireChromium() {
        if (!Files.isExecutable(CHROMIUM) || !Files.isExecutable(CHROMEDRIVER)) {
            fail("The browser test needs " + CHROMIUM + " and " + CHROMEDRIVER
                    + ": apt-get install chromium chromium-driver (Debian; .ci/run installs them)");
        }
        target = Path.of(System.getProperty("basedir", ".")).toAbsolutePath().resolve("target");
    }

    @BeforeEach
    void start() throws IOException {
        Path run = Files.createDirectories(target.resolve("browser-it"));
        Path data = Files.createTempDirectory(run, "demo-data-");
        demo = DemoServer.start(DemoOptions.parse(new String[] {"--port", "0", "--dir", data.toString()}, Map.of()),
                Map.of());
        service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .withLogFile(run.resolve("chromedriver.log").toFile())
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
                "--window-size=1000,1400",
                "--user-data-dir=" + Files.createTempDirectory(run, "chromium-profile-"));
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        browser = new ChromeDriver(service, options);
        browser.manage().timeouts().pageLoadTimeout(WAIT);
    }

    @AfterEach
    void stop() {
        if (browser != null) {
            browser.quit();
        }
        if (service != null) {
            service.stop();
        }
        if (demo != null) {
            demo.close();
        }
    }

    @Test
    @DisplayName("first visit, revisit, live counters, login with a new id, logout, a tampered cookie refused")
    void walkThrough() throws Exception {
        String base = "http://127.0.0.1:" + demo.port();
        browser.get(base + "/");
        assertEquals("Hello, stranger! You are not logged in.", text("greeting"));
        assertTrue(message().startsWith("Hello, stranger!"), message());
        String first = cookie();
        assertEquals(first.substring(0, 22), text("cookie-sid"), "the page takes the browser's cookie apart");
        assertEquals(first.substring(23), text("cookie-digest"));
        assertTrue(text("stored-document").contains("\"id\":\"" + first.substring(0, 22) + "\""));
        assertTrue(text("stored-document").contains("\"randval\":\"\u2022\u2022\u2022\u2022 masked"), "randval masked");
        screenshot("01-first-visit");

        browser.get(base + "/");
        assertTrue(message().startsWith("Welcome back. Your last visit was at "), message());
        assertEquals(first, cookie(), "the same session");
        screenshot("02-revisit");

        // The counters refresh themselves: a request from elsewhere shows up without a reload.
        long hits = Long.parseLong(statCell("hits"));
        HttpResponse<String> outside = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(base + "/count"))
                .header("Cookie", DemoServer.COOKIE_NAME + "=" + first).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(200, outside.statusCode());
        new WebDriverWait(browser, WAIT).until(b -> Long.parseLong(statCell("hits")) > hits);
        assertTrue(text("cache-stats-status").startsWith("Updated at "), text("cache-stats-status"));

        browser.findElement(By.id("user")).sendKeys("alice");
        browser.findElement(By.id("login")).click();
        new WebDriverWait(browser, WAIT).until(b -> !b.findElements(By.id("id-after")).isEmpty());
        assertEquals(base + "/", browser.getCurrentUrl(), "redirected to the home page after the POST");
        assertEquals("Hello, alice!", text("greeting"));
        String loggedIn = cookie();
        assertNotEquals(first.substring(0, 22), loggedIn.substring(0, 22), "a new id at login");
        assertEquals(first.substring(0, 22), text("id-before"));
        assertEquals(loggedIn.substring(0, 22), text("id-after"));
        assertTrue(text("stored-document").contains("\"principal\":\"alice\""), text("stored-document"));
        screenshot("03-logged-in");

        browser.findElement(By.id("logout")).click();
        new WebDriverWait(browser, WAIT).until(b -> !b.findElements(By.id("expiring-cookie")).isEmpty());
        assertTrue(text("expiring-cookie").startsWith("Set-Cookie: " + DemoServer.COOKIE_NAME + "=;"));
        assertTrue(text("expiring-cookie").contains("Max-Age=0"));
        assertEquals(loggedIn.substring(0, 22), text("logged-out-id"));
        assertTrue(text("stored-gone").startsWith("Nothing"), "the document is gone");
        assertNull(browser.manage().getCookieNamed(DemoServer.COOKIE_NAME), "the browser dropped the cookie");
        assertEquals("Hello, stranger! You are not logged in.", text("greeting"));
        screenshot("04-logged-out");

        browser.get(base + "/");
        String fresh = cookie();
        char last = fresh.charAt(fresh.length() - 1);
        String tampered = fresh.substring(0, fresh.length() - 1) + (last == 'A' ? 'B' : 'A');
        browser.manage().deleteCookieNamed(DemoServer.COOKIE_NAME);
        browser.manage().addCookie(new Cookie.Builder(DemoServer.COOKIE_NAME, tampered).path("/").isHttpOnly(true)
                .sameSite("Lax").build());
        browser.get(base + "/");
        assertTrue(text("main").contains("did not verify"), "the page says the cookie was refused");
        assertTrue(message().startsWith("Hello, stranger!"), message());
        assertNotEquals(fresh.substring(0, 22), cookie().substring(0, 22), "a new session, never the old one");
        screenshot("05-tampered-cookie");

        List<LogEntry> problems = browser.manage().logs().get(LogType.BROWSER).getAll().stream()
                .filter(e -> e.getLevel().intValue() >= Level.WARNING.intValue()).toList();
        assertTrue(problems.isEmpty(), "no console errors (a CSP violation would be one): " + problems);
    }

    private String text(String id) {
        return browser.findElement(By.id(id)).getText().trim();
    }

    private String message() {
        return browser.findElement(By.className("message")).getText().trim();
    }

    private String statCell(String key) {
        return browser.findElement(By.cssSelector("#cache-stats [data-stat='" + key + "']")).getText().trim();
    }

    /** The value of the demo's cookie in the browser (HttpOnly: read through the driver, not the page). */
    private String cookie() {
        Cookie c = browser.manage().getCookieNamed(DemoServer.COOKIE_NAME);
        assertNotNull(c, "the browser holds the demo's cookie");
        assertTrue(c.isHttpOnly());
        assertFalse(c.isSecure(), "plain HTTP on loopback");
        return c.getValue();
    }

    private void screenshot(String name) throws IOException {
        Path dir = Files.createDirectories(target.resolve("screenshots"));
        Files.write(dir.resolve(name + ".png"),
                ((org.openqa.selenium.TakesScreenshot) browser).getScreenshotAs(OutputType.BYTES));
    }
}
