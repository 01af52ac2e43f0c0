package dev.satchel.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class WritePressureTest {

    @Test
    void satchelTouchesOncePerTouchIntervalWhileSpringWritesEveryRequest() {
        // 1,000 requests 5 s apart span 5,000 s: 27.8 touch intervals of 180 s, so 27 touches.
        assertEquals(27, WritePressure.satchel(Duration.ofSeconds(5)));
        assertEquals(WritePressure.REQUESTS, WritePressure.spring(Duration.ofSeconds(5)));
    }

    @Test
    void everyCountedRowKeepsSatchelAtOrBelowOneWritePerTouchInterval() {
        for (WritePressure.Row r : WritePressure.measure()) {
            if (r.implementation.startsWith("Satchel")) {
                assertTrue(r.writesPerTouchInterval() <= 1, r.implementation + " " + r.gap);
            } else {
                assertEquals(WritePressure.REQUESTS, r.writes);
            }
        }
    }
}
