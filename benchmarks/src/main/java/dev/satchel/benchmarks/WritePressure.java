package dev.satchel.benchmarks;

import dev.satchel.HttpSessions;
import dev.satchel.InMemorySessionManager;
import dev.satchel.Session;
import dev.satchel.SessionManager;
import dev.satchel.SigningKeys;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.session.MapSession;
import org.springframework.session.MapSessionRepository;

/**
 * Store writes caused by read-only traffic: one session receives {@value #REQUESTS} requests that only read,
 * one every {@code gap}, on a simulated clock (so this is a count, not a time). Satchel's
 * {@code HttpSessions} with its default touch throttling (a touch once a tenth of the 30-minute idle timeout
 * has passed) against Spring Session's request cycle as {@code SessionRepositoryFilter} runs it:
 * {@code findById}, {@code setLastAccessedTime(now)}, {@code save} on every request.
 *
 * <p>Counted by {@link Report} (run by {@code benchmarks/run}), which puts the table in {@code BENCHMARKS.md}.
 */
final class WritePressure {

    static final int REQUESTS = 1000;
    static final Duration IDLE_TIMEOUT = Duration.ofMinutes(30);
    /** The default touch threshold of {@code HttpSessions}: a tenth of the idle timeout. */
    static final Duration TOUCH_INTERVAL = IDLE_TIMEOUT.dividedBy(10);

    private WritePressure() {}

    /** One count: writes per {@value #REQUESTS} read-only requests arriving {@code gap} apart. */
    static final class Row {
        final String implementation;
        final Duration gap;
        final long writes;
        /** How many touch intervals the requests span. */
        final double touchIntervals;

        Row(String implementation, Duration gap, long writes) {
            this.implementation = implementation;
            this.gap = gap;
            this.writes = writes;
            this.touchIntervals = (double) gap.multipliedBy(REQUESTS).toMillis() / TOUCH_INTERVAL.toMillis();
        }

        double writesPerTouchInterval() {
            return writes / touchIntervals;
        }
    }

    /** Every count, for the gaps a busy, an ordinary and a slow user leave between requests. */
    static List<Row> measure() {
        List<Row> rows = new ArrayList<>();
        for (Duration gap : List.of(Duration.ofSeconds(1), Duration.ofSeconds(5), Duration.ofSeconds(20))) {
            rows.add(new Row("Satchel HttpSessions (default touch throttling)", gap, satchel(gap)));
            rows.add(new Row("Spring Session (findById + setLastAccessedTime + save)", gap, spring(gap)));
        }
        return rows;
    }

    /** Store writes (puts) after the session was created. */
    static long satchel(Duration gap) {
        SimulatedClock clock = new SimulatedClock(Instant.parse("2030-01-01T00:00:00Z"));
        CountingManager manager = new CountingManager(InMemorySessionManager.builder().clock(clock).withoutBackgroundSweeper().build());
        HttpSessions sessions = HttpSessions.builder().manager(manager).signingKeys(SigningKeys.of(Population.KEY))
                .idleTimeout(IDLE_TIMEOUT).clock(clock).build();
        Session s = sessions.open(null);
        TypicalSession.fill(s, 1);
        String cookie = Population.cookieHeader(Population.cookieValue(sessions.commit(s).orElseThrow()));
        long created = manager.puts;
        for (int r = 0; r < REQUESTS; r++) {
            clock.advance(gap);
            Session read = sessions.open(cookie);
            if (read.isNew() || read.get("user") == null) {
                throw new IllegalStateException("the session was lost during the simulation");
            }
            sessions.commit(read);
        }
        return manager.puts - created;
    }

    /** {@code save} calls after the session was created: each writes the session (in Redis, its changed fields). */
    static long spring(Duration gap) {
        SimulatedClock clock = new SimulatedClock(Instant.now());
        CountingRepository repository = new CountingRepository();
        MapSession s = repository.createSession();
        s.setLastAccessedTime(clock.instant());
        s.setMaxInactiveInterval(IDLE_TIMEOUT);
        TypicalSession.attributes(1).forEach(s::setAttribute);
        repository.save(s);
        long created = repository.saves;
        for (int r = 0; r < REQUESTS; r++) {
            clock.advance(gap);
            MapSession read = repository.findById(s.getId());
            if (read == null || read.getAttribute("user") == null) {
                throw new IllegalStateException("the session was lost during the simulation");
            }
            read.setLastAccessedTime(clock.instant()); // SessionRepositoryFilter, when the session is first used
            repository.save(read);                    // SessionRepositoryFilter, when the request ends
        }
        return repository.saves - created;
    }

    /** A clock that moves only when told. */
    static final class SimulatedClock extends Clock {
        private volatile Instant now;

        SimulatedClock(Instant start) {
            this.now = start;
        }

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            throw new UnsupportedOperationException();
        }
    }

    /** Counts the writes that reach the store. */
    static final class CountingManager implements SessionManager {
        private final SessionManager delegate;
        long puts;

        CountingManager(SessionManager delegate) {
            this.delegate = delegate;
        }

        @Override
        public Session newSession() {
            return delegate.newSession();
        }

        @Override
        public boolean exists(String sid) {
            return delegate.exists(sid);
        }

        @Override
        public Optional<Session> get(String sid) {
            return delegate.get(sid);
        }

        @Override
        public boolean put(Session session) {
            puts++;
            return delegate.put(session);
        }

        @Override
        public void remove(String sid) {
            delegate.remove(sid);
        }

        @Override
        public void close() {
            delegate.close();
        }
    }

    /** Counts {@code save} calls. */
    static final class CountingRepository extends MapSessionRepository {
        long saves;

        CountingRepository() {
            super(new ConcurrentHashMap<>());
        }

        @Override
        public void save(MapSession session) {
            saves++;
            super.save(session);
        }
    }
}
