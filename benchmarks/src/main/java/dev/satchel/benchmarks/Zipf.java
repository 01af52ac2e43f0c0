package dev.satchel.benchmarks;

import java.util.SplittableRandom;

/**
 * Pre-generated, Zipf-distributed picks over a population, as Caffeine's {@code GetPutBenchmark} uses
 * them: generated once in setup so the measured loop only reads {@code picks[i++ & MASK]}.
 *
 * <p>The skew is YCSB's default (exponent 0.99: the hottest 1 % of the sessions take about half of the
 * requests). Ranks are scrambled through a fixed random permutation, so the hot sessions are spread over
 * the population instead of being its first entries (and over hash buckets, shard folders and stripes).
 * Seeded: every run and every implementation sees the same sequence.
 */
final class Zipf {

    /** Number of pre-generated picks; a power of two so that {@code i & MASK} wraps. */
    static final int SIZE = 1 << 20;
    static final int MASK = SIZE - 1;
    static final double EXPONENT = 0.99;

    private Zipf() {}

    /** {@link #SIZE} picks in {@code [0, items)}. */
    static int[] picks(int items, long seed) {
        double[] cumulative = new double[items];
        double sum = 0;
        for (int rank = 0; rank < items; rank++) {
            sum += 1 / Math.pow(rank + 1, EXPONENT);
            cumulative[rank] = sum;
        }
        int[] permutation = new int[items];
        for (int i = 0; i < items; i++) {
            permutation[i] = i;
        }
        SplittableRandom random = new SplittableRandom(seed);
        for (int i = items - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = permutation[i];
            permutation[i] = permutation[j];
            permutation[j] = t;
        }
        int[] picks = new int[SIZE];
        for (int i = 0; i < SIZE; i++) {
            double u = random.nextDouble() * sum;
            int lo = 0;
            int hi = items - 1;
            while (lo < hi) { // first rank whose cumulative weight reaches u
                int mid = (lo + hi) >>> 1;
                if (cumulative[mid] < u) {
                    lo = mid + 1;
                } else {
                    hi = mid;
                }
            }
            picks[i] = permutation[lo];
        }
        return picks;
    }

    /** {@link #SIZE} flags, {@code percent} % of them set at random positions: which requests write. */
    static boolean[] writes(int percent, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        boolean[] writes = new boolean[SIZE];
        for (int i = 0; i < SIZE; i++) {
            writes[i] = random.nextInt(100) < percent;
        }
        return writes;
    }
}
