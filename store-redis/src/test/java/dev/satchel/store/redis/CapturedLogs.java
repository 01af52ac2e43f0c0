package dev.satchel.store.redis;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.read.ListAppender;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.LoggerFactory;

/**
 * Collects, while open, everything the named loggers (and their children) log at {@code level} or above,
 * instead of printing it; restores them on close.
 */
final class CapturedLogs implements AutoCloseable {

    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final List<Logger> loggers = new ArrayList<>();

    CapturedLogs(Level level, String... names) {
        appender.start();
        for (String name : names) {
            Logger logger = (Logger) LoggerFactory.getLogger(name);
            logger.setLevel(level);
            logger.setAdditive(false);
            logger.addAppender(appender);
            loggers.add(logger);
        }
    }

    /** The formatted messages logged at WARN or above so far. */
    List<String> warnings() {
        List<String> warnings = new ArrayList<>();
        for (ILoggingEvent e : events()) {
            if (e.getLevel().isGreaterOrEqual(Level.WARN)) {
                warnings.add(e.getFormattedMessage());
            }
        }
        return warnings;
    }

    /** Every formatted message so far, each followed by the messages of its throwable, causes and suppressed. */
    List<String> text() {
        List<String> text = new ArrayList<>();
        for (ILoggingEvent e : events()) {
            text.add(e.getFormattedMessage());
            addThrowable(text, e.getThrowableProxy());
        }
        return text;
    }

    private List<ILoggingEvent> events() {
        synchronized (appender) {
            return new ArrayList<>(appender.list);
        }
    }

    private static void addThrowable(List<String> text, IThrowableProxy t) {
        for (int depth = 0; t != null && depth < 20; depth++, t = t.getCause()) {
            text.add(t.getClassName() + ": " + t.getMessage());
            for (IThrowableProxy s : t.getSuppressed()) {
                addThrowable(text, s);
            }
        }
    }

    @Override
    public void close() {
        for (Logger logger : loggers) {
            logger.detachAppender(appender);
            logger.setAdditive(true);
            logger.setLevel(null);
        }
        appender.stop();
    }
}
