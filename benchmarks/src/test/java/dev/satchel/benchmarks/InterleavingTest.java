package dev.satchel.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class InterleavingTest {

    @Test
    void turnsRunForwardThenBackward() {
        List<Integer> turns = new ArrayList<>();
        for (int i = 0; i < 9; i++) {
            turns.add(Interleaving.turn(i, 3));
        }
        assertEquals(List.of(0, 1, 2, 2, 1, 0, 0, 1, 2), turns);
    }

    @Test
    void oneImplementationHasEveryTurn() {
        for (int i = 0; i < 5; i++) {
            assertEquals(0, Interleaving.turn(i, 1));
        }
        assertEquals(List.of(0, 1, 2, 3), Interleaving.slots(0, 1, 7, 4));
    }

    @Test
    void slotsAreTheMeasuredIterationsOfEachImplementationAfterTheWarmUp() {
        // 5 warm-up iterations of 2: turns 0 1 1 0 0 | measured 1 1 0 0 1 1 0
        assertEquals(List.of(2, 3, 6), Interleaving.slots(0, 2, 5, 7));
        assertEquals(List.of(0, 1, 4, 5), Interleaving.slots(1, 2, 5, 7));
    }

    @Test
    void aSpecNamesEachImplementationOnce() {
        assertEquals(List.of(HotPathBenchmark.Impl.SATCHEL_OPEN, HotPathBenchmark.Impl.FLOOR),
                Interleaving.parse("SATCHEL_OPEN+FLOOR", HotPathBenchmark.Impl.class));
        assertThrows(IllegalArgumentException.class, () -> Interleaving.names("FLOOR+FLOOR"));
        assertThrows(IllegalArgumentException.class, () -> Interleaving.names("FLOOR+"));
        assertThrows(IllegalArgumentException.class, () -> Interleaving.parse("NOT_ONE", HotPathBenchmark.Impl.class));
    }
}
