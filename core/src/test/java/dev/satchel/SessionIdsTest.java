package dev.satchel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.spi.SessionIds;
import java.lang.management.ManagementFactory;
import java.util.Base64;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SessionIdsTest {

    @Test
    void generatedIdsAreValidDistinctAndDecodeTo16Bytes() {
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < 10_000; i++) {
            String id = SessionIds.newId();
            assertEquals(SessionIds.LENGTH, id.length());
            assertTrue(SessionIds.isValid(id), id);
            assertEquals(16, Base64.getUrlDecoder().decode(id).length);
            assertTrue(seen.add(id));
        }
    }

    @Test
    void idAndRandvalAreIndependent() {
        String[] pair = SessionIds.newIdAndRandval();
        assertTrue(SessionIds.isValid(pair[0]));
        assertTrue(SessionIds.isValid(pair[1]));
        assertFalse(pair[0].equals(pair[1]));
    }

    @Test
    void encodingMatchesTheJdk() {
        byte[] bytes = new byte[32];
        for (int n = 0; n <= 32; n++) {
            for (int i = 0; i < n; i++) {
                bytes[i] = (byte) (i * 37 + n);
            }
            assertEquals(Base64.getUrlEncoder().withoutPadding().encodeToString(java.util.Arrays.copyOf(bytes, n)),
                    SessionIds.base64url(bytes, 0, n));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "A", "AAAAAAAAAAAAAAAAAAAAA", "AAAAAAAAAAAAAAAAAAAAAAA", "AAAAAAAAAAAAAAAAAAAA/A",
        "AAAAAAAAAAAAAAAAAAAA.A", "AAAAAAAAAAAAAAAAAAAA%A", "AAAAAAAAAAAAAAAAAAAA+A", "AAAAAAAAAAAAAAAAAAAA=A",
        "AAAAAAAAAAAAAAAAAAAA A", "AAAAAAAAAAAAAAAAAAAA\u0000A", "AAAAAAAAAAAAAAAAAAAAÄA", "AAAAAAAAAAAAAAAAAAAAA\u0100",
        "../../../../etc/passwd", "..%2f..%2f..%2fetc%2fp", "AAAAAAAAAAAAAAAAAAAAAB", "AAAAAAAAAAAAAAAAAAAAAa",
        "AAAAAAAAAAAAAAAAAAAAA_"})
    void rejectsAnythingButCanonicalIds(String candidate) {
        assertFalse(SessionIds.isValid(candidate));
    }

    @Test
    void rejectsNullAndHugeInput() {
        assertFalse(SessionIds.isValid(null));
        assertFalse(SessionIds.isValid("A".repeat(10 * 1024)));
    }

    @Test
    void acceptsEveryCanonicalLastCharacter() {
        for (String last : new String[] {"A", "Q", "g", "w"}) {
            assertTrue(SessionIds.isValid("AAAAAAAAAAAAAAAAAAAAA" + last));
        }
    }

    /** The validator runs on every request before any store: it must not allocate. */
    @Test
    void validationDoesNotAllocate() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        String[] inputs = {SessionIds.newId(), "../../etc/passwd", "AAAAAAAAAAAAAAAAAAAA/A", "A".repeat(10_000)};
        int accepted = 0;
        for (int i = 0; i < 20_000; i++) { // warm up so the measured loop runs compiled
            accepted += SessionIds.isValid(inputs[i & 3]) ? 1 : 0;
        }
        long tid = Thread.currentThread().getId();
        long before = threads.getThreadAllocatedBytes(tid);
        for (int i = 0; i < 100_000; i++) {
            accepted += SessionIds.isValid(inputs[i & 3]) ? 1 : 0;
        }
        long allocated = threads.getThreadAllocatedBytes(tid) - before;
        assertEquals(30_000, accepted);
        assertTrue(allocated < 10_000, "100,000 validations allocated " + allocated + " bytes");
    }
}
