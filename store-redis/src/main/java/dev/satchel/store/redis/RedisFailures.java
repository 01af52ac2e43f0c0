package dev.satchel.store.redis;

import dev.satchel.SessionStoreException;
import dev.satchel.SessionStoreTimeoutException;
import dev.satchel.SessionStoreUnavailableException;
import dev.satchel.spi.UnreadableEntryException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.util.NoSuchElementException;
import redis.clients.jedis.exceptions.JedisAccessControlException;
import redis.clients.jedis.exceptions.JedisBusyException;
import redis.clients.jedis.exceptions.JedisClusterException;
import redis.clients.jedis.exceptions.JedisClusterOperationException;
import redis.clients.jedis.exceptions.JedisConnectionException;
import redis.clients.jedis.exceptions.JedisDataException;
import redis.clients.jedis.exceptions.JedisRedirectionException;

/**
 * Turns Jedis's exceptions into the {@link SessionStoreException} family, the cause always attached.
 * Messages name what failed and Redis's error code (such as {@code LOADING}), never a key, id or value.
 */
final class RedisFailures {

    /** Error codes of a server that is up but cannot serve now; retrying later may succeed. */
    private static final String[] TRANSIENT_CODES = {
        "LOADING", "MASTERDOWN", "READONLY", "TRYAGAIN", "CLUSTERDOWN", "NOREPLICAS", "MISCONF", "BUSY",
        "UNBLOCKED", "FAILOVER",
    };

    private RedisFailures() {}

    /** The exception to throw for {@code e}, which happened while {@code action} ("reading a session"). */
    static SessionStoreException translate(String action, RuntimeException e) {
        if (e instanceof SessionStoreException) {
            return (SessionStoreException) e;
        }
        Throwable access = find(e, JedisAccessControlException.class);
        if (access != null) {
            return new SessionStoreUnavailableException("Redis refused access while " + action + " ("
                    + code(access) + "): check the user, password and ACL permissions", e);
        }
        if (find(e, SocketTimeoutException.class) != null) {
            return new SessionStoreTimeoutException("Redis did not answer within the socket timeout while "
                    + action, e);
        }
        if (find(e, NoSuchElementException.class) != null) {
            return new SessionStoreTimeoutException("no Redis connection became free within the pool wait "
                    + "timeout while " + action, e);
        }
        if (e instanceof JedisClusterOperationException) {
            return new SessionStoreUnavailableException("Redis Cluster could not serve the request while "
                    + action + " (" + e.getMessage() + ")", e);
        }
        if (e instanceof JedisClusterException || e instanceof JedisBusyException
                || e instanceof JedisRedirectionException) {
            return new SessionStoreUnavailableException("Redis cannot serve requests now (" + code(e) + ") while "
                    + action, e);
        }
        if (e instanceof JedisDataException) {
            String code = code(e);
            if ("WRONGTYPE".equals(code)) {
                return new UnreadableEntryException("a key of this store holds another type of value ("
                        + code + ") while " + action, e);
            }
            for (String c : TRANSIENT_CODES) {
                if (c.equals(code)) {
                    return new SessionStoreUnavailableException("Redis cannot serve requests now (" + code
                            + ") while " + action, e);
                }
            }
            return new SessionStoreException("Redis answered with an error (" + code + ") while " + action, e);
        }
        if (find(e, JedisConnectionException.class) != null) {
            return new SessionStoreUnavailableException("Redis is unreachable while " + action, e);
        }
        return new SessionStoreException("Redis client failed while " + action, e);
    }

    /**
     * Whether {@code e} is an established connection that broke (reset, closed by the server, such as a
     * pooled connection to a server that restarted): the command may be sent again on another connection.
     * Not a refused connection or a timeout, where another attempt would only wait again.
     */
    static boolean isBrokenConnection(RuntimeException e) {
        return e instanceof JedisConnectionException
                && find(e, ConnectException.class) == null
                && find(e, SocketTimeoutException.class) == null
                && find(e, JedisAccessControlException.class) == null;
    }

    /**
     * Redis's error code: the first word of the error reply, such as {@code LOADING}, when it is one (upper
     * case letters only); otherwise the exception's class name. Never more of the message.
     */
    static String code(Throwable e) {
        String m = e.getMessage();
        if (m != null) {
            int end = 0;
            while (end < m.length() && end < 32 && m.charAt(end) >= 'A' && m.charAt(end) <= 'Z') {
                end++;
            }
            if (end > 1 && (end == m.length() || m.charAt(end) == ' ')) {
                return m.substring(0, end);
            }
        }
        return e.getClass().getSimpleName();
    }

    private static Throwable find(Throwable e, Class<? extends Throwable> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return t;
            }
        }
        return null;
    }
}
