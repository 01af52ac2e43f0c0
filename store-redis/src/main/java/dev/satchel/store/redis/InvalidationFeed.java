package dev.satchel.store.redis;

import dev.satchel.Invalidations;
import dev.satchel.spi.SessionIds;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import redis.clients.jedis.Connection;
import redis.clients.jedis.JedisPubSub;
import redis.clients.jedis.UnifiedJedis;

/**
 * The subscriber side of the invalidation channel: one thread holds a {@code SUBSCRIBE} connection and
 * hands every published session id to the listeners — {@code <id>:<version>} (a write that stored that
 * record version) as {@link Invalidations.Listener#invalidate(String, long)}, a bare {@code <id>} (a
 * removal) as {@link Invalidations.Listener#invalidate(String)}; a heartbeat keeps the promise of
 * {@link Invalidations} that a listener never trusts a feed with a gap.
 *
 * <p>Gaps: every heartbeat interval a {@code PING} carrying its send time goes down the subscribed
 * connection. Redis answers in order, so its {@code PONG} proves that every message published on that
 * server before the ping arrived has been delivered. A connection that fails, closes, or has not
 * confirmed a ping sent within the last two intervals is dropped; the listeners get
 * {@link Invalidations.Listener#invalidateAll()} at once, again every interval while there is no
 * subscription, and once more when the new subscription is confirmed. Started by the first listener, so
 * a manager nobody listens to holds no thread and no connection.
 */
final class InvalidationFeed {

    private static final Logger LOG = LoggerFactory.getLogger(InvalidationFeed.class);
    private static final long FIRST_RETRY_NANOS = TimeUnit.MILLISECONDS.toNanos(50);
    /** {@link #versionOf} of a message that carries no version: a removal (or not a message of ours). */
    static final long REMOVED = -1;

    private final UnifiedJedis jedis;
    private final ClientPools pools;
    private final String channel;
    private final long heartbeatNanos;
    private final CopyOnWriteArrayList<Invalidations.Listener> listeners = new CopyOnWriteArrayList<>();

    private volatile boolean running;
    private volatile boolean subscribed;
    /** Send time of the latest ping answered (or of the subscription). */
    private volatile long confirmedNanos;
    private volatile Subscriber subscriber;
    private volatile Connection connection;
    private Thread thread;
    private ScheduledExecutorService heartbeat;
    private boolean closed;
    /** Touched by the subscriber thread only. */
    private boolean outageLogged;
    private long retryNanos = FIRST_RETRY_NANOS;

    InvalidationFeed(UnifiedJedis jedis, ClientPools pools, String channel, long heartbeatNanos) {
        this.jedis = jedis;
        this.pools = pools;
        this.channel = channel;
        this.heartbeatNanos = heartbeatNanos;
    }

    /** Registers {@code listener}, starting the feed if it is the first. */
    synchronized Invalidations.Subscription add(Invalidations.Listener listener) {
        if (closed) {
            throw new IllegalStateException("the manager is closed");
        }
        listeners.add(listener);
        if (thread == null) {
            start();
        }
        return () -> listeners.remove(listener);
    }

    /** Whether a subscription is confirmed and not known to be broken; for tests. */
    boolean isSubscribed() {
        return subscribed;
    }

