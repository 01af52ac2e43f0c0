package dev.satchel.store.file;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import java.util.stream.Collectors;
import org.slf4j.LoggerFactory;

/** Collects what Satchel ({@code dev.satchel.*}: the manager and the store) logs while open, to count warnings. */
final class CapturedLogs implements AutoCloseable {

    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
    private final Logger satchel = (Logger) LoggerFactory.getLogger("dev.satchel");

    CapturedLogs() {
        appender.start();
        satchel.setLevel(Level.INFO);
        satchel.addAppender(appender);
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
        satchel.detachAppender(appender);
        satchel.setLevel(null);
        appender.stop();
    }
}
