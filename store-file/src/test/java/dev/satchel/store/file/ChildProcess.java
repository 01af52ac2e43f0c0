package dev.satchel.store.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Child processes of a test: another JVM on this test's class path running one of the test sources' {@code main}
 * classes, or any other command.
 */
final class ChildProcess {

    private ChildProcess() {}

    /** The command that runs {@code main} with {@code args} in a new JVM. */
    static List<String> java(Class<?> main, String... args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-cp");
        command.add(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
        // Small and quick to start: these JVMs live for a second or less.
        command.addAll(List.of("-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1"));
        command.add(main.getName());
        command.addAll(List.of(args));
        return command;
    }

    /** Starts {@code command}, its standard error merged into its output. */
    static Process start(List<String> command) throws IOException {
        return new ProcessBuilder(command).redirectErrorStream(true).start();
    }

    /**
     * Starts every command, waits until each has printed {@code ready}, then releases them all at once with a
     * line on their standard input — so that child processes race each other from the first step.
     */
    static List<Process> startTogether(List<List<String>> commands) throws IOException {
        List<Process> started = new ArrayList<>();
        try {
            for (List<String> command : commands) {
                started.add(start(command));
            }
            for (Process p : started) {
                assertEquals("ready", firstLine(p));
            }
            for (Process p : started) {
                OutputStream in = p.getOutputStream();
                in.write('\n');
                in.flush();
            }
            return started;
        } catch (IOException | RuntimeException | Error e) {
            started.forEach(Process::destroyForcibly);
            throw e;
        }
    }

    /**
     * Waits for every process to end with status 0 having printed {@code done}; fails the test, showing the
     * output, otherwise. Kills what is still running when it fails.
     */
    static void awaitDone(List<Process> processes, Duration timeout) throws IOException, InterruptedException {
        try {
            for (Process p : processes) {
                String output = text(p.getInputStream().readAllBytes());
                assertTrue(p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS), "child still running; output:\n" + output);
                assertEquals(0, p.exitValue(), () -> "child failed; output:\n" + output);
                assertTrue(output.contains("done"), output);
            }
        } finally {
            processes.forEach(Process::destroyForcibly);
        }
    }

    /**
     * Starts {@code command}, waits for its first line to be {@code announcement}, lets it run {@code pauseMillis}
     * more, then kills it with SIGKILL (no shutdown hook, no {@code finally} runs in it) and waits for its end.
     */
    static void killWhileRunning(List<String> command, String announcement, long pauseMillis) throws Exception {
        Process p = start(command);
        try {
            assertEquals(announcement, firstLine(p), "the child started");
            Thread.sleep(pauseMillis);
        } finally {
            p.destroyForcibly();
            assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        }
    }

    /** The first line {@code p} prints. */
    static String firstLine(Process p) throws IOException {
        return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)).readLine();
    }

    /**
     * Runs {@code command} to its end and returns its output; fails the test, showing the output, unless it
     * exits with 0 within {@code timeout}.
     */
    static String run(List<String> command, Duration timeout) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        byte[][] output = new byte[1][];
        Thread reader = new Thread(() -> {
            try {
                output[0] = process.getInputStream().readAllBytes();
            } catch (IOException e) {
                output[0] = ("(output unreadable: " + e + ")").getBytes(StandardCharsets.UTF_8);
            }
        });
        reader.start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly().waitFor();
            reader.join();
            fail("child did not finish within " + timeout + "; output:\n" + text(output[0]));
        }
        reader.join();
        String text = text(output[0]);
        assertEquals(0, process.exitValue(), () -> "child failed; output:\n" + text);
        return text;
    }

    private static String text(byte[] bytes) {
        return bytes == null ? "" : new String(bytes, StandardCharsets.UTF_8);
    }
}
