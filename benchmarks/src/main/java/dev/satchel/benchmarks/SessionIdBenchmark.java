package dev.satchel.benchmarks;

import dev.satchel.spi.SessionIds;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.apache.catalina.util.StandardSessionIdGenerator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * New session ids, 128 random bits each: Satchel's {@link SessionIds#newId()} (several DRBG instances
 * picked by thread) against one shared {@link SecureRandom} and what the peers do. Run at 1 and 2 threads:
 * the question is whether it scales.
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar SessionIdBenchmark -t 1 -prof gc
 * java -jar benchmarks/target/benchmarks.jar SessionIdBenchmark -t 2 -prof gc
 * </pre>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class SessionIdBenchmark {

    /** What generates the id. */
    public enum Impl {
        /** {@code SessionIds.newId()}: 16 bytes from the calling thread's DRBG stripe, base64url. */
        SATCHEL(() -> SessionIds::newId),
        /** One {@code new SecureRandom()} shared by every thread (the platform default), 16 bytes, base64url. */
        SHARED_SECURE_RANDOM(() -> {
            SecureRandom random = new SecureRandom();
            Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
            return () -> {
                byte[] bytes = new byte[16];
                random.nextBytes(bytes);
                return base64.encodeToString(bytes);
            };
        }),
        /** One shared {@code SecureRandom.getInstance("DRBG")}: the algorithm Satchel stripes, unstriped. */
        SHARED_DRBG(() -> {
            SecureRandom random;
            try {
                random = SecureRandom.getInstance("DRBG");
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            Base64.Encoder base64 = Base64.getUrlEncoder().withoutPadding();
            return () -> {
                byte[] bytes = new byte[16];
                random.nextBytes(bytes);
                return base64.encodeToString(bytes);
            };
        }),
        /** Spring Session's default id: {@code UUID.randomUUID().toString()} (122 random bits, one shared SecureRandom). */
        SPRING_UUID(() -> () -> UUID.randomUUID().toString()),
        /** Tomcat's {@code StandardSessionIdGenerator}: a queue of SecureRandoms, 16 bytes as hex. */
        TOMCAT(() -> {
            StandardSessionIdGenerator generator = new StandardSessionIdGenerator();
            return generator::generateSessionId;
        });

        private final Supplier<Supplier<String>> factory;

        Impl(Supplier<Supplier<String>> factory) {
            this.factory = factory;
        }

        Supplier<String> create() {
            return factory.get();
        }
    }

    @Param
    Impl impl;

    Supplier<String> generator;

    @Setup
    public void setup() {
        generator = impl.create();
    }

    @Benchmark
    public String newId() {
        return generator.get();
    }
}
