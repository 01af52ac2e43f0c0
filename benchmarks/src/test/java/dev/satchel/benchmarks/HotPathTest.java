package dev.satchel.benchmarks;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Session;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Each hot-path facade measures hits, not misses: every session of its population is found. */
class HotPathTest {

    @ParameterizedTest
    @EnumSource(HotPathBenchmark.Impl.class)
    void everySessionIsFoundByLookupAndByRequest(HotPathBenchmark.Impl impl) {
        HotPath path = impl.create(50);
        Object scratch = path.newScratch();
        for (int i = 0; i < 50; i++) {
            assertTrue(path.finds(i), impl + " finds session " + i);
            assertFound(path.open(i, scratch), impl);
            assertFound(path.request(i, i % 2 == 0, scratch), impl);
        }
    }

    @ParameterizedTest
    @EnumSource(value = HotPathBenchmark.Impl.class, names = {"SATCHEL_OPEN", "SATCHEL_CACHE_GET"})
    void aWritingRequestIsSavedAndSeenByTheNextOne(HotPathBenchmark.Impl impl) {
        HotPath path = impl.create(5);
        path.request(3, true, null);
        Object next = path.open(3, null);
        Session s = next instanceof Optional ? (Session) ((Optional<?>) next).orElseThrow() : (Session) next;
        assertFalse(s.isNew());
        assertTrue(s.get(TypicalSession.CHANGED).equals(3), "the changed attribute was committed");
    }

    private static void assertFound(Object o, HotPathBenchmark.Impl impl) {
        assertNotNull(o, impl + " returned nothing");
        if (o instanceof Optional) {
            assertTrue(((Optional<?>) o).isPresent(), impl + " returned empty");
        }
        if (o instanceof Session) {
            assertFalse(((Session) o).isNew(), impl + " started a new session instead of finding the stored one");
        }
    }
}
