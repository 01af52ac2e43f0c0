package dev.satchel.servlet;

import dev.satchel.SessionStoreException;
import jakarta.servlet.ServletOutputStream;
import jakarta.servlet.WriteListener;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpServletResponseWrapper;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.CharBuffer;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Objects;

/**
 * The response the application sees. It decides when the first byte leaves: the start of the body (up to
 * the response's buffer size) is held here, not in the container, until the session is committed, so the
 * session's {@code Set-Cookie} is always added before anything is sent — whatever the container's own
 * buffering, character encoding or {@code Content-Length} handling. The body is held once, then written
 * straight through. Every path that commits a response (a write past the buffer, {@code flush},
 * {@code flushBuffer}, {@code close}, {@code sendRedirect}, {@code sendError}, a reached
 * {@code Content-Length}) first passes the commit point.
 *
 * <p>Cookies are added to the container's response this wrapper was created over, not through
 * {@link #getResponse()}: during an include Tomcat slips a wrapper below this one that ignores headers.
 *
 * <p>Like every servlet response, not thread-safe.
 */
final class SessionResponse extends HttpServletResponseWrapper {

    /** Servlet 6.1's {@code sendRedirect(String, int, boolean)}; null on a 6.0 container, where nothing can call it. */
    private static final MethodHandle REDIRECT = redirectHandle();

    /**
     * The first array a held body gets, in bytes or characters, unless the first write is larger: most bodies
     * that are held whole are small (a JSON answer, a redirect's text), and a larger one doubles it as it grows.
     */
    private static final int FIRST_HOLD = 64;

    private final RequestState state;
    private final HttpServletResponse target;
    private long contentLength = -1;
    private HeldStream stream;
    private HeldWriter writer;
    private PrintWriter printWriter;
    /** Set once a dispatch or timeout let everything through. */
    private boolean through;

    SessionResponse(RequestState state, HttpServletResponse target) {
        super(target);
        this.state = state;
        this.target = target;
    }

    /** The container's response cookies go to. */
    HttpServletResponse target() {
        return target;
    }

    /** The commit point before bytes leave; a store failure turns the response into an error and throws. */
    void beforeOutput() throws IOException {
        try {
            state.beforeOutput(this);
        } catch (SessionStoreException e) {
            throw state.storeFailed(e, this);
        }
    }

    /** Writes what is held to the container (the session was committed) and every later byte straight through. */
    void passHeld() throws IOException {
        if (stream != null) {
            stream.pass();
        }
        if (writer != null) {
            writer.pass();
        }
    }

    /** Like {@link #passHeld}, and a stream or writer obtained later holds nothing either. */
    void passThrough() throws IOException {
        through = true;
        passHeld();
    }

    /** Drops what is held: the container's error page or redirect replaces the body. */
    void discardHeld() {
        if (stream != null) {
            stream.discard();
        }
        if (writer != null) {
            writer.discard();
        }
    }

    boolean holds() {
        return (stream != null && stream.count > 0) || (writer != null && writer.count > 0);
    }

    private int holdCapacity() {
        return through || state.unseenForward() ? 0 : Math.max(0, getBufferSize());
    }

    @Override
    public ServletOutputStream getOutputStream() throws IOException {
        if (stream == null) {
            stream = new HeldStream(super.getOutputStream());
        }
        return stream;
    }

    @Override
    public PrintWriter getWriter() throws IOException {
        if (printWriter == null) {
            PrintWriter inner = super.getWriter();
            writer = new HeldWriter(inner, getCharacterEncoding());
            printWriter = new PrintWriter(writer, false);
        }
        return printWriter;
    }

    @Override
    public void flushBuffer() throws IOException {
        beforeOutput();
        passHeld();
        super.flushBuffer();
    }

    @Override
    public void sendRedirect(String location) throws IOException {
        beforeOutput();
        discardHeld();
        super.sendRedirect(location);
    }

    /** Servlet 6.1. */
    public void sendRedirect(String location, int sc, boolean clearBuffer) throws IOException {
        beforeOutput();
        if (clearBuffer) {
            discardHeld();
        } else {
            passHeld();
        }
        if (REDIRECT == null) {
            throw new UnsupportedOperationException("sendRedirect(String, int, boolean) needs a Servlet 6.1 container");
        }
        try {
            REDIRECT.invoke(getResponse(), location, sc, clearBuffer);
        } catch (IOException | RuntimeException | Error e) {
            throw e;
        } catch (Throwable e) {
            throw new IOException(e);
        }
    }

