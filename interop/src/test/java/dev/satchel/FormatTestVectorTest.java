package dev.satchel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.satchel.spi.SessionRecord;
import org.junit.jupiter.api.Test;

/**
 * The cookie test vector of docs/format.md, computed by the Java side's own {@link SigningKeys} (this class
 * sits in its package to reach the digest); the PHP and Python tests check the same vector.
 */
class FormatTestVectorTest {

    @Test
    void theDocumentedDigestIsTheJavaSides() {
        SigningKeys keys = SigningKeys.fromBase64("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=");
        SessionRecord record = SessionRecord.builder("p3Vx0R6cTtOmWvDZ0M6i0g", "Yl4bU6dCq3sVJ6x2fP1mZA")
                .idleTimeoutMillis(1).build();
        assertEquals("zS5yzWulQA2V7wdtkP6pI8EGKloC1se6t0ASgAgA6jY", keys.digest(record));
    }
}
