package dev.satchel.servlet.suite;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A raw HTTP/1.1 client over a socket, so tests see every header exactly as sent (how many
 * {@code Set-Cookie}s, in which order). One request per connection; bodies chunked, by length or to EOF.
 */
public final class Http {

    private final int port;

    public Http(int port) {
        this.port = port;
    }

    /** A GET of {@code path} carrying {@code cookieHeaders} (each its own {@code Cookie} header). */
    public Response get(String path, String... cookieHeaders) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(20_000);
            StringBuilder head = new StringBuilder("GET ").append(path).append(" HTTP/1.1\r\nHost: 127.0.0.1:")
                    .append(port).append("\r\nConnection: close\r\n");
            for (String c : cookieHeaders) {
                head.append("Cookie: ").append(c).append("\r\n");
            }
            head.append("\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(head.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            return read(socket.getInputStream());
        }
    }

    private static Response read(InputStream in) throws IOException {
        String status = line(in);
        if (status == null) {
            throw new IOException("the server closed the connection without answering");
        }
        List<String[]> headers = new ArrayList<>();
        for (String l = line(in); l != null && !l.isEmpty(); l = line(in)) {
            int colon = l.indexOf(':');
            headers.add(new String[] {l.substring(0, colon).trim(), l.substring(colon + 1).trim()});
        }
        Response r = new Response(Integer.parseInt(status.split(" ")[1]), headers, null);
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        String length = r.header("Content-Length");
        if ("chunked".equalsIgnoreCase(r.header("Transfer-Encoding"))) {
            for (int size = Integer.parseInt(line(in).split(";")[0].trim(), 16); size > 0;
                    size = Integer.parseInt(line(in).split(";")[0].trim(), 16)) {
                body.write(in.readNBytes(size));
                line(in);
            }
        } else if (length != null) {
            body.write(in.readNBytes(Integer.parseInt(length))); // not to EOF: the server may still be running
        } else {
            body.write(in.readAllBytes());
        }
        return new Response(r.status, headers, body.toByteArray());
    }

    private static String line(InputStream in) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int c = in.read(); c != -1; c = in.read()) {
            if (c == '\n') {
                int n = sb.length();
                return n > 0 && sb.charAt(n - 1) == '\r' ? sb.substring(0, n - 1) : sb.toString();
            }
            sb.append((char) c);
        }
        return sb.length() == 0 ? null : sb.toString();
    }

    /** One response: status, headers in order, body. */
    public record Response(int status, List<String[]> headers, byte[] body) {

        /** Every value of header {@code name}, in order. */
        public List<String> all(String name) {
            List<String> values = new ArrayList<>();
            for (String[] h : headers) {
                if (h[0].equalsIgnoreCase(name)) {
                    values.add(h[1]);
                }
            }
            return values;
        }

        /** The first value of header {@code name}, or null. */
        public String header(String name) {
            List<String> v = all(name);
            return v.isEmpty() ? null : v.get(0);
        }

        /** The session {@code Set-Cookie} headers (named {@code cookieName}). */
        public List<String> sessionCookies(String cookieName) {
            return all("Set-Cookie").stream().filter(v -> v.startsWith(cookieName + "=")).toList();
        }

        /** The single session cookie as a {@code name=value} pair for the next request; fails unless there is exactly one. */
        public String cookie(String cookieName) {
            List<String> c = sessionCookies(cookieName);
            if (c.size() != 1) {
                throw new AssertionError("expected one " + cookieName + " Set-Cookie, got " + c + " in " + this);
            }
            return c.get(0).substring(0, c.get(0).indexOf(';'));
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder("HTTP ").append(status);
            for (String[] h : headers) {
                sb.append("\n").append(h[0]).append(": ").append(h[1]);
            }
            String t = text();
            return sb.append("\n\n").append(t.length() > 300 ? t.substring(0, 300) + "…" : t).toString();
        }
    }
}
