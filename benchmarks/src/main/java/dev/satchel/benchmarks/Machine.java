package dev.satchel.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What the machine was doing while a benchmark ran, read from Linux's {@code /proc}: the load average, and
 * the CPU time of every core split into idle, stolen by the hypervisor, used by this run (the driver, the
 * JMH forks it waited for, and the {@code redis-server} it was told about) and used by everything else.
 * Two {@link Snapshot}s bracket a stretch of time; {@link Snapshot#until} gives the shares in between.
 * On a machine without {@code /proc} every figure is {@code NaN}.
 */
final class Machine {

    /**
     * A run is disturbed when other processes took more than this share of all cores' time (a quarter: half
     * a core of two), ...
     */
    static final double DISTURBED_OTHERS = 0.25;
    /** ... or the hypervisor stole more than this share, ... */
    static final double DISTURBED_STEAL = 0.05;
    /**
     * ... or, in runs recorded before {@link #QUIET_CHECK_SECONDS} existed, when the one-minute load average at the
     * start was above this many runnable tasks per core. The load average lags by about a minute, so right after
     * another run it still counts that run; newer runs judge the start by {@link #sample} instead.
     */
    static final double DISTURBED_LOAD_PER_CORE = 0.5;
    /** How long {@code PairedRun} watches the CPU before its first fork, to see whether the machine is busy. */
    static final int QUIET_CHECK_SECONDS = 3;

    private Machine() {}

    /**
     * Whether shares {@code others} (other processes) and {@code steal} (the hypervisor) of all cores' time say a
     * stretch was disturbed; {@code NaN} (unreadable) says it was not.
     */
    static boolean disturbed(double others, double steal) {
        return others > DISTURBED_OTHERS || steal > DISTURBED_STEAL;
    }

    /** The counters at one instant. {@code ours} counts this process, its waited-for children and {@code alsoOurs}. */
    static Snapshot now(long alsoOurs) {
        double[] load = loadAverage();
        long[] cpu = cpuTicks();
        long ours = processTicks(Paths.get("/proc/self/stat"), true);
        if (alsoOurs > 0) {
            ours += processTicks(Paths.get("/proc/" + alsoOurs + "/stat"), false);
        }
        return new Snapshot(load, cpu, ours);
    }

    /**
     * The shares of all cores' time over the next {@code seconds} seconds, this process and {@code alsoOurs}
     * counted as ours; the calling thread sleeps meanwhile.
     */
    static Shares sample(long alsoOurs, int seconds) throws InterruptedException {
        Snapshot before = now(alsoOurs);
        Thread.sleep(seconds * 1000L);
        return before.until(now(alsoOurs));
    }

    /** Counters of {@code /proc/stat}'s first line and the process times, in clock ticks. */
    static final class Snapshot {
        final double[] load;
        /** user, nice, system, idle, iowait, irq, softirq, steal; null when unreadable. */
        final long[] cpu;
        final long ours;

        Snapshot(double[] load, long[] cpu, long ours) {
            this.load = load;
            this.cpu = cpu;
            this.ours = ours;
        }

        /** The shares of all cores' time between this snapshot and {@code later}. */
        Shares until(Snapshot later) {
            if (cpu == null || later.cpu == null) {
                return new Shares(Double.NaN, Double.NaN, Double.NaN, Double.NaN);
            }
            long total = 0;
            for (int i = 0; i < 8; i++) {
                total += later.cpu[i] - cpu[i];
            }
            if (total <= 0) {
                return new Shares(Double.NaN, Double.NaN, Double.NaN, Double.NaN);
            }
            double idle = (double) (later.cpu[3] - cpu[3] + later.cpu[4] - cpu[4]) / total;
            double steal = (double) (later.cpu[7] - cpu[7]) / total;
            double ours = Math.min(1, (double) (later.ours - this.ours) / total);
            double others = Math.max(0, 1 - idle - steal - ours);
            return new Shares(idle, steal, ours, others);
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("load", load);
            m.put("cpuTicks", cpu);
            m.put("oursTicks", ours);
            return m;
        }
    }

    /** Shares of all cores' time, each 0 to 1. */
    static final class Shares {
        final double idle;
        final double steal;
        final double ours;
        final double others;

        Shares(double idle, double steal, double ours, double others) {
            this.idle = idle;
            this.steal = steal;
            this.ours = ours;
            this.others = others;
        }

        /** Whether other processes or the hypervisor took enough to disturb a measurement. */
        boolean disturbed() {
            return Machine.disturbed(others, steal);
        }

        Map<String, Object> toMap() {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("idle", idle);
            m.put("steal", steal);
            m.put("ours", ours);
            m.put("others", others);
            return m;
        }
    }

    private static double[] loadAverage() {
        try {
            String[] f = Files.readString(Paths.get("/proc/loadavg")).trim().split(" ");
            return new double[] {Double.parseDouble(f[0]), Double.parseDouble(f[1]), Double.parseDouble(f[2])};
        } catch (IOException | RuntimeException e) {
            return new double[] {Double.NaN, Double.NaN, Double.NaN};
        }
    }

    private static long[] cpuTicks() {
        try {
            String first = Files.readAllLines(Paths.get("/proc/stat")).get(0);
            String[] f = first.trim().split("\\s+");
            long[] ticks = new long[8];
            for (int i = 0; i < 8; i++) {
                ticks[i] = Long.parseLong(f[i + 1]);
            }
            return ticks;
        } catch (IOException | RuntimeException e) {
            return null;
        }
    }

    /**
     * utime + stime of a process from its {@code stat} file, plus cutime + cstime (children waited for)
     * when {@code withChildren}; 0 when unreadable.
     */
    static long processTicks(Path stat, boolean withChildren) {
        try {
            String s = Files.readString(stat);
            // The command name is in parentheses and may hold spaces: count fields after the last ')'.
            String[] f = s.substring(s.lastIndexOf(')') + 2).trim().split(" ");
            // After the name: state(3) ppid(4) ... utime(14) stime(15) cutime(16) cstime(17); f[0] is field 3.
            long ticks = Long.parseLong(f[11]) + Long.parseLong(f[12]);
            if (withChildren) {
                ticks += Long.parseLong(f[13]) + Long.parseLong(f[14]);
            }
            return ticks;
        } catch (IOException | RuntimeException e) {
            return 0;
        }
    }
}
