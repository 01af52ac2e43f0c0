package dev.satchel.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The curl walk-through of {@code demo/README.md}, run as written with {@code bash} against a demo started
 * in-process on a free port ({@code PORT} set, as the block reads it), so the README cannot drift from
 * what the demo does.
 */
class ReadmeWalkthroughIT {

    private DemoServer demo;

    @AfterEach
    void stop() {
        if (demo != null) {
            demo.close();
        }
    }

    @Test
    @DisplayName("the README's curl walk-through runs as written and prints what it says")
    void walkThroughRunsAsWritten() throws Exception {
        Path module = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();
        String readme = Files.readString(module.resolve("README.md"));
        int section = readme.indexOf("## Walk-through with curl");
        assertTrue(section >= 0, "the README has the walk-through");
        int start = readme.indexOf("```sh\n", section) + "```sh\n".length();
        String script = readme.substring(start, readme.indexOf("```", start));
        if (!Files.isExecutable(Path.of("/usr/bin/curl"))) {
            fail("The walk-through needs curl: apt-get install curl (.ci/run installs it)");
        }
        Path work = Files.createDirectories(module.resolve("target").resolve("readme-it"));
        Path data = Files.createTempDirectory(work, "demo-data-");
        demo = DemoServer.start(DemoOptions.parse(new String[] {"--port", "0", "--dir", data.toString()}, Map.of()),
                Map.of());
        Path file = work.resolve("walkthrough.sh");
        Files.writeString(file, script);
        ProcessBuilder pb = new ProcessBuilder(List.of("bash", "-eu", file.toString()))
                .directory(Files.createTempDirectory(work, "cwd-").toFile()).redirectErrorStream(true);
        pb.environment().put("PORT", Integer.toString(demo.port()));
        Process bash = pb.start();
        String output = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(bash.waitFor(60, TimeUnit.SECONDS), "the walk-through finished");
        assertEquals(0, bash.exitValue(), "every command of the walk-through succeeded:\n" + output);
        for (String expected : new String[] {"Hello, stranger! Come back", "Welcome back. Your last visit was at ",
                "You have been counted 1 time.", "HTTP/1.1 303 See Other", "Location: /",
                "Set-cookie: satchel-demo=", "Welcome back, alice.", "{\"hits\":", "Max-Age=0",
                "Your session is gone", "HTTP/1.1 403 Forbidden", "HTTP/1.1 200 OK"}) {
            assertTrue(output.contains(expected), "the walk-through printed '" + expected + "':\n" + output);
        }
    }
}
