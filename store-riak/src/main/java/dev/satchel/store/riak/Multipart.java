package dev.satchel.store.riak;

import dev.satchel.spi.UnreadableEntryException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Reads a {@code multipart/mixed} body (RFC 2046) as Riak sends siblings: parts separated by
 * {@code --boundary} lines, each with its own headers, a blank line and the value's exact bytes. Accepts
 * CRLF and bare LF line ends, since Riak releases differ.
 */
final class Multipart {

    /** One part: headers (names lower-cased) and body. */
    record Part(List<String> headerLines, byte[] body) {
        /** The value of header {@code lowerCaseName}, or {@code null}. */
        String header(String lowerCaseName) {
            for (String line : headerLines) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).trim().toLowerCase(Locale.ROOT).equals(lowerCaseName)) {
                    return line.substring(colon + 1).trim();
                }
            }
            return null;
        }
    }

    private Multipart() {}

    /**
     * Splits {@code body} into its parts.
     *
     * @throws UnreadableEntryException if the content type has no boundary or the body does not end properly
     */
    static List<Part> parse(String contentType, byte[] body) {
        byte[] delimiter = ("--" + boundary(contentType)).getBytes(StandardCharsets.US_ASCII);
        List<Part> parts = new ArrayList<>();
        int at = findDelimiter(body, delimiter, 0);
        while (at >= 0) {
            int after = at + delimiter.length;
            if (after + 1 < body.length && body[after] == '-' && body[after + 1] == '-') {
                return parts; // the closing delimiter
            }
            int contentStart = lineEnd(body, after);
            int nextAt = findDelimiter(body, delimiter, contentStart);
            if (nextAt < 0) {
                break;
            }
            parts.add(part(body, contentStart, contentEnd(body, nextAt)));
            at = nextAt;
        }
        throw new UnreadableEntryException("multipart body has no closing delimiter");
    }

    private static String boundary(String contentType) {
        if (contentType != null) {
            for (String param : contentType.split(";")) {
                String p = param.trim();
                if (p.regionMatches(true, 0, "boundary=", 0, 9)) {
                    String b = p.substring(9).trim();
                    if (b.length() >= 2 && b.startsWith("\"") && b.endsWith("\"")) {
                        b = b.substring(1, b.length() - 1);
                    }
                    if (!b.isEmpty()) {
                        return b;
                    }
                }
            }
        }
        throw new UnreadableEntryException("multipart answer without a boundary");
    }

    /** The next delimiter at the start of a line, at or after {@code from}; -1 if none. */
    private static int findDelimiter(byte[] body, byte[] delimiter, int from) {
        outer:
        for (int i = from, last = body.length - delimiter.length; i <= last; i++) {
            if (i > 0 && body[i - 1] != '\n') {
                continue;
            }
            for (int j = 0; j < delimiter.length; j++) {
                if (body[i + j] != delimiter[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    /** The index after the end of the line that contains {@code from}. */
    private static int lineEnd(byte[] body, int from) {
        for (int i = from; i < body.length; i++) {
            if (body[i] == '\n') {
                return i + 1;
            }
        }
        return body.length;
    }

    /** Where a part's content ends: before the line break that precedes the delimiter at {@code delimiterAt}. */
    private static int contentEnd(byte[] body, int delimiterAt) {
        int end = delimiterAt - 1; // the '\n' before the delimiter belongs to it
        if (end > 0 && body[end - 1] == '\r') {
            end--;
        }
        return Math.max(end, 0);
    }

    private static Part part(byte[] body, int start, int end) {
        List<String> headers = new ArrayList<>(6);
        int i = start;
        while (i < end) {
            int eol = i;
            while (eol < end && body[eol] != '\n') {
                eol++;
            }
            int lineEndExclusive = eol > i && body[eol - 1] == '\r' ? eol - 1 : eol;
            if (lineEndExclusive == i) { // the blank line: the body follows
                i = Math.min(eol + 1, end);
                return new Part(headers, Arrays.copyOfRange(body, i, end));
            }
            headers.add(new String(body, i, lineEndExclusive - i, StandardCharsets.UTF_8));
            i = eol + 1;
        }
        return new Part(headers, new byte[0]);
    }
}