    /** Servlet 6.1. */
    public void sendRedirect(String location, int sc) throws IOException {
        sendRedirect(location, sc, true);
    }

    /** Servlet 6.1. */
    public void sendRedirect(String location, boolean clearBuffer) throws IOException {
        sendRedirect(location, SC_FOUND, clearBuffer);
    }

    @Override
    public void sendError(int sc, String msg) throws IOException {
        beforeOutput();
        discardHeld();
        super.sendError(sc, msg);
    }

    @Override
    public void sendError(int sc) throws IOException {
        beforeOutput();
        discardHeld();
        super.sendError(sc);
    }

    @Override
    public void setContentLength(int len) {
        super.setContentLength(len);
        contentLength = len;
    }

    @Override
    public void setContentLengthLong(long len) {
        super.setContentLengthLong(len);
        contentLength = len;
    }

    @Override
    public void setHeader(String name, String value) {
        super.setHeader(name, value);
        if ("Content-Length".equalsIgnoreCase(name)) {
            contentLength = parseLength(value);
        }
    }

    @Override
    public void addHeader(String name, String value) {
        super.addHeader(name, value);
        if ("Content-Length".equalsIgnoreCase(name)) {
            contentLength = parseLength(value);
        }
    }

    @Override
    public void setIntHeader(String name, int value) {
        super.setIntHeader(name, value);
        if ("Content-Length".equalsIgnoreCase(name)) {
            contentLength = value;
        }
    }

    @Override
    public void addIntHeader(String name, int value) {
        super.addIntHeader(name, value);
        if ("Content-Length".equalsIgnoreCase(name)) {
            contentLength = value;
        }
    }

    @Override
    public void setBufferSize(int size) {
        if (holds()) {
            throw new IllegalStateException("content has already been written");
        }
        super.setBufferSize(size);
    }

    @Override
    public void resetBuffer() {
        discardHeld();
        super.resetBuffer();
    }

    /** Clears what the application set; the session cookie already added is kept (it would orphan the session). */
    @Override
    public void reset() {
        discardHeld();
        super.reset();
        contentLength = -1;
        stream = null;
        writer = null;
        printWriter = null;
        state.afterReset(this);
    }

    private static long parseLength(String value) {
        if (value == null) {
            return -1;
        }
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static Charset charset(String name) {
        try {
            return name == null ? StandardCharsets.ISO_8859_1 : Charset.forName(name);
        } catch (RuntimeException e) {
            return StandardCharsets.UTF_8; // the container accepted it; count as UTF-8
        }
    }

    private static MethodHandle redirectHandle() {
        try {
            return MethodHandles.publicLookup().findVirtual(HttpServletResponse.class, "sendRedirect",
                    MethodType.methodType(void.class, String.class, int.class, boolean.class));
        } catch (NoSuchMethodException | IllegalAccessException e) {
            return null;
        }
    }

    /** Holds the start of a byte body; see the class comment. */
    private final class HeldStream extends ServletOutputStream {
        private final ServletOutputStream out;
        private byte[] buf;
        int count;
        private boolean passing;

        HeldStream(ServletOutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            if (!room(1)) {
                out.write(b);
                return;
            }
            buf[count++] = (byte) b;
            reachedLength();
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, b.length);
            if (!room(len)) {
                out.write(b, off, len);
                return;
            }
            System.arraycopy(b, off, buf, count, len);
            count += len;
            reachedLength();
        }

        /** Whether {@code len} more bytes are held; if not, everything held so far has been released. */
        private boolean room(int len) throws IOException {
            if (passing) {
                return false;
            }
            if (count + len > holdCapacity()) {
                release();
                return false;
            }
            ensure(count + len);
            return true;
        }

        @Override
        public void flush() throws IOException {
            release();
            out.flush();
        }

        @Override
        public void close() throws IOException {
            release();
            out.close();
        }

        @Override
        public boolean isReady() {
            return !passing || out.isReady();
        }

        /** Non-blocking output: the session is committed now and every byte goes straight through. */
        @Override
        public void setWriteListener(WriteListener listener) {
            try {
                release();
            } catch (IOException e) {
                listener.onError(e);
                return;
            }
            out.setWriteListener(listener);
        }

        private void reachedLength() throws IOException {
            if (contentLength >= 0 && count >= contentLength) {
                release();
                out.flush(); // the body is complete: send it now (Tomcat 10.1 would wait for the end of the request)
            }
        }

        private void release() throws IOException {
            passing = true; // first: nothing may be held again once the commit point starts
            beforeOutput();
            pass();
        }

        void pass() throws IOException {
            passing = true;
            if (count > 0) {
                int n = count;
                count = 0;
                out.write(buf, 0, n);
            }
            buf = null;
        }

        void discard() {
            count = 0;
            buf = null;
        }

        private void ensure(int size) {
            if (buf == null) {
                buf = new byte[Math.min(holdCapacity(), Math.max(size, FIRST_HOLD))];
            } else if (size > buf.length) {
                buf = Arrays.copyOf(buf, Math.min(holdCapacity(), Math.max(size, buf.length * 2)));
            }
        }
    }

