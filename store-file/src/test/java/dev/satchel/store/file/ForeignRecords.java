package dev.satchel.store.file;

import dev.satchel.spi.SessionIds;
import dev.satchel.spi.SessionRecord;
import java.time.Clock;
import java.time.Duration;

/** Records built directly, as another program (or an attacker) would write them. */
final class ForeignRecords {

    private ForeignRecords() {}

    /** A record of session {@code sid} with one attribute, live for 30 minutes from the clock's time. */
    static SessionRecord live(Clock clock, String sid) {
        long now = clock.millis();
        return SessionRecord.builder(sid, SessionIds.newId())
                .created(now).lastAccess(now).idleTimeoutMillis(Duration.ofMinutes(30).toMillis())
                .attribute("x", "1").version(1).build();
    }
}
