package dev.satchel.store.redis;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import redis.clients.jedis.AbstractPipeline;
import redis.clients.jedis.Response;
import redis.clients.jedis.UnifiedJedis;
import redis.clients.jedis.exceptions.JedisNoScriptException;

/**
 * One Lua script of this package, called by its SHA-1 ({@code EVALSHA}). Redis keeps scripts in a cache
 * that a restart, a {@code SCRIPT FLUSH} or a failover to a node that never saw the script empties; the
 * {@code NOSCRIPT} answer is then met with one {@code EVAL} of the body, which runs the call and caches
 * the script on that node again, so there is no separate load step to forget. Thread-safe.
 */
final class LuaScript {

    private final String body;
    private final String sha;

    private LuaScript(String body) {
        this.body = body;
        this.sha = sha1Hex(body);
    }

    /** The script in resource {@code name} next to this class. */
    static LuaScript named(String name) {
        try (InputStream in = LuaScript.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IllegalStateException("script resource " + name + " is missing from the jar");
            }
            return new LuaScript(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException("script resource " + name + " cannot be read", e);
        }
    }

    /** The SHA-1 Redis knows the script by. */
    String sha() {
        return sha;
    }

    /** Runs the script on the node that owns {@code keys} (all in one hash slot). */
    Object run(UnifiedJedis jedis, List<String> keys, List<String> args) {
        try {
            return jedis.evalsha(sha, keys, args);
        } catch (JedisNoScriptException e) {
            return jedis.eval(body, keys, args);
        }
    }

    /**
     * Runs the script and then {@code WAIT replicas timeout} on the same connection (a pipeline: WAIT
     * counts the replicas that have every write made on its own connection), and returns the script's
     * answer and the number of replicas that acknowledged.
     */
    Acknowledged runAndWait(UnifiedJedis jedis, List<String> keys, List<String> args, int replicas, long timeoutMillis) {
        Acknowledged first = pipelined(jedis, keys, args, replicas, timeoutMillis, false);
        return first != null ? first : pipelined(jedis, keys, args, replicas, timeoutMillis, true);
    }

    /** The answer of {@link #runAndWait}, or {@code null} when the script was not cached on the node. */
    private Acknowledged pipelined(UnifiedJedis jedis, List<String> keys, List<String> args, int replicas,
            long timeoutMillis, boolean sendBody) {
        try (AbstractPipeline p = jedis.pipelined()) {
            Response<Object> result = sendBody ? p.eval(body, keys, args) : p.evalsha(sha, keys, args);
            Response<Long> acks = p.waitReplicas(keys.get(0), replicas, timeoutMillis);
            p.sync();
            Object value;
            try {
                value = result.get();
            } catch (JedisNoScriptException e) {
                return null;
            }
            return new Acknowledged(value, acks.get());
        }
    }

    /** A script's answer and how many replicas acknowledged the writes before it. */
    static final class Acknowledged {
        final Object value;
        final long replicas;

        Acknowledged(Object value, long replicas) {
            this.value = value;
            this.replicas = replicas;
        }
    }

    private static String sha1Hex(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-1").digest(text.getBytes(StandardCharsets.UTF_8));
            StringBuilder hex = new StringBuilder(40);
            for (byte b : digest) {
                hex.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
            }
            return hex.toString();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-1 is missing from this JVM", e);
        }
    }
}