    /** Holds the start of a character body; see the class comment. */
    private final class HeldWriter extends Writer {
        private final PrintWriter out;
        /** The response's character encoding when the writer was obtained (it cannot change after that). */
        private final String encoding;
        /** Resolved from {@link #encoding} on first use: only a declared Content-Length needs it. */
        private Charset charset;
        private char[] buf;
        int count;
        /** Bytes the held characters encode to, counted only when a Content-Length was declared. */
        private long bytes;
        private boolean passing;

        HeldWriter(PrintWriter out, String encoding) {
            this.out = out;
            this.encoding = encoding;
        }

        @Override
        public void write(int c) throws IOException {
            if (!room(1)) {
                out.write(c);
                return;
            }
            buf[count++] = (char) c;
            reachedLength(count - 1, 1);
        }

        @Override
        public void write(char[] cbuf, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, cbuf.length);
            if (!room(len)) {
                out.write(cbuf, off, len);
                return;
            }
            System.arraycopy(cbuf, off, buf, count, len);
            count += len;
            reachedLength(count - len, len);
        }

        @Override
        public void write(String s, int off, int len) throws IOException {
            Objects.checkFromIndexSize(off, len, s.length());
            if (!room(len)) {
                out.write(s, off, len);
                return;
            }
            s.getChars(off, off + len, buf, count);
            count += len;
            reachedLength(count - len, len);
        }

        /** Whether {@code len} more characters are held; if not, everything held so far has been released. */
        private boolean room(int len) throws IOException {
            if (passing) {
                return false;
            }
            if (count + len > holdCapacity()) {
                release();
                return false;
            }
            ensure(count + len);
            return true;
        }

        @Override
        public void flush() throws IOException {
            release();
            out.flush();
        }

        @Override
        public void close() throws IOException {
            release();
            out.close();
        }

        private void reachedLength(int from, int len) throws IOException {
            if (contentLength < 0) {
                return;
            }
            bytes += encodedLength(buf, from, len);
            if (bytes >= contentLength) {
                release();
                out.flush();
            }
        }

        private long encodedLength(char[] chars, int from, int len) {
            if (charset == null) {
                charset = charset(encoding);
            }
            if (charset == StandardCharsets.UTF_8) {
                long n = 0;
                for (int i = from, end = from + len; i < end; i++) {
                    char c = chars[i];
                    n += c < 0x80 ? 1 : c < 0x800 ? 2 : Character.isHighSurrogate(c) ? 4 : Character.isLowSurrogate(c) ? 0 : 3;
                }
                return n;
            }
            if (charset == StandardCharsets.ISO_8859_1 || charset == StandardCharsets.US_ASCII) {
                return len;
            }
            return charset.encode(CharBuffer.wrap(chars, from, len)).remaining();
        }

        private void release() throws IOException {
            passing = true;
            beforeOutput();
            pass();
        }

        void pass() {
            passing = true;
            if (count > 0) {
                int n = count;
                count = 0;
                out.write(buf, 0, n);
            }
            buf = null;
            bytes = 0;
        }

        void discard() {
            count = 0;
            bytes = 0;
            buf = null;
        }

        private void ensure(int size) {
            if (buf == null) {
                buf = new char[Math.min(holdCapacity(), Math.max(size, FIRST_HOLD))];
            } else if (size > buf.length) {
                buf = Arrays.copyOf(buf, Math.min(holdCapacity(), Math.max(size, buf.length * 2)));
            }
        }
    }
}
