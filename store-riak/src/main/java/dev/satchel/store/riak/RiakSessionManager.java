package dev.satchel.store.riak;

import static dev.satchel.spi.BuilderRules.requireArgument;
import static dev.satchel.spi.BuilderRules.requireNonNull;
import static dev.satchel.spi.BuilderRules.requireState;
import static dev.satchel.spi.BuilderRules.requireUnset;

import dev.satchel.SessionManager;
import dev.satchel.SessionStoreTimeoutException;
import dev.satchel.SessionStoreUnavailableException;
import dev.satchel.spi.SessionCodec;
import dev.satchel.spi.StoreMetrics;
import dev.satchel.spi.StoreSessionManager;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sessions in Riak KV, over its HTTP API with the JDK's {@link java.net.http.HttpClient}. The manager
 * {@link Builder#build()} returns implements {@link dev.satchel.PrincipalIndex} and
 * {@link dev.satchel.ExpiryEvents}; expired sessions are swept through the {@code expires_int} secondary index.
 *
 * <pre>{@code
 * SessionManager sessions = RiakSessionManager.builder()
 *         .node("http://10.0.0.5:8098").node("http://10.0.0.6:8098")
 *         .bucketType("sessions")   // created with allow_mult=true
 *         .build();
 * }</pre>
 *
 * <h2>Storage layout</h2>
 * One Riak object per session, at {@code /types/<type>/buckets/<bucket>/keys/<sid>} (or
 * {@code /buckets/<bucket>/keys/<sid>} in the default bucket type), {@code Content-Type: application/json}:
 * <pre>{@code
 * {"v":1,"id":…,"randval":…,"created":…,"lastAccess":…,"idleTimeoutMs":…,"deadline":…,"principal":…,
 *  "version":…,"attrs":{…},
 *  "riak":{"w":"<write token>","s":{"<attr>":[time,seq,"<token>"],…},"rm":{"<removed attr>":[…],…},
 *          "p":[…],"i":[…],"d":[…]}}
 * X-Riak-Index-expires_int: <expiry, epoch ms>                (every write)
 * X-Riak-Index-principal_bin: <base64url(SHA-256(principal))> (when logged in)
 * }</pre>
 * Unreadable entries are moved to {@code <bucket>-corrupt/<sid>} (same bucket type) and deleted; entries of a
 * newer format are never touched.
 *
 * <h2>Consistency</h2>
 * At start-up (or, when no node answers then, before its first operation) the manager reads the bucket's
 * properties and refuses a bucket that keeps only one of two concurrent writes ({@code allow_mult=false}, as in Riak's default bucket type, or {@code last_write_wins=true}):
 * on a real node that lost 23–33 % of acknowledged concurrent updates. Use a bucket type created with
 * {@code allow_mult=true}, or accept the loss with {@link SiblingPolicy#ACCEPT_LOSSY_LAST_WRITE_WINS}. Reads
 * and writes need a majority of the primary replicas ({@code pr}, {@code pw}), so a live session is never read
 * as absent because a node is down: they fail instead, with
 * {@link dev.satchel.SessionStoreUnavailableException}, after every node was tried.
 *
 * <h2>Failures</h2>
 * Requests spread over the nodes round-robin; a node that refuses the connection, times out or answers
 * 502/503/504 is skipped for {@linkplain Builder#nodeRetryAfter the retry interval} and the request moves on.
 * When no node serves a request: {@link dev.satchel.SessionStoreUnavailableException}, or
 * {@link dev.satchel.SessionStoreTimeoutException} if the last one timed out, with the cause. Riak refusing a
 * request is a {@link dev.satchel.SessionStoreException} with Riak's sentence.
 */
public final class RiakSessionManager {

    private static final Logger LOG = LoggerFactory.getLogger(RiakSessionManager.class);

    private RiakSessionManager() {}

    /** Starts configuring a manager. */
    public static Builder builder() {
        return new Builder();
    }

    /** What the manager does with a bucket that does not keep concurrent writes as siblings. */
    public enum SiblingPolicy {
        /**
         * The default: refuse, at start-up, a bucket with {@code allow_mult=false} or
         * {@code last_write_wins=true}, with a message saying how to create a bucket type that keeps siblings.
         * In a bucket that keeps siblings no acknowledged change is lost: concurrent writes become siblings,
         * merged attribute by attribute by the next reader.
         */
        REQUIRE_SIBLINGS,
        /**
         * Accept a bucket that keeps one value and drops concurrent writes, knowing what that loses. Measured
         * on OpenRiak 3.2.2 with two app servers updating the same sessions: 23–33 % of acknowledged concurrent
         * updates lost; 8 of 40 sessions removed during concurrent updates came back and stayed; of two
         * simultaneous conditional PUTs with the same vector clock both succeeded 29 times in 50
         * ({@code If-Match} is no lock). Writes through one manager are serialized, so a single app server
         * loses nothing to itself.
         */
        ACCEPT_LOSSY_LAST_WRITE_WINS
    }

    /**
     * Configures a Riak manager. Follows {@link dev.satchel.spi.BuilderRules}: each setting may be set once
     * (a second call is refused with "… was already set to …"), {@code null} is a {@link NullPointerException}
     * naming the parameter, and {@link #build()} never changes the builder. Not thread-safe.
     *
     * <p>Defaults: bucket {@code sessions} in Riak's default bucket type; {@code r}, {@code pr}, {@code w} and
     * {@code pw} {@link Quorum#QUORUM}, {@code dw} and {@code rw} {@link Quorum#DEFAULT} (the bucket's);
     * {@link SiblingPolicy#REQUIRE_SIBLINGS}; connect timeout 2 s; request timeout 5 s; a failed node skipped
     * for 10 s; the system UTC clock; a sweep every minute; secondary-index pages of 500 keys; removed
     * attributes remembered for 1 hour.
     */
    public static final class Builder {
        private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.~-]{1,128}");

        private final List<URI> nodes = new ArrayList<>();
        private String bucketType;
        private String bucket;
        private Quorum r;
        private Quorum pr;
        private Quorum w;
        private Quorum pw;
        private Quorum dw;
        private Quorum rw;
        private SiblingPolicy siblingPolicy;
        private Duration connectTimeout;
        private Duration requestTimeout;
        private Duration nodeRetryAfter;
        private Clock clock;
        private Duration sweepInterval;
        private int indexPageSize;
        private Duration tombstoneRetention;
        private StoreMetrics metrics;

        private Builder() {}

        /**
         * Adds a Riak node's HTTP base URL, such as {@code http://10.0.0.5:8098}; at least one is required.
         * Messages about a refused URL never quote its user info.
         *
         * @throws IllegalArgumentException if it is not an absolute http or https URL with a host, or has a
         *     query, fragment or user info (credentials do not belong in a URL that ends up in logs)
         * @throws IllegalStateException if this node was already added
         */
        public Builder node(String baseUrl) {
            URI uri = checkedNode(baseUrl);
            requireState(!nodes.contains(uri), "node %s was already added", uri);
            nodes.add(uri);
            return this;
        }

        /** Adds several nodes; see {@link #node}. Either all are added or, when one is refused, none. */
        public Builder nodes(List<String> baseUrls) {
            requireNonNull(baseUrls, "baseUrls");
            List<URI> checked = new ArrayList<>();
            for (String url : baseUrls) {
                URI uri = checkedNode(url);
                requireState(!nodes.contains(uri) && !checked.contains(uri), "node %s was already added", uri);
                checked.add(uri);
            }
            nodes.addAll(checked);
            return this;
        }

        /**
         * The bucket type; default Riak's {@code default} type (URLs without {@code /types/…}), whose
         * {@code allow_mult} is false, which {@link SiblingPolicy#REQUIRE_SIBLINGS} refuses. Create one for
         * sessions with {@code riak admin bucket-type create sessions '{"props":{"allow_mult":true}}'} and
         * {@code riak admin bucket-type activate sessions}.
         *
         * @throws IllegalArgumentException if the name is not 1 to 128 of {@code [A-Za-z0-9_.~-]}
         */
        public Builder bucketType(String bucketType) {
            requireUnset(this.bucketType, "bucket type");
            this.bucketType = checkName(requireNonNull(bucketType, "bucketType"), "bucket type");
            return this;
        }

        /**
         * The bucket sessions are stored in; default {@code sessions}. Unreadable entries go to
         * {@code <bucket>-corrupt}.
         *
         * @throws IllegalArgumentException if the name is not 1 to 128 of {@code [A-Za-z0-9_.~-]}
         */
        public Builder bucket(String bucket) {
            requireUnset(this.bucket, "bucket");
            this.bucket = checkName(requireNonNull(bucket, "bucket"), "bucket");
            return this;
        }

        /** Replicas that must answer every read (and the reads inside writes and deletes); default {@link Quorum#QUORUM}. */
        public Builder r(Quorum r) {
            requireUnset(this.r, "r");
            this.r = requireNonNull(r, "r");
            return this;
        }

        /**
         * Primary replicas that must answer every read; default {@link Quorum#QUORUM}. Must be a majority of the
         * bucket's {@code n_val} (checked at start-up): an empty fallback replica cannot then make a live
         * session look absent, the read fails instead.
         */
        public Builder pr(Quorum pr) {
            requireUnset(this.pr, "pr");
            this.pr = requireNonNull(pr, "pr");
            return this;
        }

        /** Replicas that must acknowledge every write and delete; default {@link Quorum#QUORUM}. */
        public Builder w(Quorum w) {
            requireUnset(this.w, "w");
            this.w = requireNonNull(w, "w");
            return this;
        }

        /**
         * Primary replicas that must acknowledge every write and delete; default {@link Quorum#QUORUM}. Must be
         * a majority of the bucket's {@code n_val} (checked at start-up), so that a majority-primary read always
         * meets a primary that has every acknowledged write.
         */
        public Builder pw(Quorum pw) {
            requireUnset(this.pw, "pw");
            this.pw = requireNonNull(pw, "pw");
            return this;
        }

        /** Replicas that must have written to durable storage before a write succeeds; default {@link Quorum#DEFAULT}. */
        public Builder dw(Quorum dw) {
            requireUnset(this.dw, "dw");
            this.dw = requireNonNull(dw, "dw");
            return this;
        }

        /** Riak's combined read/write quorum of deletes; default {@link Quorum#DEFAULT}. */
        public Builder rw(Quorum rw) {
            requireUnset(this.rw, "rw");
            this.rw = requireNonNull(rw, "rw");
            return this;
        }

        /** What to do with a bucket that does not keep siblings; default {@link SiblingPolicy#REQUIRE_SIBLINGS}. */
        public Builder siblingPolicy(SiblingPolicy policy) {
            requireUnset(this.siblingPolicy, "sibling policy");
            this.siblingPolicy = requireNonNull(policy, "policy");
            return this;
        }

        /**
         * How long to wait for a connection to a node; default 2 seconds.
         *
         * @throws IllegalArgumentException if not positive
         */
        public Builder connectTimeout(Duration timeout) {
            requireUnset(this.connectTimeout, "connect timeout");
            this.connectTimeout = positive(requireNonNull(timeout, "timeout"), "connect timeout");
            return this;
        }

        /**
         * How long to wait for one node to answer one request; default 5 seconds. An operation may make several
         * requests and try several nodes.
         *
         * @throws IllegalArgumentException if not positive
         */
        public Builder requestTimeout(Duration timeout) {
            requireUnset(this.requestTimeout, "request timeout");
            this.requestTimeout = positive(requireNonNull(timeout, "timeout"), "request timeout");
            return this;
        }

        /**
         * How long a node that failed is skipped before it is tried again (measured with the
         * {@linkplain #clock clock}); default 10 seconds.
         *
         * @throws IllegalArgumentException if not positive
         */
        public Builder nodeRetryAfter(Duration interval) {
            requireUnset(this.nodeRetryAfter, "node retry interval");
            this.nodeRetryAfter = positive(requireNonNull(interval, "interval"), "node retry interval");
            return this;
        }

        /** The clock for session times, expiry and node retries; default {@link Clock#systemUTC()}. */
        public Builder clock(Clock clock) {
            requireUnset(this.clock, "clock");
            this.clock = requireNonNull(clock, "clock");
            return this;
        }

        /**
         * How often the background sweeper removes expired sessions; default one minute.
         *
         * @throws IllegalArgumentException if not positive
         */
        public Builder sweepInterval(Duration interval) {
            requireUnset(sweepInterval, "sweep interval");
            this.sweepInterval = positive(requireNonNull(interval, "interval"), "sweep interval");
            return this;
        }

        /** No background thread: expired sessions go only when {@link StoreSessionManager#sweepNow} is called. */
        public Builder withoutBackgroundSweeper() {
            requireUnset(sweepInterval, "sweep interval");
            this.sweepInterval = Duration.ZERO;
            return this;
        }

        /**
         * Keys asked for per secondary-index request ({@code max_results}) by the sweeper and the principal
         * index; default 500.
         *
         * @throws IllegalArgumentException if not between 1 and 10,000
         */
        public Builder indexPageSize(int keys) {
            requireUnset(indexPageSize, 0, "index page size");
            requireArgument(keys >= 1 && keys <= 10_000, "index page size must be between 1 and 10000, was %s", keys);
            this.indexPageSize = keys;
            return this;
        }

        /**
         * How long a removed attribute is remembered in the document, so that a sibling written by a request
         * that had not seen the removal cannot bring it back; default 1 hour. Longer covers longer partitions
         * at the cost of a larger document for sessions that remove many distinct attributes.
         *
         * @throws IllegalArgumentException if not positive
         */
        public Builder tombstoneRetention(Duration retention) {
            requireUnset(this.tombstoneRetention, "tombstone retention");
            this.tombstoneRetention = positive(requireNonNull(retention, "retention"), "tombstone retention");
            return this;
        }

        /** Where store operations are reported; default {@link StoreMetrics#NONE}. */
        public Builder metrics(StoreMetrics metrics) {
            requireUnset(this.metrics, "metrics");
            this.metrics = requireNonNull(metrics, "metrics");
            return this;
        }

        /**
         * Reads the bucket's properties from Riak, checks them, and builds the manager (starting its sweeper,
         * unless turned off). When no node answers, the manager is built all the same (logged at WARN) and the
         * check is made before its first operation, which fails as the check does until it passes.
         *
         * @throws IllegalStateException if no node was added
         * @throws dev.satchel.SessionStoreException if the bucket drops concurrent writes and
         *     {@link SiblingPolicy#ACCEPT_LOSSY_LAST_WRITE_WINS} was not chosen, if the bucket type does not
         *     exist, or if a quorum does not fit the bucket's {@code n_val} ({@code pr} and {@code pw} must be
         *     a majority); the message says what to change
         */
        public SessionManager build() {
            StoreSessionManager.Builder b = StoreSessionManager.over(buildStore()).name("riak")
                    .clock(clock == null ? Clock.systemUTC() : clock);
            if (sweepInterval != null) {
                b.sweepInterval(sweepInterval);
            }
            if (metrics != null) {
                b.metrics(metrics);
            }
            return b.build();
        }

        /** The store alone, checked against the bucket's properties; for {@link #build()} and tests. */
        RiakSessionStore buildStore() {
            requireState(!nodes.isEmpty(), "at least one node is required");
            Quorum effectiveR = r == null ? Quorum.QUORUM : r;
            Quorum effectivePr = pr == null ? Quorum.QUORUM : pr;
            Quorum effectiveW = w == null ? Quorum.QUORUM : w;
            Quorum effectivePw = pw == null ? Quorum.QUORUM : pw;
            Quorum effectiveDw = dw == null ? Quorum.DEFAULT : dw;
            Quorum effectiveRw = rw == null ? Quorum.DEFAULT : rw;
            String effectiveBucket = bucket == null ? "sessions" : bucket;
            RiakNodes riak = new RiakNodes(nodes,
                    connectTimeout == null ? Duration.ofSeconds(2) : connectTimeout,
                    requestTimeout == null ? Duration.ofSeconds(5) : requestTimeout,
                    nodeRetryAfter == null ? Duration.ofSeconds(10) : nodeRetryAfter,
                    clock == null ? Clock.systemUTC() : clock,
                    2 * SessionCodec.MAX_DOCUMENT_LENGTH);
            RiakRequests requests = new RiakRequests(bucketType, effectiveBucket, effectiveR, effectivePr, effectiveW,
                    effectivePw, effectiveDw, effectiveRw);
            BucketProperties.Check check = new BucketProperties.Check(bucketType, effectiveBucket,
                    siblingPolicy == null ? SiblingPolicy.REQUIRE_SIBLINGS : siblingPolicy,
                    effectiveR, effectivePr, effectiveW, effectivePw, effectiveDw, effectiveRw);
            try {
                check.passed(riak, requests);
            } catch (SessionStoreUnavailableException | SessionStoreTimeoutException e) {
                // Riak being away must not keep the application from starting: the first operation checks.
                LOG.warn("No Riak node answered at start-up ({}); the bucket's properties will be checked before"
                        + " the first operation", e.getMessage());
            }
            return new RiakSessionStore(riak, requests, check,
                    (tombstoneRetention == null ? Duration.ofHours(1) : tombstoneRetention).toMillis(),
                    indexPageSize == 0 ? 500 : indexPageSize);
        }

        private static URI checkedNode(String baseUrl) {
            requireNonNull(baseUrl, "baseUrl");
            URI uri;
            try {
                uri = new URI(baseUrl);
            } catch (URISyntaxException e) {
                // The exception's own message quotes the input, user info included: neither it nor it as a cause.
                throw new IllegalArgumentException("node URL is not a URL (" + e.getReason() + " at index "
                        + e.getIndex() + "): " + redacted(baseUrl));
            }
            String scheme = uri.getScheme();
            requireArgument(scheme != null && (scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                    && uri.getHost() != null, "node URL must be http://host:port or https://host:port, was %s",
                    redacted(baseUrl));
            requireArgument(uri.getRawUserInfo() == null, "node URL must not have user info (credentials do not"
                    + " belong in a URL that ends up in logs), was %s", redacted(baseUrl));
            requireArgument(uri.getRawQuery() == null && uri.getRawFragment() == null,
                    "node URL must not have a query or fragment, was %s", redacted(baseUrl));
            String s = uri.toString();
            return URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
        }

        /**
         * {@code url} fit for a message: everything from the scheme's {@code //} up to the last {@code @} is
         * replaced, so no user name or password shows, however the URL is malformed.
         */
        static String redacted(String url) {
            int at = url.lastIndexOf('@');
            if (at < 0) {
                return url;
            }
            int start = url.indexOf("//");
            start = start < 0 || start > at ? 0 : start + 2;
            return url.substring(0, start) + "…@" + url.substring(at + 1);
        }

        private static String checkName(String name, String what) {
            requireArgument(NAME.matcher(name).matches(), "%s must be 1 to 128 of [A-Za-z0-9_.~-], was %s", what, name);
            return name;
        }

        private static Duration positive(Duration d, String what) {
            requireArgument(!d.isNegative() && !d.isZero(), "%s must be positive, was %s", what, d);
            return d;
        }
    }
}
