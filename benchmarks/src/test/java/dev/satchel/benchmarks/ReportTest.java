package dev.satchel.benchmarks;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.spi.SessionCodec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ReportTest {

    private static Report.Result result(String benchmark, String method, int threads, String impl, double score, double alloc) {
        String json = "{\"jmhVersion\":\"1.37\",\"benchmark\":\"dev.satchel.benchmarks." + benchmark + "." + method + "\","
                + "\"mode\":\"avgt\",\"threads\":" + threads + ",\"forks\":1,\"jdkVersion\":\"17\",\"vmName\":\"VM\","
                + "\"vmVersion\":\"1\",\"warmupIterations\":3,\"warmupTime\":\"1 s\",\"measurementIterations\":5,"
                + "\"measurementTime\":\"1 s\",\"params\":{\"impl\":\"" + impl + "\"},"
                + "\"primaryMetric\":{\"score\":" + score + ",\"scoreError\":1.5,\"scoreUnit\":\"ns/op\"},"
                + "\"secondaryMetrics\":{\"gc.alloc.rate.norm\":{\"score\":" + alloc + ",\"scoreUnit\":\"B/op\"}}}";
        return Report.Result.of(SessionCodec.jsonMapper().readTree(json));
    }

    @Test
    void marksEachTargetMetOrMissedFromRatiosOfTheSameRun() {
        List<Report.Result> results = new ArrayList<>();
        results.add(result("HotPathBenchmark", "readOnly", 1, "SATCHEL_OPEN", 110, 56));
        results.add(result("HotPathBenchmark", "readOnly", 1, "FLOOR", 100, 0));
        results.add(result("HotPathBenchmark", "readOnly", 1, "SPRING_MAP_REPOSITORY", 150, 900));
        results.add(result("RedisStoreBenchmark", "get", 1, "SATCHEL", 30, 9000));
        results.add(result("RedisStoreBenchmark", "get", 1, "JEDIS_RAW", 20, 3000));
        String md = new Report.Writer(results, null, WritePressure.measure(), "quick", "0.5 0.4 0.3", "java -jar x",
                java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC)).render();

        assertTrue(md.contains("| cached `open` within 1.2× the floor (1 thread) | 110 vs 100 ns: 1.10× the floor | **met** |"), md);
        assertTrue(md.contains("| `open` at least 2× faster than Spring `findById` (1t) | 1.36× faster (110 vs 150 ns) | **missed**"), md);
        assertTrue(md.contains("`open`: at most one small allocation (≤ 64 B/op) (1t) | 56 B/op | **met**"), md);
        assertTrue(md.contains("Redis `get` within 1.2× raw Jedis `HGETALL` (1t) | 30.00 vs 20.00 µs: 1.50× | **missed**, by 30 % of raw |"), md);
        assertTrue(md.contains("write pressure: ≤ 1 write per touch interval per session"), md);
        assertTrue(md.contains("| SPRING_MAP_REPOSITORY | 150 | 1.50 | 900 | 1.50 | 1.36 |"), md);
        assertTrue(md.contains("| load average when the run started (1, 5, 15 min) | 0.5 0.4 0.3 |"), md);
    }
}
