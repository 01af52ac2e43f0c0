package dev.satchel.store.file;

import dev.satchel.SessionIds;
import dev.satchel.SessionRecord;
import java.time.Clock;
import java.time.Duration;

/** Records built directly, as another program (or an attacker) would write them. */
final class FileBackedSessionManagerTestSupport {

    private final Clock clock;

    FileBackedSessionManagerTestSupport(Clock clock) {
        this.clock = clock;
    }

    /** A live record of session {@code sid} with one attribute, as of the clock's time. */
    SessionRecord record(String sid) {
        long now = clock.millis();
        return SessionRecord.builder(sid, SessionIds.newId())
                .created(now).lastAccess(now).idleTimeoutMillis(Duration.ofMinutes(30).toMillis())
                .attribute("x", "1").version(1).build();
    }
}