    /** Stops the thread and the heartbeat and drops the connection. Idempotent. */
    void close() {
        Thread t;
        synchronized (this) {
            closed = true;
            running = false;
            if (heartbeat != null) {
                heartbeat.shutdownNow();
            }
            t = thread;
        }
        if (t == null) {
            return;
        }
        Subscriber s = subscriber;
        if (s != null && s.isSubscribed()) {
            try {
                s.unsubscribe(); // a healthy connection goes back to the pool, reusable
            } catch (RuntimeException e) {
                LOG.debug("Unsubscribing the invalidation feed failed; dropping its connection", e);
            }
        }
        t.interrupt(); // ends a wait before reconnecting
        try {
            t.join(1_000);
            if (t.isAlive()) {
                drop(connection); // no answer to the unsubscribe: break the read
                t.join(1_000);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void start() {
        running = true;
        thread = new Thread(this::subscribeLoop, "satchel-redis-invalidations");
        thread.setDaemon(true);
        thread.start();
        heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread h = new Thread(r, "satchel-redis-invalidations-heartbeat");
            h.setDaemon(true);
            return h;
        });
        heartbeat.scheduleWithFixedDelay(this::beat, heartbeatNanos, heartbeatNanos, TimeUnit.NANOSECONDS);
    }

    private void subscribeLoop() {
        while (running) {
            Connection c = null;
            Subscriber s = new Subscriber();
            try {
                subscriber = s;
                c = pools == null ? null : pools.borrow();
                connection = c;
                if (!running) {
                    break;
                }
                if (c != null) {
                    s.proceed(c, channel);
                } else {
                    jedis.subscribe(s, channel); // a client of unknown kind: its own connection
                }
            } catch (RuntimeException e) {
                if (running && !outageLogged) {
                    outageLogged = true;
                    LOG.warn("The Redis invalidation feed lost its connection; reconnecting, and until then "
                            + "caches are told to trust nothing", e);
                }
            } finally {
                subscribed = false;
                subscriber = null;
                connection = null;
                if (c != null) {
                    try {
                        c.close();
                    } catch (RuntimeException e) {
                        LOG.debug("Closing a dropped invalidation connection failed", e);
                    }
                }
            }
            if (running) {
                trustNothing();
                LockSupport.parkNanos(this, retryNanos);
                retryNanos = Math.min(retryNanos * 2, heartbeatNanos);
            }
        }
    }

    /** Every heartbeat interval, on the heartbeat thread. */
    private void beat() {
        if (!subscribed) {
            trustNothing();
            return;
        }
        long now = System.nanoTime();
        if (now - confirmedNanos > 2 * heartbeatNanos) {
            LOG.warn("The Redis invalidation feed went silent; reconnecting");
            subscribed = false;
            trustNothing();
            drop(connection);
            return;
        }
        Subscriber s = subscriber;
        if (s != null) {
            try {
                s.ping(Long.toString(now));
            } catch (RuntimeException e) {
                LOG.debug("Heartbeat on the invalidation feed failed; the subscriber thread reconnects", e);
            }
        }
    }

    private void trustNothing() {
        for (Invalidations.Listener l : listeners) {
            try {
                l.invalidateAll();
            } catch (RuntimeException e) {
                LOG.warn("An invalidation listener failed", e);
            }
        }
    }

    /**
     * The version of a {@code <id>:<version>} message (what apply.lua publishes after a write), or
     * {@link #REMOVED} when {@code message} is not of that shape: up to 18 decimal digits, so it fits a long.
     */
    static long versionOf(String message) {
        int n = message.length();
        int first = SessionIds.LENGTH + 1;
        if (n <= first || n > first + 18 || message.charAt(SessionIds.LENGTH) != ':') {
            return REMOVED;
        }
        long v = 0;
        for (int i = first; i < n; i++) {
            char c = message.charAt(i);
            if (c < '0' || c > '9') {
                return REMOVED;
            }
            v = v * 10 + (c - '0');
        }
        return v;
    }

    /** Breaks {@code c} from another thread, so the subscriber thread's blocked read ends. */
    private static void drop(Connection c) {
        if (c == null) {
            return;
        }
        try {
            c.setBroken();
            c.forceDisconnect();
        } catch (Exception e) {
            LOG.debug("Dropping the invalidation connection failed", e);
        }
    }

    /** Runs on the subscriber thread. */
    private final class Subscriber extends JedisPubSub {
        @Override
        public void onSubscribe(String channel, int subscribedChannels) {
            confirmedNanos = System.nanoTime();
            subscribed = true;
            retryNanos = FIRST_RETRY_NANOS;
            if (outageLogged) {
                outageLogged = false;
                LOG.info("The Redis invalidation feed is connected again");
            }
            // Whatever was published before this moment may have been missed.
            trustNothing();
        }

        @Override
        public void onMessage(String channel, String message) {
            String sid;
            long version;
            if (message.length() == SessionIds.LENGTH) {
                sid = message;
                version = REMOVED;
            } else {
                version = versionOf(message);
                sid = version == REMOVED ? null : message.substring(0, SessionIds.LENGTH);
            }
            if (sid == null || !SessionIds.isValid(sid)) {
                return; // not ours: nothing is cached under an invalid id
            }
            for (Invalidations.Listener l : listeners) {
                try {
                    if (version == REMOVED) {
                        l.invalidate(sid);
                    } else {
                        l.invalidate(sid, version);
                    }
                } catch (RuntimeException e) {
                    LOG.warn("An invalidation listener failed", e);
                }
            }
        }

        @Override
        public void onPong(String sentAt) {
            // Redis echoes the ping's argument; anything else is not a heartbeat of this feed.
            try {
                long sent = Long.parseLong(sentAt);
                if (sent - confirmedNanos > 0) {
                    confirmedNanos = sent;
                }
            } catch (NumberFormatException e) {
                LOG.debug("Ignoring a pong without a heartbeat time");
            }
        }
    }
}
