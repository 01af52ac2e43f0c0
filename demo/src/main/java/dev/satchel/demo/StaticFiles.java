package dev.satchel.demo;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The stylesheet, the script and the icon, shipped in the jar and read once at start: no CDN, nothing
 * fetched from elsewhere, no file system path ever built from a request.
 */
final class StaticFiles {

    /** One file: its bytes and its media type. */
    record File(byte[] bytes, String type) {}

    private static final Map<String, String> TYPES = Map.of(
            "/style.css", "text/css; charset=utf-8",
            "/app.js", "text/javascript; charset=utf-8",
            "/favicon.svg", "image/svg+xml");

    private final Map<String, File> files;

    private StaticFiles(Map<String, File> files) {
        this.files = files;
    }

    /**
     * Reads every file from the class path.
     *
     * @throws UncheckedIOException if one is missing (a broken jar)
     */
    static StaticFiles load() {
        Map<String, File> files = new java.util.HashMap<>();
        for (Map.Entry<String, String> e : TYPES.entrySet()) {
            String resource = "static" + e.getKey();
            try (InputStream in = StaticFiles.class.getResourceAsStream(resource)) {
                if (in == null) {
                    throw new UncheckedIOException(new IOException("missing from the jar: " + resource));
                }
                files.put(e.getKey(), new File(in.readAllBytes(), e.getValue()));
            } catch (IOException x) {
                throw new UncheckedIOException(x);
            }
        }
        return new StaticFiles(Map.copyOf(files));
    }

    /** The file served at {@code path}, or {@code null}. */
    File get(String path) {
        return files.get(path);
    }
}
