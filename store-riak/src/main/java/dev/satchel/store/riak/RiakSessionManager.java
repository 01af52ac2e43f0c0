package dev.satchel.store.riak;

import dev.satchel.PrincipalIndex;
import dev.satchel.Session;
import dev.satchel.SessionConflictException;
import dev.satchel.SessionStoreException;
import dev.satchel.spi.AbstractSessionManager;
import dev.satchel.spi.ChangeSet;
import dev.satchel.spi.SessionAccess;
import dev.satchel.spi.SessionCodec;
import dev.satchel.spi.SessionIds;
import dev.satchel.spi.SessionRecord;
import dev.satchel.spi.UnreadableEntryException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link dev.satchel.SessionManager} over Riak KV's HTTP API, through the JDK's {@link java.net.http.HttpClient}.
 * Riak stays available when nodes fail; this manager keeps sessions correct while it does: every update is a
 * read-modify-write carrying the vector clock it read, siblings are merged attribute by attribute, and a
 * removed session stays removed.
 *
 * <h2>Storage layout</h2>
 * One Riak object per session, at {@code /types/<type>/buckets/<bucket>/keys/<sid>} (or
 * {@code /buckets/<bucket>/keys/<sid>} in the default bucket type), {@code Content-Type: application/json}:
 * <pre>{@code
 * {"v":1,"id":…,"randval":…,"created":…,"lastAccess":…,"idleTimeoutMs":…,"deadline":…,"principal":…,
 *  "version":…,"attrs":{…},
 *  "riak":{"w":"<write token>","s":{"<attr>":[time,seq,"<token>"],…},"rm":{"<removed attr>":[…],…},
 *          "p":[…],"i":[…],"d":[…]}}
 * X-Riak-Index-expires_int: <expiry, epoch ms>              (every write)
 * X-Riak-Index-principal_bin: <base64url(SHA-256(principal))> (when logged in)
 * }</pre>
 * The first part is the shared stored document; {@code "riak"} holds a stamp per attribute, per removed
 * attribute (kept for the {@linkplain Builder#tombstoneRetention tombstone retention}) and for the principal
 * and both timeouts, which is what sibling resolution needs. Unreadable entries are moved to
 * {@code <bucket>-corrupt/<sid>} (same bucket type) and deleted.
 *
 * <h2>HTTP calls</h2>
 * <ul>
 *   <li>{@code get}/{@code exists}: {@code GET …/keys/<sid>?r&pr} with {@code Accept: multipart/mixed}. Siblings
 *       ({@code 300}) are merged and written back ({@code PUT} with the 300's vclock); a tombstone among them
 *       means removed ({@code DELETE} with that vclock).</li>
 *   <li>{@code put} of a new session: {@code PUT …/keys/<sid>?w&pw&dw} with {@code If-None-Match: *}.</li>
 *   <li>{@code put} of changes: {@code GET}, then {@code PUT …/keys/<sid>?returnbody=true&w&pw&dw} with
 *       {@code X-Riak-Vclock} and {@code If-Match} of what was read. On {@code 412} the change is merged into
 *       a fresh read; on {@code 300}, or when the body returned is not the one sent (lost to a concurrent write
 *       under {@code allow_mult=false}), the sent document is merged with what is stored and written again.</li>
 *   <li>{@code remove}: {@code DELETE …/keys/<sid>?rw&r&pr&w&pw&dw}.</li>
 *   <li>{@link #findByPrincipal}/{@link #removeByPrincipal}: {@code GET …/index/principal_bin/<term>} paged with
 *       {@code max_results}/{@code continuation}, then {@code GET} of each key, whose principal is checked
 *       (index entries may be stale), and for removal {@code DELETE} with the vclock read.</li>
 *   <li>{@link #sweep}: {@code GET …/index/expires_int/0/<now>?max_results=<page>} and its continuations; each
 *       key is read and, if still expired, deleted with the vclock read.</li>
 * </ul>
 *
 * <h2>Consistency</h2>
 * {@code r}/{@code w} at {@link Quorum#QUORUM} (the defaults) make reads see acknowledged writes while the
 * replicas are reachable; {@code pr}/{@code pw} make requests fail instead of using fallback replicas. With
 * {@code allow_mult=true} (custom bucket types) concurrent writes become siblings and nothing is lost. With
 * {@code allow_mult=false} (the default bucket type) Riak keeps only the latest of two concurrent writes;
 * {@code If-Match} turns nearly every such race into a {@code 412} and a retry, but two writes that pass the
 * check at the same moment on different app servers, or writes on both sides of a network partition, can
 * still lose the earlier one. Writes through one manager are serialized per session in this JVM.
 *
 * <h2>Failures</h2>
 * Requests spread over the nodes round-robin; a node that refuses the connection, times out or answers
 * 502/503/504 is skipped for {@linkplain Builder#nodeRetryAfter the retry interval} and the request moves on.
 * When no node answers: {@link dev.satchel.SessionStoreUnavailableException}, or
 * {@link dev.satchel.SessionStoreTimeoutException} if the last one timed out, with the cause. Riak refusing a
 * request (a quorum larger than {@code n_val}: 400) is a {@link SessionStoreException}.
 *
 * <p>Thread-safe. Never logs a session id, key or vector clock.
 */
public final class RiakSessionManager extends AbstractSessionManager implements PrincipalIndex {

    private static final Logger LOG = LoggerFactory.getLogger(RiakSessionManager.class);

    private static final int MAX_ATTEMPTS = 8;
    private static final int LOCK_STRIPES = 64;
    private static final long MAX_RESPONSE_BYTES = 2 * SessionCodec.MAX_DOCUMENT_LENGTH;
    private static final String JSON = "application/json";
    private static final String MULTIPART = "multipart/mixed";
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_.~-]{1,128}");
    private static final String[] NO_HEADERS = {};
    private static final String[] ACCEPT_MULTIPART = {"Accept", MULTIPART};

    private final RiakNodes nodes;
    private final String bucketPath;
    private final String quarantinePath;
    private final String fetchQuery;
    private final String storeQuery;
    private final String writeBackQuery;
    private final String createQuery;
    private final String deleteQuery;
    private final long tombstoneRetentionMillis;
    private final int sweepPageSize;
    private final ReentrantLock[] locks = new ReentrantLock[LOCK_STRIPES];

    private RiakSessionManager(Builder b) {
        super(b.clock);
        this.nodes = new RiakNodes(b.nodes, b.connectTimeout, b.requestTimeout, b.nodeRetryAfter, b.clock,
                MAX_RESPONSE_BYTES);
        String typePrefix = b.bucketType == null ? "" : "/types/" + b.bucketType;
        this.bucketPath = typePrefix + "/buckets/" + b.bucket;
        this.quarantinePath = typePrefix + "/buckets/" + b.bucket + "-corrupt";
        String writeParams = params("w", b.w, "pw", b.pw, "dw", b.dw);
        this.fetchQuery = query(params("r", b.r, "pr", b.pr));
        this.storeQuery = query(join("returnbody=true", writeParams));
        this.writeBackQuery = query(writeParams);
        this.createQuery = writeBackQuery;
        this.deleteQuery = query(join(params("rw", b.rw, "r", b.r, "pr", b.pr), writeParams));
        this.tombstoneRetentionMillis = b.tombstoneRetention.toMillis();
        this.sweepPageSize = b.sweepPageSize;
        for (int i = 0; i < LOCK_STRIPES; i++) {
            locks[i] = new ReentrantLock();
        }
        if (b.sweepInterval != null) {
            startSweeper("satchel-riak-sweeper", b.sweepInterval, this::sweep);
        }
    }

    /** Starts configuring a manager. */
    public static Builder builder() {
        return new Builder();
    }

    // ------------------------------------------------------------------ SessionManager I/O

    @Override
    protected SessionRecord load(String sid) {
        RiakObject o = fetch(sid);
        if (o.isAbsent()) {
            return null;
        }
        if (o.hasTombstone()) {
            deleteQuietly(sid, o.vclock());
            return null;
        }
        SessionDocument doc = SessionDocument.merge(decode(o));
        if (o.siblings().size() > 1) {
            doc = doc.rewritten(newToken(), clock().millis(), tombstoneRetentionMillis);
            writeBackQuietly(sid, doc, o.vclock());
        }
        return doc.record();
    }

    @Override
    protected boolean create(SessionRecord record) {
        String sid = record.id();
        byte[] body = SessionDocument.created(record, newToken()).encode();
        RiakResponse r = nodes.send("PUT", keyPath(sid) + createQuery,
                writeHeaders(record, null, null, "If-None-Match", "*"), body, sid);
        if (r.status == 200 || r.status == 204) {
            return true;
        }
        if (r.status == 412) {
            // Taken, or our own earlier attempt that timed out on another node landed: the randval tells.
            RiakObject o = fetch(sid);
            if (o.isAbsent() || o.hasTombstone()) {
                return false;
            }
            SessionRecord stored = SessionDocument.merge(decode(o)).record();
            return stored.randval().equals(record.randval()) && stored.created() == record.created();
        }
        throw unexpected("create", r, sid);
    }

    @Override
    protected SessionRecord apply(ChangeSet changes) {
        String sid = changes.sessionId();
        ReentrantLock lock = lockFor(sid);
        lock.lock();
        try {
            // An unreadable entry surfaces as UnreadableEntryException: the base class logs it and discards it.
            return applyLocked(sid, changes);
        } finally {
            lock.unlock();
        }
    }

    private SessionRecord applyLocked(String sid, ChangeSet changes) {
        long now = changes.accessTime();
        RiakObject state = fetch(sid);
        SessionDocument pending = null;
        for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
            if (state.isAbsent()) {
                return null;
            }
            if (state.hasTombstone()) {
                deleteQuietly(sid, state.vclock());
                return null;
            }
            SessionDocument stored = SessionDocument.merge(decode(state));
            if (stored.record().isExpiredAt(now)) {
                return null; // a change never revives what is stored expired, even merged with our access
            }
            String token = newToken();
            SessionDocument next = pending == null
                    ? stored.apply(changes, token, tombstoneRetentionMillis)
                    : SessionDocument.merge(List.of(stored, pending)).rewritten(token, now, tombstoneRetentionMillis);
            if (next == null || next.record().isExpiredAt(now)) {
                return null;
            }
            byte[] body = next.encode();
            RiakResponse r = nodes.send("PUT", keyPath(sid) + storeQuery,
                    writeHeaders(next.record(), state.vclock(), state.etag(), "Accept", MULTIPART), body, sid);
            pending = next;
            if (r.status == 412) {
                // Changed (or removed) since it was read: merge into a fresh read.
                state = fetch(sid);
                continue;
            }
            if (r.status == 204 || (r.status == 200 && Arrays.equals(r.body, body))) {
                return next.record(); // stored as sent (a 204 means the node ignored returnbody: trust it)
            }
            if (r.status != 200 && r.status != 300) {
                throw unexpected("store", r, sid);
            }
            // Siblings, or our write lost to a concurrent one (allow_mult=false): fold ours into what is stored.
            state = objectOf(sid, r);
        }
        throw new SessionConflictException("a session kept changing under this update; gave up after "
                + MAX_ATTEMPTS + " attempts");
    }

    @Override
    protected void delete(String sid) {
        ReentrantLock lock = lockFor(sid);
        lock.lock();
        try {
            RiakResponse r = nodes.send("DELETE", keyPath(sid) + deleteQuery, NO_HEADERS, null, sid);
            if (r.status != 204 && r.status != 404) {
                throw unexpected("delete", r, sid);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Moves an unreadable entry out of the way: its raw answer is copied to {@code <bucket>-corrupt/<sid>},
     * then the entry is deleted with the vector clock read, so it is reported once and nothing is lost.
     */
    @Override
    protected void discardCorrupt(String sid) {
        try {
            RiakResponse r = nodes.send("GET", keyPath(sid) + fetchQuery, ACCEPT_MULTIPART, null, sid);
            if (r.status != 200 && r.status != 300) {
                return;
            }
            String type = r.header("Content-Type");
            RiakResponse copy = nodes.send("PUT", quarantinePath + "/keys/" + sid + writeBackQuery,
                    new String[] {"Content-Type", type == null ? "application/octet-stream" : type}, r.body, sid);
            if (copy.status != 200 && copy.status != 204) {
                LOG.warn("Could not move an unreadable session entry aside ({}); leaving it in place", copy.describe(sid));
                return;
            }
            deleteQuietly(sid, r.header("X-Riak-Vclock"));
        } catch (SessionStoreException e) {
            LOG.warn("Could not move an unreadable session entry aside: {}", e.toString());
        }
    }

    // ------------------------------------------------------------------ principal index

    /**
     * {@inheritDoc}
     *
     * <p>Queries {@code principal_bin} (paged), then reads each session and keeps it only if its principal
     * still is {@code principal} and it has not expired. Unreadable entries are skipped.
     */
    @Override
    public List<Session> findByPrincipal(String principal) {
        List<Session> found = new ArrayList<>();
        if (principal == null) {
            return found;
        }
        long now = clock().millis();
        for (String sid : indexKeys("principal_bin", principalTerm(principal))) {
            SessionRecord r;
            try {
                r = load(sid);
            } catch (UnreadableEntryException e) {
                LOG.warn("Skipping an unreadable session entry: {}", e.getMessage());
                continue;
            }
            if (r != null && principal.equals(r.principal()) && !r.isExpiredAt(now)) {
                found.add(SessionAccess.wrap(r));
            }
        }
        return found;
    }

    /**
     * {@inheritDoc}
     *
     * <p>Expired sessions of {@code principal} that are still stored are removed and counted too.
     */
    @Override
    public int removeByPrincipal(String principal) {
        if (principal == null) {
            return 0;
        }
        int removed = 0;
        for (String sid : indexKeys("principal_bin", principalTerm(principal))) {
            if (deleteIf(sid, r -> principal.equals(r.principal()))) {
                removed++;
            }
        }
        return removed;
    }

    // ------------------------------------------------------------------ expiry

    /**
     * Removes every session expired at the manager's clock now and returns how many were removed: pages
     * through {@code expires_int} from 0 to now ({@linkplain Builder#sweepPageSize page size} keys a request)
     * and deletes each key that is still expired when read. The background sweeper calls this; calling it
     * from several app servers at once is safe, only wasteful.
     *
     * @throws SessionStoreException if Riak fails; sessions removed before the failure stay removed
     */
    public int sweep() {
        long now = clock().millis();
        int removed = 0;
        String continuation = null;
        do {
            IndexPage page = indexPage("expires_int", "0/" + now, continuation);
            for (String sid : page.keys()) {
                if (deleteIf(sid, r -> r.isExpiredAt(now))) {
                    removed++;
                }
            }
            continuation = page.continuation();
        } while (continuation != null);
        return removed;
    }

    /** Stops the background sweeper. Idempotent. */
    @Override
    public void close() {
        stopSweeper(Duration.ofSeconds(1));
    }

    /** The base URIs of the configured nodes; for tests. */
    List<URI> nodes() {
        return List.of(nodes.bases());
    }

    // ------------------------------------------------------------------ helpers

    /** Reads {@code sid}, deletes it with the vector clock read if {@code test} holds, and says whether it did. */
    private boolean deleteIf(String sid, Predicate<SessionRecord> test) {
        if (!SessionIds.isValid(sid)) {
            return false; // not a key this store wrote
        }
        ReentrantLock lock = lockFor(sid);
        lock.lock();
        try {
            RiakObject o = fetch(sid);
            if (o.isAbsent() || o.hasTombstone()) {
                return false;
            }
            SessionRecord r;
            try {
                r = SessionDocument.merge(decode(o)).record();
            } catch (UnreadableEntryException e) {
                LOG.warn("Skipping an unreadable session entry: {}", e.getMessage());
                return false;
            }
            if (!test.test(r)) {
                return false;
            }
            RiakResponse d = nodes.send("DELETE", keyPath(sid) + deleteQuery, vclockHeader(o.vclock()), null, sid);
            if (d.status != 204 && d.status != 404) {
                throw unexpected("delete", d, sid);
            }
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Fetches {@code sid} with all its siblings. */
    private RiakObject fetch(String sid) {
        RiakResponse r = nodes.send("GET", keyPath(sid) + fetchQuery, ACCEPT_MULTIPART, null, sid);
        if (r.status != 200 && r.status != 300 && r.status != 404) {
            throw unexpected("fetch", r, sid);
        }
        return objectOf(sid, r);
    }

    /** The object in a 200, 300 or 404 answer (to a fetch or a store with {@code returnbody}). */
    private RiakObject objectOf(String sid, RiakResponse r) {
        return r.status == 300 && !RiakObject.isMultipart(r) ? fetchSiblingsOneByOne(sid, r) : RiakObject.of(r);
    }

    /** A 300 in the plain form (a proxy dropped {@code Accept}): fetch each listed sibling by its vtag. */
    private RiakObject fetchSiblingsOneByOne(String sid, RiakResponse listing) {
        List<RiakObject.Sibling> siblings = new ArrayList<>();
        String sep = fetchQuery.isEmpty() ? "?" : "&";
        for (String vtag : RiakObject.vtags(listing)) {
            RiakResponse r = nodes.send("GET", keyPath(sid) + fetchQuery + sep + "vtag="
                    + URLEncoder.encode(vtag, StandardCharsets.UTF_8), NO_HEADERS, null, sid);
            if (r.status != 200) {
                throw unexpected("fetch sibling", r, sid);
            }
            siblings.add(new RiakObject.Sibling(r.body, "true".equalsIgnoreCase(r.header("X-Riak-Deleted"))));
        }
        return new RiakObject(listing.header("X-Riak-Vclock"), null, siblings);
    }

    private static List<SessionDocument> decode(RiakObject o) {
        List<SessionDocument> docs = new ArrayList<>(o.siblings().size());
        for (RiakObject.Sibling s : o.siblings()) {
            docs.add(SessionDocument.decode(s.body()));
        }
        return docs;
    }

    private void writeBackQuietly(String sid, SessionDocument merged, String vclock) {
        try {
            RiakResponse r = nodes.send("PUT", keyPath(sid) + writeBackQuery,
                    writeHeaders(merged.record(), vclock, null), merged.encode(), sid);
            if (r.status != 200 && r.status != 204) {
                LOG.debug("Writing back merged siblings was refused: {}", r.describe(sid));
            }
        } catch (SessionStoreException e) {
            LOG.debug("Writing back merged siblings failed: {}", e.toString());
        }
    }

    private void deleteQuietly(String sid, String vclock) {
        try {
            nodes.send("DELETE", keyPath(sid) + deleteQuery, vclockHeader(vclock), null, sid);
        } catch (SessionStoreException e) {
            LOG.debug("Deleting a removed session's siblings failed: {}", e.toString());
        }
    }

    private String[] writeHeaders(SessionRecord r, String vclock, String etag, String... extra) {
        String[] h = new String[12 + extra.length];
        int n = 0;
        h[n++] = "Content-Type";
        h[n++] = JSON;
        h[n++] = "X-Riak-Index-expires_int";
        h[n++] = Long.toString(r.expiresAt());
        if (r.principal() != null) {
            h[n++] = "X-Riak-Index-principal_bin";
            h[n++] = principalTerm(r.principal());
        }
        if (vclock != null) {
            h[n++] = "X-Riak-Vclock";
            h[n++] = vclock;
        }
        if (etag != null) {
            h[n++] = "If-Match";
            h[n++] = '"' + etag + '"';
        }
        System.arraycopy(extra, 0, h, n, extra.length);
        n += extra.length;
        return n == h.length ? h : Arrays.copyOf(h, n);
    }

    private static String[] vclockHeader(String vclock) {
        return vclock == null ? NO_HEADERS : new String[] {"X-Riak-Vclock", vclock};
    }

    private List<String> indexKeys(String index, String term) {
        List<String> keys = new ArrayList<>();
        String continuation = null;
        do {
            IndexPage page = indexPage(index, term, continuation);
            keys.addAll(page.keys());
            continuation = page.continuation();
        } while (continuation != null);
        return keys;
    }

    private IndexPage indexPage(String index, String terms, String continuation) {
        String path = bucketPath + "/index/" + index + "/" + terms + "?max_results=" + sweepPageSize
                + (continuation == null ? "" : "&continuation=" + URLEncoder.encode(continuation, StandardCharsets.UTF_8));
        RiakResponse r = nodes.send("GET", path, NO_HEADERS, null, null);
        if (r.status != 200) {
            throw unexpected("index query", r, null);
        }
        return IndexPage.parse(r.body);
    }

    private String keyPath(String sid) {
        return bucketPath + "/keys/" + sid;
    }

    private ReentrantLock lockFor(String sid) {
        return locks[sid.hashCode() & (LOCK_STRIPES - 1)];
    }

    private static SessionStoreException unexpected(String what, RiakResponse r, String key) {
        return new SessionStoreException("Riak refused to " + what + ": " + r.describe(key));
    }

    private static String newToken() {
        byte[] b = new byte[9];
        ThreadLocalRandom.current().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }

    /** The {@code principal_bin} term of a principal: fixed length, no header or path escaping needed. */
    static String principalTerm(String principal) {
        try {
            byte[] hash = MessageDigest.getInstance("SHA-256").digest(principal.getBytes(StandardCharsets.UTF_8));
            return Base64.getUrlEncoder().withoutPadding().encodeToString(hash);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JVM", e);
        }
    }

    private static String params(Object... nameValue) {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < nameValue.length; i += 2) {
            String v = ((Quorum) nameValue[i + 1]).queryValue();
            if (v != null) {
                s.append(s.length() == 0 ? "" : "&").append(nameValue[i]).append('=').append(v);
            }
        }
        return s.toString();
    }

    private static String join(String a, String b) {
        return a.isEmpty() ? b : b.isEmpty() ? a : a + "&" + b;
    }

    private static String query(String params) {
        return params.isEmpty() ? "" : "?" + params;
    }

    /**
     * Configures a {@link RiakSessionManager}. Every setting is checked when it is made, with a message that
     * says what was wrong; each may be set once. Not thread-safe.
     *
     * <p>Defaults: bucket {@code sessions} in Riak's default bucket type; {@code r} and {@code w}
     * {@link Quorum#QUORUM}, {@code pr}, {@code pw}, {@code dw} and {@code rw} {@link Quorum#DEFAULT} (the
     * bucket's); connect timeout 2 s; request timeout 5 s; a failed node skipped for 10 s; the system UTC
     * clock; a sweep every minute in pages of 500 keys; removed attributes remembered for 1 hour.
     */
    public static final class Builder {
        private final List<URI> nodes = new ArrayList<>();
        private String bucketType;
        private String bucket;
        private Quorum r;
        private Quorum pr;
        private Quorum w;
        private Quorum pw;
        private Quorum dw;
        private Quorum rw;
        private Duration connectTimeout;
        private Duration requestTimeout;
        private Duration nodeRetryAfter;
        private Clock clock;
        private Duration sweepInterval;
        private boolean noSweeper;
        private int sweepPageSize;
        private Duration tombstoneRetention;

        private Builder() {}

        /**
         * Adds a Riak node's HTTP base URL, such as {@code http://10.0.0.5:8098}; at least one is required.
         *
         * @throws IllegalArgumentException if it is not an absolute http or https URL with a host, or has a
         *     query or fragment
         * @throws IllegalStateException if this node was already added
         */
        public Builder node(String baseUrl) {
            Objects.requireNonNull(baseUrl, "baseUrl");
            URI uri;
            try {
                uri = new URI(baseUrl);
            } catch (URISyntaxException e) {
                throw new IllegalArgumentException("node URL is not a URL: " + baseUrl, e);
            }
            String scheme = uri.getScheme();
            if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                    || uri.getHost() == null) {
                throw new IllegalArgumentException("node URL must be http://host:port or https://host:port, was "
                        + baseUrl);
            }
            if (uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
                throw new IllegalArgumentException("node URL must not have a query, fragment or user info, was "
                        + baseUrl);
            }
            String s = uri.toString();
            URI normalized = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
            if (nodes.contains(normalized)) {
                throw new IllegalStateException("node " + normalized + " was already added");
            }
            nodes.add(normalized);
            return this;
        }

        /** Adds several nodes; see {@link #node}. */
        public Builder nodes(List<String> baseUrls) {
            baseUrls.forEach(this::node);
            return this;
        }

        /**
         * The bucket type; default Riak's {@code default} type (URLs without {@code /types/…}), whose
         * {@code allow_mult} is false. A type created for sessions with {@code allow_mult=true} keeps concurrent
         * writes as siblings, which this manager merges, and is recommended.
         *
         * @throws IllegalArgumentException if the name is not 1 to 128 of {@code [A-Za-z0-9_.~-]}
         */
        public Builder bucketType(String bucketType) {
            requireUnset(this.bucketType, "bucket type");
            this.bucketType = checkName(bucketType, "bucket type");
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
            this.bucket = checkName(bucket, "bucket");
            return this;
        }

        /** Read quorum of every fetch (reads, the read of an update, deletes); default {@link Quorum#QUORUM}. */
        public Builder r(Quorum r) {
            requireUnset(this.r, "r");
            this.r = Objects.requireNonNull(r, "r");
            return this;
        }

        /** Primary replicas every fetch requires; default {@link Quorum#DEFAULT} (the bucket's, 0 unless changed). */
        public Builder pr(Quorum pr) {
            requireUnset(this.pr, "pr");
            this.pr = Objects.requireNonNull(pr, "pr");
            return this;
        }

        /** Write quorum of every store and delete; default {@link Quorum#QUORUM}. */
        public Builder w(Quorum w) {
            requireUnset(this.w, "w");
            this.w = Objects.requireNonNull(w, "w");
            return this;
        }

        /** Primary replicas every store and delete requires; default {@link Quorum#DEFAULT}. */
        public Builder pw(Quorum pw) {
            requireUnset(this.pw, "pw");
            this.pw = Objects.requireNonNull(pw, "pw");
            return this;
        }

        /** Replicas that must have written to durable storage before a store or delete succeeds; default {@link Quorum#DEFAULT}. */
        public Builder dw(Quorum dw) {
            requireUnset(this.dw, "dw");
            this.dw = Objects.requireNonNull(dw, "dw");
            return this;
        }

        /** Riak's combined read/write quorum of deletes; default {@link Quorum#DEFAULT}. */
        public Builder rw(Quorum rw) {
            requireUnset(this.rw, "rw");
            this.rw = Objects.requireNonNull(rw, "rw");
            return this;
        }

        /**
         * How long to wait for a connection to a node; default 2 seconds.
         *
         * @throws IllegalArgumentException if not positive
         */
        public Builder connectTimeout(Duration timeout) {
            requireUnset(this.connectTimeout, "connect timeout");
            this.connectTimeout = positive(timeout, "connect timeout");
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
            this.requestTimeout = positive(timeout, "request timeout");
            return this;
        }

        /**
         * How long a node that failed is skipped before it is tried again (measured with the manager's
         * clock); default 10 seconds.
         *
         * @throws IllegalArgumentException if not positive
         */
        public Builder nodeRetryAfter(Duration interval) {
            requireUnset(this.nodeRetryAfter, "node retry interval");
            this.nodeRetryAfter = positive(interval, "node retry interval");
            return this;
        }

        /** The clock for session times, expiry and node retries; default {@link Clock#systemUTC()}. */
        public Builder clock(Clock clock) {
            requireUnset(this.clock, "clock");
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * How often the background sweeper runs {@link #sweep()}; default one minute.
         *
         * @throws IllegalArgumentException if not positive
         */
        public Builder sweepInterval(Duration interval) {
            requireUnset(this.sweepInterval, "sweep interval");
            if (noSweeper) {
                throw new IllegalStateException("the background sweeper was already turned off");
            }
            this.sweepInterval = positive(interval, "sweep interval");
            return this;
        }

        /** No background thread: expired sessions go only when {@link #sweep()} is called. */
        public Builder withoutBackgroundSweeper() {
            if (sweepInterval != null) {
                throw new IllegalStateException("sweep interval was already set to " + sweepInterval);
            }
            noSweeper = true;
            return this;
        }

        /**
         * Keys asked for per secondary-index request ({@code max_results}) by the sweeper and the principal
         * index; default 500.
         *
         * @throws IllegalArgumentException if not between 1 and 10,000
         */
        public Builder sweepPageSize(int keys) {
            if (sweepPageSize != 0) {
                throw new IllegalStateException("sweep page size was already set to " + sweepPageSize);
            }
            if (keys < 1 || keys > 10_000) {
                throw new IllegalArgumentException("sweep page size must be between 1 and 10000, was " + keys);
            }
            this.sweepPageSize = keys;
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
            this.tombstoneRetention = positive(retention, "tombstone retention");
            return this;
        }

        /**
         * Builds the manager and starts its sweeper, if any. Makes no request: a node that is down is found
         * out by the first operation.
         *
         * @throws IllegalStateException if no node was added
         */
        public RiakSessionManager build() {
            if (nodes.isEmpty()) {
                throw new IllegalStateException("at least one node is required");
            }
            bucket = bucket == null ? "sessions" : bucket;
            r = r == null ? Quorum.QUORUM : r;
            w = w == null ? Quorum.QUORUM : w;
            pr = pr == null ? Quorum.DEFAULT : pr;
            pw = pw == null ? Quorum.DEFAULT : pw;
            dw = dw == null ? Quorum.DEFAULT : dw;
            rw = rw == null ? Quorum.DEFAULT : rw;
            connectTimeout = connectTimeout == null ? Duration.ofSeconds(2) : connectTimeout;
            requestTimeout = requestTimeout == null ? Duration.ofSeconds(5) : requestTimeout;
            nodeRetryAfter = nodeRetryAfter == null ? Duration.ofSeconds(10) : nodeRetryAfter;
            clock = clock == null ? Clock.systemUTC() : clock;
            sweepInterval = noSweeper ? null : sweepInterval == null ? Duration.ofMinutes(1) : sweepInterval;
            sweepPageSize = sweepPageSize == 0 ? 500 : sweepPageSize;
            tombstoneRetention = tombstoneRetention == null ? Duration.ofHours(1) : tombstoneRetention;
            return new RiakSessionManager(this);
        }

        private static void requireUnset(Object current, String what) {
            if (current != null) {
                throw new IllegalStateException(what + " was already set to " + current);
            }
        }

        private static String checkName(String name, String what) {
            if (name == null || !NAME.matcher(name).matches()) {
                throw new IllegalArgumentException(what + " must be 1 to 128 of [A-Za-z0-9_.~-], was " + name);
            }
            return name;
        }

        private static Duration positive(Duration d, String what) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(what + " must be positive, was " + d);
            }
            return d;
        }
    }
}
