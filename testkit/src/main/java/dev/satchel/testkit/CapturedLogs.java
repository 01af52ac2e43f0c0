package dev.satchel.testkit;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;

/**
 * Captures what the loggers under a name prefix log while it is open, so a test can assert how often
 * something was logged and at which level. Needs logback-classic as the SLF4J backend of the test
 * (an optional dependency of the testkit); {@link #available()} says whether it is.
 *
 * <pre>{@code
 * try (CapturedLogs logs = CapturedLogs.of("dev.satchel")) {
 *     ...
 *     assertEquals(1, logs.count(Level.WARN, "unreadable"));
 * }
 * }</pre>
 */
public final class CapturedLogs implements AutoCloseable {

    private final Logger logger;
    private final Level previous;
    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    private CapturedLogs(Logger logger) {
        this.logger = logger;
        this.previous = logger.getLevel();
        appender.setContext(logger.getLoggerContext());
        appender.start();
        logger.addAppender(appender);
        logger.setLevel(Level.DEBUG);
    }

    /** Whether logback is the SLF4J backend here, so logs can be captured. */
    public static boolean available() {
        try {
            return LoggerFactory.getILoggerFactory() instanceof LoggerContext;
        } catch (NoClassDefFoundError e) {
            return false;
        }
    }

    /**
     * Starts capturing DEBUG and above from the loggers named {@code prefix} and below.
     *
     * @throws IllegalStateException if logback is not the backend
     */
    public static CapturedLogs of(String prefix) {
        if (!available()) {
            throw new IllegalStateException("capturing logs needs logback-classic as the SLF4J backend of the test");
        }
        return new CapturedLogs((Logger) LoggerFactory.getLogger(prefix));
    }

    /** Every event captured so far. */
    public synchronized List<ILoggingEvent> events() {
        return List.copyOf(appender.list);
    }

    /** How many events at exactly {@code level} have a formatted message containing {@code text}. */
    public long count(Level level, String text) {
        return events().stream()
                .filter(e -> e.getLevel() == level && e.getFormattedMessage().contains(text))
                .count();
    }

    /** Every formatted message, one per line, for failure messages. */
    public String dump() {
        return events().stream().map(e -> e.getLevel() + " " + e.getFormattedMessage()).collect(Collectors.joining("\n"));
    }

    @Override
    public void close() {
        logger.detachAppender(appender);
        logger.setLevel(previous);
        appender.stop();
    }
}
