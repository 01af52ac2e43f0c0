package dev.satchel.store.file;

import dev.satchel.SessionManager;
import dev.satchel.spi.SessionManagerProvider;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.HashSet;
import java.util.Locale;
import java.util.Set;

/**
 * Opens {@code file:} URIs for {@link dev.satchel.SessionManagers}: a {@link FileBackedSessionManager} over the
 * directory the URI names — {@code file:/var/lib/app/sessions}, {@code file:///var/lib/app/sessions}, or a
 * relative {@code file:satchel-data/sessions} (against the working directory) — with settings in its query,
 * {@code file:/var/lib/app/sessions?fsync=data_and_directory&sweepInterval=PT5M}:
 * <ul>
 *   <li>{@code fsync}: {@code none}, {@code data} or {@code data_and_directory} (see
 *       {@link FileBackedSessionManager.Fsync});</li>
 *   <li>{@code sweepInterval}: an ISO-8601 duration such as {@code PT5M}; {@code PT0S} runs no background
 *       sweeper;</li>
 *   <li>{@code lockTimeout}: an ISO-8601 duration such as {@code PT10S}.</li>
 * </ul>
 * Percent-escapes in the path are decoded ({@code %20} is a space; {@code +} stays a plus). A host other than
 * {@code localhost}, a fragment, an empty path, an unknown or repeated setting is refused. Registered with
 * {@link java.util.ServiceLoader}; thread-safe.
 */
public final class FileProvider implements SessionManagerProvider {

    private static final String FORM = "a file: URI is file:PATH or file:///PATH, with settings fsync, sweepInterval,"
            + " lockTimeout";

    /** For {@link java.util.ServiceLoader}. */
    public FileProvider() {}

    @Override
    public Set<String> schemes() {
        return Set.of("file");
    }

    /**
     * @throws IllegalArgumentException if the URI or a setting is malformed, or a setting unknown or repeated
     * @throws dev.satchel.SessionStoreUnavailableException if the directory cannot be created or written
     */
    @Override
    public SessionManager open(URI uri, Context context) {
        String rawPath;
        String rawQuery;
        if (uri.isOpaque()) { // file:relative/path?query: the query is part of the scheme-specific part
            String part = uri.getRawSchemeSpecificPart();
            int question = part.indexOf('?');
            rawPath = question < 0 ? part : part.substring(0, question);
            rawQuery = question < 0 ? null : part.substring(question + 1);
        } else {
            String host = uri.getHost();
            if (uri.getRawAuthority() != null && !uri.getRawAuthority().isEmpty()
                    && (host == null || !host.equalsIgnoreCase("localhost") || uri.getRawUserInfo() != null
                            || uri.getPort() != -1)) {
                throw new IllegalArgumentException("a file: URI names a directory on this host; it has another host");
            }
            rawPath = uri.getRawPath();
            rawQuery = uri.getRawQuery();
        }
        if (uri.getRawFragment() != null || rawPath == null || rawPath.isEmpty()) {
            throw new IllegalArgumentException(FORM);
        }
        FileBackedSessionManager.Builder b = FileBackedSessionManager.builder(Path.of(decode(rawPath)))
                .clock(context.clock()).metrics(context.metrics());
        Set<String> seen = new HashSet<>();
        for (String pair : rawQuery == null || rawQuery.isEmpty() ? new String[0] : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            String name = decode(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
            if (!seen.add(name)) {
                throw new IllegalArgumentException("the setting " + name + " appears twice in the file: URI");
            }
            switch (name) {
                case "fsync":
                    b.fsync(fsync(value));
                    break;
                case "sweepInterval":
                    Duration interval = duration(name, value);
                    if (interval.isZero()) {
                        b.withoutBackgroundSweeper();
                    } else {
                        b.sweepInterval(interval);
                    }
                    break;
                case "lockTimeout":
                    b.lockTimeout(duration(name, value));
                    break;
                default:
                    throw new IllegalArgumentException(FORM + "; it has another one");
            }
        }
        return b.build();
    }

    private static FileBackedSessionManager.Fsync fsync(String value) {
        for (FileBackedSessionManager.Fsync mode : FileBackedSessionManager.Fsync.values()) {
            if (mode.name().toLowerCase(Locale.ROOT).equals(value)) {
                return mode;
            }
        }
        throw new IllegalArgumentException("the setting fsync must be none, data or data_and_directory, was " + value);
    }

    private static Duration duration(String name, String value) {
        try {
            return Duration.parse(value);
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException("the setting " + name + " must be an ISO-8601 duration such as PT10S, was "
                    + value);
        }
    }

    /** Decodes percent-escapes (UTF-8); unlike a form decoder, leaves {@code +} as it is. */
    private static String decode(String raw) {
        if (raw.indexOf('%') < 0) {
            return raw;
        }
        StringBuilder out = new StringBuilder(raw.length());
        ByteArrayOutputStream escaped = new ByteArrayOutputStream();
        for (int i = 0; i < raw.length(); ) {
            char c = raw.charAt(i);
            if (c == '%') {
                int high = i + 2 < raw.length() ? Character.digit(raw.charAt(i + 1), 16) : -1;
                int low = high < 0 ? -1 : Character.digit(raw.charAt(i + 2), 16);
                if (low < 0) {
                    throw new IllegalArgumentException("a file: URI has a malformed percent-escape");
                }
                escaped.write(high * 16 + low);
                i += 3;
            } else {
                out.append(escaped.toString(StandardCharsets.UTF_8));
                escaped.reset();
                out.append(c);
                i++;
            }
        }
        return out.append(escaped.toString(StandardCharsets.UTF_8)).toString();
    }
}
