package dev.satchel.store.file;

import ch.qos.logback.classic.Level;
import dev.satchel.testkit.CapturedLogs;
import java.util.List;
import java.util.stream.Collectors;

/** The formatted messages {@link CapturedLogs} caught, by level. */
final class LogLines {

    private LogLines() {}

    /** Warnings and errors, formatted. */
    static List<String> warnings(CapturedLogs logs) {
        return atLeast(logs, Level.WARN);
    }

    /** Everything at INFO or above, formatted. */
    static List<String> infos(CapturedLogs logs) {
        return atLeast(logs, Level.INFO);
    }

    private static List<String> atLeast(CapturedLogs logs, Level level) {
        return logs.events().stream().filter(e -> e.getLevel().isGreaterOrEqual(level))
                .map(e -> e.getFormattedMessage()).collect(Collectors.toList());
    }
}
