package dev.satchel.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MachineTest {

    private static Machine.Snapshot snapshot(long user, long system, long idle, long steal, long ours) {
        return new Machine.Snapshot(new double[] {0, 0, 0}, new long[] {user, 0, system, idle, 0, 0, 0, steal}, ours);
    }

    @Test
    void splitsAllCoresTimeIntoIdleStealOursAndOthers() {
        // 200 ticks on all cores: 80 idle, 10 stolen, 70 ours, 40 someone else's.
        Machine.Shares s = snapshot(100, 50, 1000, 5, 60).until(snapshot(190, 70, 1080, 15, 130));

        assertEquals(0.40, s.idle, 1e-9);
        assertEquals(0.05, s.steal, 1e-9);
        assertEquals(0.35, s.ours, 1e-9);
        assertEquals(0.20, s.others, 1e-9);
        assertFalse(s.disturbed());
        assertTrue(snapshot(0, 0, 0, 0, 0).until(snapshot(100, 60, 40, 0, 50)).disturbed(), "others took 55 %");
    }

    @Test
    void withoutProcStatEverySharesIsUnknown() {
        Machine.Snapshot none = new Machine.Snapshot(new double[] {Double.NaN, Double.NaN, Double.NaN}, null, 0);
        assertTrue(Double.isNaN(none.until(none).others));
    }

    @Test
    void readsProcessTimesPastACommandNameWithSpacesAndParentheses(@TempDir Path dir) throws Exception {
        Path stat = dir.resolve("stat");
        Files.writeString(stat, "4242 (java (x) y) S 1 4242 4242 0 -1 4194304 100 0 0 0 700 300 2000 500 20 0 30 0 7 8 9\n");

        assertEquals(1000, Machine.processTicks(stat, false));
        assertEquals(3500, Machine.processTicks(stat, true));
        assertEquals(0, Machine.processTicks(dir.resolve("absent"), true));
    }
}
