package dev.satchel.store.file;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.satchel.spi.AbstractSessionManager;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;

/** Collects what the managers log while open, to count warnings. */
final class CapturedLogs implements AutoCloseable {

    private static final List<Class<?>> SOURCES = List.of(AbstractSessionManager.class, FileBackedSessionManager.class);

    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    CapturedLogs() {
        appender.start();
        for (Class<?> source : SOURCES) {
            Logger logger = (Logger) LoggerFactory.getLogger(source);
            logger.setLevel(Level.INFO);
            logger.addAppender(appender);
        }
    }

    /** Warnings and errors logged so far, formatted. */
    synchronized List<String> warnings() {
        return appender.list.stream()
                .filter(e -> e.getLevel().isGreaterOrEqual(Level.WARN))
                .map(ILoggingEvent::getFormattedMessage)
                .collect(Collectors.toList());
    }

    /** Everything logged so far at info or above, formatted. */
    synchronized List<String> infos() {
        return appender.list.stream()
                .filter(e -> e.getLevel().isGreaterOrEqual(Level.INFO))
                .map(ILoggingEvent::getFormattedMessage)
                .collect(Collectors.toList());
    }

    @Override
    public void close() {
        for (Class<?> source : SOURCES) {
            Logger logger = (Logger) LoggerFactory.getLogger(source);
            logger.detachAppender(appender);
            logger.setLevel(null);
        }
        appender.stop();
    }
}
