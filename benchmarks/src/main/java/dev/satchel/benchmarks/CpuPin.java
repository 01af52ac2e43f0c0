package dev.satchel.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Pins this JVM to one CPU once a benchmark's setup is done, when {@code -Dsatchel.bench.pinCpu=N} asks:
 * {@code benchmarks/run} pins its {@code redis-server} to that CPU and asks it of every Redis fork, because on
 * this VM a loopback round trip between two vCPUs costs several times one on the same vCPU and jumps with
 * where the scheduler puts the client. Pinning after setup, not at the fork's start, leaves the JVM's start
 * and the filling of the store both CPUs. Uses {@code taskset} (util-linux); fails loudly without it.
 */
final class CpuPin {

    static final String PROPERTY = "satchel.bench.pinCpu";

    private CpuPin() {}

    /**
     * Pins every thread of this JVM (and the threads they start later) to the CPU the property names, if any,
     * and the processes it started (a {@code redis-server} of its own, when run by hand) with it.
     */
    static void applyIfAsked() {
        String cpu = System.getProperty(PROPERTY);
        if (cpu == null || cpu.isEmpty()) {
            return;
        }
        pin(cpu, ProcessHandle.current().pid());
        ProcessHandle.current().descendants().forEach(p -> pin(cpu, p.pid()));
    }

    private static void pin(String cpu, long pid) {
        List<String> cmd = List.of("taskset", "-a", "-p", "-c", cpu, Long.toString(pid));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out.strip());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("taskset (util-linux) is needed for -D" + PROPERTY, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while pinning to CPU " + cpu, e);
        }
    }
}
