package dev.satchel.benchmarks;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import javax.sql.DataSource;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.jdbc.datasource.DataSourceTransactionManager;
import org.springframework.session.Session;
import org.springframework.session.SessionRepository;
import org.springframework.session.jdbc.JdbcIndexedSessionRepository;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * Spring Session JDBC's {@code JdbcIndexedSessionRepository} as Spring Boot configures it: its own
 * PostgreSQL schema (the {@code schema-postgresql.sql} shipped in its jar), a {@code JdbcTemplate} and a
 * {@code TransactionTemplate} over a {@code DataSourceTransactionManager} on the benchmark's pool, values
 * in JDK serialization (its default), save mode {@code ON_SET_ATTRIBUTE}. {@code get} is {@code findById};
 * {@code put} sets the last access time (as {@code SessionRepositoryFilter} does on every request) and one
 * attribute, then {@code save} writes what changed.
 */
final class SpringJdbcClient implements StoreClient {

    /** Typed as applications see it: the session class itself is not public. */
    private final SessionRepository<Session> repository;
    private final AutoCloseable cleanup;
    private final String[] ids;

    @SuppressWarnings({"unchecked", "rawtypes"})
    SpringJdbcClient(DataSource pool, int sessions, AutoCloseable cleanup) {
        this.cleanup = cleanup;
        this.ids = new String[sessions];
        JdbcTemplate jdbc = new JdbcTemplate(pool);
        for (String statement : schema().split(";")) {
            if (!statement.isBlank()) {
                jdbc.execute(statement);
            }
        }
        JdbcIndexedSessionRepository jdbcRepository = new JdbcIndexedSessionRepository(jdbc,
                new TransactionTemplate(new DataSourceTransactionManager(pool)));
        jdbcRepository.setDefaultMaxInactiveInterval(Population.IDLE_TIMEOUT);
        repository = (SessionRepository) jdbcRepository;
    }

    @Override
    public void create(int n) {
        Session s = repository.createSession();
        TypicalSession.attributes(n).forEach(s::setAttribute);
        repository.save(s);
        ids[n] = s.getId();
    }

    @Override
    public Object get(int n) {
        Session s = repository.findById(ids[n]);
        if (s == null) {
            throw new IllegalStateException("a stored session was not found");
        }
        return s;
    }

    @Override
    public Object put(Object loaded, int n, int value) {
        Session s = (Session) loaded;
        s.setLastAccessedTime(Instant.now());
        s.setAttribute(TypicalSession.CHANGED, value);
        repository.save(s);
        return s;
    }

    @Override
    public void close() throws Exception {
        cleanup.close();
    }

    /** Spring Session JDBC's own PostgreSQL schema, from its jar, comments removed. */
    private static String schema() {
        try (InputStream in = JdbcIndexedSessionRepository.class.getResourceAsStream("schema-postgresql.sql")) {
            if (in == null) {
                throw new IllegalStateException("schema-postgresql.sql is not in spring-session-jdbc's jar");
            }
            StringBuilder b = new StringBuilder();
            for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
                if (!line.trim().startsWith("--")) {
                    b.append(line).append('\n');
                }
            }
            return b.toString();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
