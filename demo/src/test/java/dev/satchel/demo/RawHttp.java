package dev.satchel.demo;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * HTTP/1.1 over one plain socket, byte by byte under the test's control: the connection is reused for as
 * many requests as the caller sends, so "kept alive" is a fact, not a client library's choice.
 */
final class RawHttp implements AutoCloseable {

    /** A response: its status, its head (status line and headers) and its body. */
    record Response(int status, String head, String body) {
        /** The first value of header {@code name} (case-insensitive), or {@code null}. */
        String header(String name) {
            String prefix = "\r\n" + name.toLowerCase(Locale.ROOT) + ":";
            int at = head.toLowerCase(Locale.ROOT).indexOf(prefix);
            if (at < 0) {
                return null;
            }
            int start = at + prefix.length();
            int end = head.indexOf("\r\n", start);
            return head.substring(start, end < 0 ? head.length() : end).trim();
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    RawHttp(int port, int timeoutMillis) throws IOException {
        socket = new Socket(InetAddress.getLoopbackAddress(), port);
        socket.setSoTimeout(timeoutMillis);
        socket.setTcpNoDelay(true); // each request is one write anyway; the test is about the server's side
        in = socket.getInputStream();
        out = socket.getOutputStream();
    }

    /** The local port of this connection: the same for every request sent through it. */
    int localPort() {
        return socket.getLocalPort();
    }

    /** Sends {@code method path} with the given extra header lines (each ending in CRLF) and reads the response. */
    Response send(String method, String path, String extraHeaders) throws IOException {
        String request = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\n" + extraHeaders + "\r\n";
        out.write(request.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return read("HEAD".equals(method));
    }

    private Response read(boolean head) throws IOException {
        ByteArrayOutputStream headBytes = new ByteArrayOutputStream();
        byte[] last = new byte[4];
        int count = 0;
        while (count < 4 || last[count % 4] != '\r' || last[(count + 1) % 4] != '\n'
                || last[(count + 2) % 4] != '\r' || last[(count + 3) % 4] != '\n') {
            int c = in.read();
            if (c < 0) {
                throw new IOException("the server closed the connection after " + count + " bytes");
            }
            headBytes.write(c);
            last[count % 4] = (byte) c;
            count++;
        }
        String headText = headBytes.toString(StandardCharsets.ISO_8859_1);
        int status = Integer.parseInt(headText.substring(9, 12));
        Response partial = new Response(status, headText, "");
        String length = partial.header("Content-Length");
        if (head || length == null) {
            if (!head && partial.header("Transfer-Encoding") != null) {
                throw new IOException("chunked response: the demo writes fixed-length responses");
            }
            return partial;
        }
        byte[] body = in.readNBytes(Integer.parseInt(length));
        return new Response(status, headText, new String(body, StandardCharsets.UTF_8));
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
