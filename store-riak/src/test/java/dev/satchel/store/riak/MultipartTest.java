package dev.satchel.store.riak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.satchel.spi.UnreadableEntryException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The multipart/mixed reader, on Riak's two line-end styles and on broken bodies. */
class MultipartTest {

    @Test
    @DisplayName("CRLF parts as Riak 2+ sends them, with headers, an empty tombstone and binary-safe bodies")
    void crlf() {
        String body = "\r\n--B1\r\nContent-Type: application/json\r\nEtag: one\r\n\r\n{\"a\":\"--B\"}"
                + "\r\n--B1\r\nEtag: two\r\nX-Riak-Deleted: true\r\n\r\n"
                + "\r\n--B1--\r\n";
        List<Multipart.Part> parts = Multipart.parse("multipart/mixed; boundary=B1", bytes(body));
        assertEquals(2, parts.size());
        assertEquals("one", parts.get(0).header("etag"));
        assertEquals("{\"a\":\"--B\"}", new String(parts.get(0).body(), StandardCharsets.UTF_8));
        assertEquals("true", parts.get(1).header("x-riak-deleted"));
        assertEquals(0, parts.get(1).body().length);
    }

    @Test
    @DisplayName("bare LF line ends and a quoted boundary, as older releases send")
    void lf() {
        String body = "\n--\"q\"\nEtag: x\n\nvalue\n--\"q\"--\n".replace("\"q\"", "qq");
        List<Multipart.Part> parts = Multipart.parse("multipart/mixed; boundary=\"qq\"", bytes(body));
        assertEquals(1, parts.size());
        assertEquals("value", new String(parts.get(0).body(), StandardCharsets.UTF_8));
    }

    @Test
    @DisplayName("no boundary, or no closing delimiter: corrupt, never a partial list")
    void broken() {
        assertThrows(UnreadableEntryException.class, () -> Multipart.parse("multipart/mixed", bytes("--x\r\n\r\n")));
        assertThrows(UnreadableEntryException.class,
                () -> Multipart.parse("multipart/mixed; boundary=x", bytes("\r\n--x\r\nEtag: a\r\n\r\nbody")));
        assertThrows(UnreadableEntryException.class, () -> Multipart.parse(null, bytes("")));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
