package dev.satchel.benchmarks;

import java.time.Instant;
import org.springframework.data.redis.connection.RedisStandaloneConfiguration;
import org.springframework.data.redis.connection.lettuce.LettuceConnectionFactory;
import org.springframework.data.redis.core.RedisTemplate;
import org.springframework.data.redis.serializer.RedisSerializer;
import org.springframework.session.Session;
import org.springframework.session.SessionRepository;
import org.springframework.session.data.redis.RedisSessionRepository;

/**
 * Spring Session Data Redis's {@code RedisSessionRepository} as Spring Boot configures it: a
 * {@code LettuceConnectionFactory} (Spring Data Redis's default client, one shared connection), a
 * {@code RedisTemplate} with string keys and hash keys and the default JDK serialization of values.
 * {@code get} is {@code findById}; {@code put} sets the last access time (as {@code SessionRepositoryFilter}
 * does on every request) and one attribute, then {@code save} writes the changed fields.
 */
final class SpringRedisClient implements StoreClient {

    private final LettuceConnectionFactory factory;
    /** Typed as applications see it: the session class itself is not public. */
    private final SessionRepository<Session> repository;
    private final AutoCloseable cleanup;
    private final String[] ids;

    @SuppressWarnings({"unchecked", "rawtypes"})
    SpringRedisClient(RedisProcess redis, int sessions) {
        this.cleanup = redis;
        this.ids = new String[sessions];
        factory = new LettuceConnectionFactory(new RedisStandaloneConfiguration(redis.host(), redis.port()));
        factory.afterPropertiesSet();
        factory.start();
        RedisTemplate<String, Object> template = new RedisTemplate<>();
        template.setConnectionFactory(factory);
        template.setKeySerializer(RedisSerializer.string());
        template.setHashKeySerializer(RedisSerializer.string());
        template.afterPropertiesSet();
        RedisSessionRepository redisRepository = new RedisSessionRepository(template);
        redisRepository.setDefaultMaxInactiveInterval(Population.IDLE_TIMEOUT);
        repository = (SessionRepository) redisRepository;
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
        try {
            factory.destroy();
        } finally {
            cleanup.close();
        }
    }
}
