package dev.satchel.store.file;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.spi.SessionIds;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SessionFileNamesTest {

    @Test
    void aFileIsNamedByTheHexOfTheIdsBytes() {
        // 16 bytes 0x00..0x0f, base64url-encoded
        String sid = "AAECAwQFBgcICQoLDA0ODw";
        assertEquals("000102030405060708090a0b0c0d0e0f", SessionFileNames.baseName(sid));
        assertEquals(Path.of("/store/00/000102030405060708090a0b0c0d0e0f.json"),
                SessionFileNames.pathOf(Path.of("/store"), sid));
        assertEquals(0x000, SessionFileNames.stripeOf(SessionFileNames.baseName(sid)));
        assertEquals(0xfff, SessionFileNames.stripeOf("fff0"));
        assertEquals(sid, SessionFileNames.sessionIdOf("000102030405060708090a0b0c0d0e0f.json"));
    }

    @Test
    void idsDifferingOnlyInCaseGetNamesThatDifferIgnoringCase() {
        Set<String> lowered = new HashSet<>();
        for (int i = 0; i < 2000; i++) {
            String sid = SessionIds.newId();
            String swapped = swapCaseButLast(sid);
            if (swapped.equals(sid)) {
                continue;
            }
            String a = SessionFileNames.baseName(sid);
            String b = SessionFileNames.baseName(swapped);
            assertEquals(a, a.toLowerCase(Locale.ROOT), "names are lowercase only");
            assertNotEquals(a.toLowerCase(Locale.ROOT), b.toLowerCase(Locale.ROOT));
            assertTrue(lowered.add(a));
            assertEquals(sid, SessionFileNames.sessionIdOf(SessionFileNames.sessionFileName(a)), "names map back");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "..", "../../etc/passwd", "/etc/passwd", "AAAAAAAAAAAAAAAAAAAA/A", "%2e%2e%2f",
        "AAAAAAAAAAAAAAAAAAAA\u0000A", "..\\..\\windows", "AAAAAAAAAAAAAAAAAAAAAB"})
    void noPathIsBuiltFromAnInvalidId(String id) {
        assertThrows(IllegalArgumentException.class, () -> SessionFileNames.pathOf(Path.of("/store"), id));
        assertThrows(IllegalArgumentException.class, () -> SessionFileNames.baseName(id));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "..", "a/b", "../x", "a\\b", "x\u0000y", "/abs"})
    void onlyPlainNamesAreResolved(String name) {
        assertThrows(IllegalArgumentException.class, () -> SessionFileNames.contained(Path.of("/store"), name));
    }

    @ParameterizedTest
    @ValueSource(strings = {"x.json", "000102030405060708090a0b0c0d0e0F.json", "000102030405060708090a0b0c0d0e0f.json.corrupt",
        "000102030405060708090a0b0c0d0e0f.1-2.3.tmp", "000102030405060708090a0b0c0d0e0.json", "satchel.lock"})
    void otherFilesAreNotSessionFiles(String name) {
        assertNull(SessionFileNames.sessionIdOf(name));
    }

    @Test
    void tempNamesCarryTheirWriter() {
        String temp = SessionFileNames.tempName("000102030405060708090a0b0c0d0e0f", "4242-1700000000000", 17);
        assertEquals("000102030405060708090a0b0c0d0e0f.4242-1700000000000.17.tmp", temp);
        assertTrue(SessionFileNames.isTempName(temp));
        assertEquals("4242-1700000000000", SessionFileNames.writerOf(temp));
        assertEquals("1-2", SessionFileNames.writerOf("probe.1-2.3.tmp"));
        assertNull(SessionFileNames.writerOf("junk.tmp"));
    }

    static String swapCaseButLast(String sid) {
        StringBuilder swapped = new StringBuilder(sid.length());
        for (int i = 0; i < sid.length(); i++) {
            char c = sid.charAt(i);
            boolean last = i == sid.length() - 1;
            swapped.append(last ? c : Character.isUpperCase(c) ? Character.toLowerCase(c) : Character.toUpperCase(c));
        }
        return swapped.toString();
    }
}
