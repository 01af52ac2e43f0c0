package dev.satchel.benchmarks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ZipfTest {

    @Test
    void picksStayInThePopulationAreSkewedAndRepeatable() {
        int items = 10_000;
        int[] picks = Zipf.picks(items, 7);
        assertEquals(Zipf.SIZE, picks.length);
        int[] counts = new int[items];
        for (int p : picks) {
            assertTrue(p >= 0 && p < items);
            counts[p]++;
        }
        int[] sorted = counts.clone();
        Arrays.sort(sorted);
        long hottestHundred = 0;
        for (int i = items - 100; i < items; i++) {
            hottestHundred += sorted[i];
        }
        // Zipf 0.99 over 10,000 items: the hottest 1 % take roughly half of the picks; uniform would give 1 %.
        assertTrue(hottestHundred > Zipf.SIZE * 0.35, "hottest 1 % took " + hottestHundred);
        assertTrue(counts[0] < sorted[items - 1], "the hottest item is not item 0: ranks are scrambled");
        assertArrayEquals(picks, Zipf.picks(items, 7));
    }

    @Test
    void aTenthOfTheRequestsWrite() {
        boolean[] writes = Zipf.writes(10, 3);
        int n = 0;
        for (boolean w : writes) {
            n += w ? 1 : 0;
        }
        assertTrue(Math.abs(n - Zipf.SIZE / 10) < Zipf.SIZE / 100, n + " writes");
    }
}
