package dev.satchel.store.riak;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.satchel.spi.SessionCodec;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * A stand-in for a Riak KV cluster's HTTP API, in this JVM, for tests. It is NOT Riak: it was written from
 * Riak KV's HTTP API documentation, from the source of its object resource ({@code riak_kv_wm_object}) and
 * get logic ({@code riak_kv_get_core}), and from what a real OpenRiak 3.2.2 node was observed to do (issue
 * 11). It is strict by default: it refuses what Riak refuses. Each behaviour below is pinned by a test in
 * {@code RiakStandInTest} that names the Riak behaviour it mirrors.
 *
 * <ul>
 *   <li><b>Replicas.</b> Every object has {@value #N_VAL} replicas ({@code n_val}), one per "vnode" of the
 *       ring. {@link #replicaDown} takes one away, as when its node crashes: an empty <em>fallback</em> takes
 *       its place for writes and reads until {@link #replicaUp} brings the primary back, whose fallback data
 *       waits for {@link #handoff} (Riak's hinted handoff). Writes go to every available replica; reads ask
 *       every available replica, fallbacks answering first (they are empty and quick), and decide as Riak's
 *       get logic does with {@code r}, {@code pr}, {@code notfound_ok} and {@code basic_quorum}; after a read,
 *       replicas that were missing or behind are repaired (read repair).</li>
 *   <li><b>Content negotiation.</b> As webmachine: a GET of a single value provides only that value's
 *       content type, a PUT only the request's content type, a DELETE only {@code text/html}; an object with
 *       siblings provides {@code text/plain} (the vtag list) and {@code multipart/mixed}. An {@code Accept}
 *       matching none of them is {@code 406 Not Acceptable}, so a bare {@code Accept: multipart/mixed} is
 *       refused for every request on an object without siblings, while {@code multipart/mixed, *}{@code /*;q=0.5}
 *       is accepted everywhere and still gets multipart siblings. A missing object is 404 before negotiation.</li>
 *   <li><b>Conditional requests.</b> {@code If-None-Match: *} and {@code If-Match} are checked against a read
 *       made before the write (with the request's {@code r}/{@code pr}/{@code notfound_ok}), not atomically
 *       with it: two simultaneous conditional PUTs with the same vclock can both pass ({@link #beforeWrite}
 *       holds writes in that gap) and become siblings, or under {@code allow_mult=false} one is lost.</li>
 *   <li><b>Vector clocks.</b> {@code X-Riak-Vclock} is opaque; a write whose clock has seen every stored value
 *       replaces them; values it has not seen stay as siblings (dotted version vectors) or, with
 *       {@code allow_mult=false}, only the latest value is kept; with {@code last_write_wins=true} the incoming
 *       value replaces everything.</li>
 *   <li><b>Deletes and tombstones.</b> DELETE reads the object (404 when there is none) and writes a tombstone
 *       with the clock read (or the one sent); a GET then answers 404 with {@code X-Riak-Deleted: true} and
 *       the tombstone's vclock until {@link #reapTombstones()}; a tombstone concurrent with a write is a
 *       sibling marked {@code X-Riak-Deleted} in its part.</li>
 *   <li><b>Bucket types and properties.</b> {@code default}: {@code allow_mult=false}; types
 *       {@link #createBucketType created} here: {@code allow_mult=true} unless said otherwise; unknown types
 *       answer 404. {@code GET …/props} answers {@code {"props":{…}}}; {@code PUT …/props} changes a bucket's
 *       {@code allow_mult}, {@code last_write_wins}, {@code notfound_ok} and {@code basic_quorum}.</li>
 *   <li><b>Parameters.</b> {@code r}, {@code w}, {@code pr}, {@code pw}, {@code dw}, {@code rw}: a number,
 *       {@code one}, {@code quorum}, {@code all} or {@code default}, anything else 400, larger than
 *       {@code n_val} 400; {@code pr}/{@code pw} larger than the primaries up 503 (nothing written);
 *       {@code notfound_ok}/{@code basic_quorum} {@code true}, {@code false} or {@code default}, else 400.</li>
 *   <li><b>2i.</b> {@code X-Riak-Index-*_int}/{@code *_bin} headers on PUT (an unparsable integer 400), exact
 *       and range queries over the primaries; unordered results unless {@code max_results} is given, then
 *       ordered by term and key with a {@code continuation} when the page is full.</li>
 * </ul>
 * Several {@link Node}s over one instance are the HTTP listeners of one cluster (any of them coordinates any
 * request); each can be stopped, restarted, stalled or made to fail. Thread-safe.
 */
final class RiakStandIn implements AutoCloseable {

    static {
        // The JDK server writes headers and body separately; without this, Nagle's algorithm meets the
        // client's delayed ACK and every answer with a body waits about 40 ms.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    /** Replicas per object. */
    static final int N_VAL = 3;

    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);
    private static final List<String> SIBLING_TYPES = List.of("text/plain", "multipart/mixed");

    /** Properties of a bucket type (or, with overrides, of one bucket). */
    record Props(boolean allowMult, boolean lastWriteWins, boolean notfoundOk, boolean basicQuorum) {}

    /** One value of an object. */
    static final class Sibling {
        final byte[] value;
        final String contentType;
        final String vtag;
        final long lastModified; // a cluster-wide sequence: later writes are larger
        final boolean deleted;
        final Map<String, List<String>> indexes;
        final String dotActor;
        final long dotCounter;

        Sibling(byte[] value, String contentType, String vtag, long lastModified, boolean deleted,
                Map<String, List<String>> indexes, String dotActor, long dotCounter) {
            this.value = value;
            this.contentType = contentType;
            this.vtag = vtag;
            this.lastModified = lastModified;
            this.deleted = deleted;
            this.indexes = indexes;
            this.dotActor = dotActor;
            this.dotCounter = dotCounter;
        }

        boolean seenBy(Map<String, Long> clock) {
            return clock.getOrDefault(dotActor, 0L) >= dotCounter;
        }

        boolean sameDot(Sibling o) {
            return dotCounter == o.dotCounter && dotActor.equals(o.dotActor);
        }
    }

    /** One replica's copy of an object: its clock and its values. Immutable; replaced whole on every change. */
    record StoredObject(Map<String, Long> vclock, List<Sibling> siblings) {
        boolean allDeleted() {
            return siblings.stream().allMatch(s -> s.deleted);
        }
    }

    /** What a coordinated read found: an object, nothing, a tombstone, or an error answer. */
    private record Read(StoredObject object, boolean deleted, Answer error) {
        static final Read NOT_FOUND = new Read(null, false, null);

        boolean found() {
            return object != null && !deleted;
        }
    }

    private final Map<String, Props> types = new ConcurrentHashMap<>();
    private final Map<String, Map<String, Boolean>> bucketOverrides = new ConcurrentHashMap<>();
    private final List<ConcurrentHashMap<String, StoredObject>> primaries = new ArrayList<>();
    private final List<ConcurrentHashMap<String, StoredObject>> fallbacks = new ArrayList<>();
    private final AtomicIntegerArray down = new AtomicIntegerArray(N_VAL);
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicInteger nodeNames = new AtomicInteger();
    private final List<Node> nodes = new CopyOnWriteArrayList<>();
    private volatile BiConsumer<String, String> beforeWrite = (method, key) -> {};
    private volatile BiConsumer<String, String> beforeRequest = (method, key) -> {};
    private volatile boolean multipartSiblings = true;
    /** Writes after which the object had more than one value. */
    final AtomicInteger siblingWrites = new AtomicInteger();
    /** Conditional writes refused with 412. */
    final AtomicInteger preconditionFailures = new AtomicInteger();
    /** Requests refused with 406. */
    final AtomicInteger notAcceptable = new AtomicInteger();

    RiakStandIn() {
        types.put("default", new Props(false, false, true, false));
        for (int i = 0; i < N_VAL; i++) {
            primaries.add(new ConcurrentHashMap<>());
            fallbacks.add(new ConcurrentHashMap<>());
        }
    }

    /** Creates and activates a bucket type, as {@code riak admin bucket-type create/activate} would. */
    RiakStandIn createBucketType(String name, boolean allowMult) {
        return createBucketType(name, allowMult, false);
    }

    /** Creates and activates a bucket type with {@code allow_mult} and {@code last_write_wins} as given. */
    RiakStandIn createBucketType(String name, boolean allowMult, boolean lastWriteWins) {
        types.put(name, new Props(allowMult, lastWriteWins, true, false));
        return this;
    }

    /** Starts a node on a free loopback port. */
    Node startNode() throws IOException {
        Node n = new Node("node" + nodeNames.incrementAndGet());
        n.start(0);
        nodes.add(n);
        return n;
    }

    /** The nodes started, in order. */
    List<Node> nodes() {
        return nodes;
    }

    /**
     * Replica {@code i} (0 to {@value #N_VAL} - 1) of every object becomes unreachable, as when the node
     * holding it crashes: an empty fallback replica takes its place. Primaries up drop by one for pr/pw.
     */
    void replicaDown(int i) {
        down.set(i, 1);
    }

    /**
     * Replica {@code i} is reachable again with what it held before; what its fallback took meanwhile
     * waits for {@link #handoff()}.
     */
    void replicaUp(int i) {
        down.set(i, 0);
    }

    /** Hinted handoff: every fallback of a primary that is up gives its objects to that primary and empties. */
    void handoff() {
        for (int i = 0; i < N_VAL; i++) {
            if (down.get(i) == 0) {
                ConcurrentHashMap<String, StoredObject> primary = primaries.get(i);
                ConcurrentHashMap<String, StoredObject> fallback = fallbacks.get(i);
                for (String id : new ArrayList<>(fallback.keySet())) {
                    StoredObject handed = fallback.remove(id);
                    if (handed != null) {
                        primary.compute(id, (k, cur) -> reconcile(cur, handed, propsOfId(k)));
                    }
                }
            }
        }
    }

    /**
     * Runs after a PUT or DELETE passed its conditions and before it writes (with the method and key), so a
     * test can hold two writes in the gap Riak leaves between the two. The default does nothing.
     */
    void beforeWrite(BiConsumer<String, String> hook) {
        this.beforeWrite = hook;
    }

    /** Runs when a request for an object arrives (with the method and key), before it reads anything. */
    void beforeRequest(BiConsumer<String, String> hook) {
        this.beforeRequest = hook;
    }

    /**
     * Whether a 300 honours {@code Accept}; when false it always lists vtags as text, as behind a proxy that
     * rewrites {@code Accept}.
     */
    void multipartSiblings(boolean honoured) {
        this.multipartSiblings = honoured;
    }

    /** Removes objects that hold only tombstones, as Riak's reaper does after {@code delete_mode} (3 s). */
    void reapTombstones() {
        for (int i = 0; i < N_VAL; i++) {
            primaries.get(i).entrySet().removeIf(e -> e.getValue().allDeleted());
            fallbacks.get(i).entrySet().removeIf(e -> e.getValue().allDeleted());
        }
    }

    /** The object as a read of every replica would merge it (primaries and fallbacks), or null. */
    StoredObject object(String type, String bucket, String key) {
        String id = id(type, bucket, key);
        StoredObject merged = null;
        for (int i = 0; i < N_VAL; i++) {
            merged = reconcile(merged, primaries.get(i).get(id), propsOfId(id));
            merged = reconcile(merged, fallbacks.get(i).get(id), propsOfId(id));
        }
        return merged;
    }

    /** Primary replica {@code i}'s copy of an object, or null. */
    StoredObject replica(int i, String type, String bucket, String key) {
        return primaries.get(i).get(id(type, bucket, key));
    }

    /** Number of keys holding at least one live (non-tombstone) value in a bucket. */
    long liveKeys(String type, String bucket) {
        String prefix = type + "\u0000" + bucket + "\u0000";
        java.util.Set<String> ids = new java.util.HashSet<>();
        for (int i = 0; i < N_VAL; i++) {
            ids.addAll(primaries.get(i).keySet());
            ids.addAll(fallbacks.get(i).keySet());
        }
        return ids.stream().filter(id -> id.startsWith(prefix)).filter(id -> {
            StoredObject o = object(type, bucket, id.substring(prefix.length()));
            return o != null && !o.allDeleted();
        }).count();
    }

    /** Stores raw bytes under a key on every replica, replacing anything there, as a buggy or foreign writer might. */
    void plant(String type, String bucket, String key, byte[] value, Map<String, List<String>> indexes) {
        String id = id(type, bucket, key);
        StoredObject cur = object(type, bucket, key);
        Map<String, Long> vc = increment(cur == null ? Map.of() : cur.vclock(), "backdoor");
        StoredObject planted = new StoredObject(vc, List.of(new Sibling(value, "application/json", vtag(),
                sequence.incrementAndGet(), false, indexes, "backdoor", vc.get("backdoor"))));
        for (int i = 0; i < N_VAL; i++) {
            (down.get(i) == 0 ? primaries : fallbacks).get(i).put(id, planted);
        }
    }

    @Override
    public void close() {
        for (Node n : nodes) {
            n.stop();
        }
    }

    // ------------------------------------------------------------------ one node

    /** One HTTP listener of the cluster. */
    final class Node {
        final String name;
        private volatile HttpServer server;
        private ExecutorService executor;
        private volatile int port;
        private volatile CountDownLatch stallGate;
        private volatile int failWith;
        final AtomicInteger requests = new AtomicInteger();
        final List<String> log = new CopyOnWriteArrayList<>();
        /** The {@code Accept} header of every request, in order ({@code null} when absent). */
        final List<String> accepts = new CopyOnWriteArrayList<>();

        private Node(String name) {
            this.name = name;
        }

        synchronized void start(int onPort) throws IOException {
            HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort), 64);
            executor = Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "riak-stand-in-" + name);
                t.setDaemon(true);
                return t;
            });
            s.setExecutor(executor);
            s.createContext("/", this::handle);
            s.start();
            server = s;
            port = s.getAddress().getPort();
        }

        /** The base URL to give a client, {@code http://127.0.0.1:port}. */
        String url() {
            return "http://127.0.0.1:" + port;
        }

        URI uri() {
            return URI.create(url());
        }

        /** Stops listening: connections are refused until {@link #restart()}. Replicas are not affected. */
        synchronized void stop() {
            unstall();
            if (server != null) {
                server.stop(0);
                server = null;
                executor.shutdownNow();
            }
        }

        /** Listens again on the same port. */
        synchronized void restart() throws IOException {
            if (server == null) {
                start(port);
            }
        }

        /** Accepts requests but answers none until {@link #unstall()} (or 30 s). */
        void stall() {
            stallGate = new CountDownLatch(1);
        }

        /** Answers every request with {@code status} (such as 503, a node leaving the cluster); 0 stops that. */
        void failWith(int status) {
            this.failWith = status;
        }

        void unstall() {
            CountDownLatch g = stallGate;
            stallGate = null;
            if (g != null) {
                g.countDown();
            }
        }

        private void handle(HttpExchange ex) throws IOException {
            requests.incrementAndGet();
            log.add(ex.getRequestMethod() + " " + ex.getRequestURI());
            accepts.add(ex.getRequestHeaders().getFirst("Accept"));
            try (ex) {
                CountDownLatch gate = stallGate;
                if (gate != null) {
                    try {
                        gate.await(30, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return;
                    }
                }
                Answer a;
                try {
                    a = failWith != 0 ? Answer.text(failWith, "Unable to connect to Riak: node is leaving\n")
                            : route(ex);
                } catch (Refused e) {
                    a = e.answer;
                }
                if (a.status == 406) {
                    notAcceptable.incrementAndGet();
                }
                a.send(ex);
            }
        }
    }

    // ------------------------------------------------------------------ protocol

    /** A response to send. */
    private static final class Answer {
        final int status;
        final Map<String, String> headers = new LinkedHashMap<>();
        byte[] body = new byte[0];

        Answer(int status) {
            this.status = status;
        }

        static Answer text(int status, String text) {
            Answer a = new Answer(status);
            a.headers.put("Content-Type", "text/plain");
            a.body = text.getBytes(StandardCharsets.UTF_8);
            return a;
        }

        void send(HttpExchange ex) throws IOException {
            Headers h = ex.getResponseHeaders();
            headers.forEach(h::add);
            boolean noBody = status == 204 || status == 304 || body.length == 0;
            ex.sendResponseHeaders(status, noBody ? -1 : body.length);
            if (!noBody) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }

    /** A request refused with an answer (400, 404, 406, 412, 503, …). */
    private static final class Refused extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient Answer answer;

        Refused(Answer answer) {
            super(null, null, false, false);
            this.answer = answer;
        }

        static Refused text(int status, String message) {
            return new Refused(Answer.text(status, message));
        }
    }

    private Answer route(HttpExchange ex) throws IOException {
        String method = ex.getRequestMethod();
        List<String> path = new ArrayList<>();
        for (String seg : ex.getRequestURI().getRawPath().split("/")) {
            if (!seg.isEmpty()) {
                path.add(URLDecoder.decode(seg, StandardCharsets.UTF_8));
            }
        }
        Map<String, String> q = query(ex.getRequestURI().getRawQuery());
        if (path.size() == 1 && path.get(0).equals("ping")) {
            return Answer.text(200, "OK");
        }
        String type = "default";
        if (path.size() >= 2 && path.get(0).equals("types")) {
            type = path.get(1);
            path = path.subList(2, path.size());
        }
        if (path.size() < 3 || !path.get(0).equals("buckets")) {
            return Answer.text(404, "not found\n");
        }
        String bucket = path.get(1);
        if (path.get(2).equals("props") && path.size() == 3) {
            return props(ex, method, type, bucket);
        }
        if (!types.containsKey(type)) {
            return Answer.text(404, "Unknown bucket type: " + type);
        }
        if (path.get(2).equals("index") && (path.size() == 5 || path.size() == 6) && method.equals("GET")) {
            return index(type, bucket, path.get(3), path.get(4), path.size() == 6 ? path.get(5) : null, q);
        }
        if (!path.get(2).equals("keys") || path.size() != 4) {
            return Answer.text(404, "not found\n");
        }
        String key = path.get(3);
        beforeRequest.accept(method, key);
        Params params = new Params(q);
        switch (method) {
            case "GET":
            case "HEAD":
                return fetch(ex, type, bucket, key, params, q.get("vtag"));
            case "PUT":
            case "POST":
                return store(ex, type, bucket, key, params, "true".equals(q.get("returnbody")));
            case "DELETE":
                return delete(ex, type, bucket, key, params);
            default:
                return Answer.text(405, "method not allowed");
        }
    }

    /** The quorum and boolean parameters of an object request, parsed as Riak's object resource does. */
    private static final class Params {
        final Map<String, String> quorums = new HashMap<>();
        final Boolean notfoundOk;
        final Boolean basicQuorum;

        Params(Map<String, String> q) {
            for (String name : List.of("r", "w", "dw", "rw", "pw", "pr")) {
                String v = q.getOrDefault(name, "default");
                if (!v.equals("default") && !v.equals("one") && !v.equals("quorum") && !v.equals("all")) {
                    try {
                        Integer.parseInt(v);
                    } catch (NumberFormatException e) {
                        throw Refused.text(400, name + " query parameter must be an integer or one of the"
                                + " following words: 'one', 'quorum' or 'all'\n");
                    }
                }
                quorums.put(name, v);
            }
            notfoundOk = bool(q, "notfound_ok");
            basicQuorum = bool(q, "basic_quorum");
        }

        private static Boolean bool(Map<String, String> q, String name) {
            String v = q.getOrDefault(name, "default").toLowerCase(Locale.ROOT);
            switch (v) {
                case "true": return Boolean.TRUE;
                case "false": return Boolean.FALSE;
                case "default": return null;
                default: throw Refused.text(400, name + " query parameter must be true or false\n");
            }
        }

        /** The value of {@code name} as a number of replicas; {@code default} is the bucket's. */
        int resolve(String name) {
            String v = quorums.get(name);
            switch (v) {
                case "default": return name.startsWith("p") ? 0 : N_VAL / 2 + 1;
                case "one": return 1;
                case "quorum": return N_VAL / 2 + 1;
                case "all": return N_VAL;
                default: return Integer.parseInt(v);
            }
        }

        /** Riak's n_val check of the parameters one operation uses: 400 when any exceeds it. */
        void checkAgainstN(String... used) {
            for (String name : used) {
                if (resolve(name) > N_VAL) {
                    throw Refused.text(400, "Specified w/dw/pw/node_confirms values invalid for bucket n value of "
                            + N_VAL + "\n");
                }
            }
        }
    }

    // ------------------------------------------------------------------ reads

    /**
     * A coordinated read, as Riak's get logic decides it: replicas answer one by one (fallbacks first), an
     * ok value counts towards {@code r} (and towards {@code pr} from a primary), a not-found counts as ok
     * only with {@code notfound_ok}, and the read ends when {@code r} and {@code pr} are met, when so many
     * replicas failed that they cannot be, or when all have answered. Replicas found missing or behind are
     * repaired afterwards.
     */
    private Read coordinatedRead(String id, Props props, Params p) {
        p.checkAgainstN("r", "pr");
        int r = p.resolve("r");
        int pr = p.resolve("pr");
        int up = primariesUp();
        if (pr > up) {
            return new Read(null, false, Answer.text(503, "PR-value unsatisfied: " + up + "/" + pr + "\n"));
        }
        boolean notfoundOk = p.notfoundOk != null ? p.notfoundOk : props.notfoundOk();
        boolean basicQuorum = p.basicQuorum != null ? p.basicQuorum : props.basicQuorum();
        int failR = Math.max(r, pr);
        int failThreshold = basicQuorum ? Math.min(N_VAL / 2 + 1, N_VAL - failR + 1) : N_VAL - failR + 1;
        int numOk = 0;
        int numPok = 0;
        int numNotFound = 0;
        int numDeleted = 0;
        List<StoredObject> results = new ArrayList<>();
        for (int[] replica : responseOrder()) {
            boolean primary = replica[1] == 1;
            StoredObject o = (primary ? primaries : fallbacks).get(replica[0]).get(id);
            if (o != null) {
                numOk++;
                numPok += primary ? 1 : 0;
                numDeleted += o.allDeleted() ? 1 : 0;
                results.add(o);
            } else if (notfoundOk) {
                numOk++;
                numPok += primary ? 1 : 0;
            } else {
                numNotFound++;
            }
            if ((numOk >= r && numPok >= pr) || numNotFound >= failThreshold) {
                break; // enough: quorum met, or it can no longer be
            }
        }
        readRepair(id, props);
        if (numOk >= r && numPok >= pr) {
            StoredObject merged = null;
            for (StoredObject o : results) {
                merged = reconcile(merged, o, props);
            }
            if (merged == null) {
                return Read.NOT_FOUND;
            }
            return new Read(merged, merged.allDeleted(), null);
        }
        if (numNotFound + numDeleted > 0 && numOk - numDeleted == 0) {
            return Read.NOT_FOUND;
        }
        String unsatisfied = pr > 0 && numPok < pr && (numOk >= r || pr >= r)
                ? "PR-value unsatisfied: " + numPok + "/" + pr : "R-value unsatisfied: " + numOk + "/" + r;
        return new Read(null, false, Answer.text(503, unsatisfied + "\n"));
    }

    /** Fallbacks of down replicas first, then the primaries that are up: {index, 1 if primary}. */
    private List<int[]> responseOrder() {
        List<int[]> order = new ArrayList<>(N_VAL);
        for (int i = 0; i < N_VAL; i++) {
            if (down.get(i) == 1) {
                order.add(new int[] {i, 0});
            }
        }
        for (int i = 0; i < N_VAL; i++) {
            if (down.get(i) == 0) {
                order.add(new int[] {i, 1});
            }
        }
        return order;
    }

    private int primariesUp() {
        int up = 0;
        for (int i = 0; i < N_VAL; i++) {
            up += down.get(i) == 0 ? 1 : 0;
        }
        return up;
    }

    /** After every read, as Riak does once all replicas answered: each available replica gets the merge of all. */
    private void readRepair(String id, Props props) {
        StoredObject all = null;
        for (int[] replica : responseOrder()) {
            all = reconcile(all, available(replica).get(id), props);
        }
        if (all == null) {
            return;
        }
        StoredObject merged = all;
        for (int[] replica : responseOrder()) {
            available(replica).compute(id, (k, cur) -> reconcile(cur, merged, props));
        }
    }

    private ConcurrentHashMap<String, StoredObject> available(int[] replica) {
        return (replica[1] == 1 ? primaries : fallbacks).get(replica[0]);
    }

    private Answer fetch(HttpExchange ex, String type, String bucket, String key, Params p, String vtag) {
        // riak_kv_wm_object reads the object while checking the request (forbidden/validate_doc): a missing
        // object is 404 before content negotiation, so Accept never turns a not-found into a 406.
        Read read = coordinatedRead(id(type, bucket, key), propsOf(type, bucket), p);
        if (read.error != null) {
            return read.error;
        }
        if (read.object == null) {
            return Answer.text(404, "not found\n");
        }
        StoredObject o = read.object;
        if (read.deleted) {
            Answer a = Answer.text(404, "not found\n");
            a.headers.put("X-Riak-Deleted", "true");
            a.headers.put("X-Riak-Vclock", encodeVclock(o.vclock()));
            return a;
        }
        Sibling chosen = o.siblings().size() == 1 ? o.siblings().get(0) : null;
        if (vtag != null && chosen == null) {
            for (Sibling s : o.siblings()) {
                if (s.vtag.equals(vtag)) {
                    chosen = s;
                }
            }
        }
        String accept = ex.getRequestHeaders().getFirst("Accept");
        List<String> provided = chosen != null ? List.of(mediaType(chosen.contentType)) : SIBLING_TYPES;
        String media = chooseMediaType(provided, accept);
        if (media == null) {
            return new Answer(406);
        }
        if (vtag != null && chosen == null) {
            return Answer.text(404, "not found\n"); // resource_exists: no sibling has this vtag
        }
        if (chosen != null) {
            Answer a = single(bucket, o, chosen);
            if (chosen.deleted) {
                a.headers.put("X-Riak-Deleted", "true");
            }
            return a;
        }
        return siblings(bucket, o, media);
    }

    /** 200 with one value. */
    private Answer single(String bucket, StoredObject o, Sibling s) {
        Answer a = new Answer(200);
        a.headers.put("X-Riak-Vclock", encodeVclock(o.vclock()));
        a.headers.put("Content-Type", s.contentType);
        a.headers.put("ETag", "\"" + s.vtag + "\"");
        a.headers.put("Last-Modified", httpDate());
        a.headers.put("Link", "</buckets/" + bucket + ">; rel=\"up\"");
        a.headers.put("Vary", "Accept-Encoding");
        s.indexes.forEach((field, vals) -> a.headers.put("X-Riak-Index-" + field, String.join(", ", vals)));
        a.body = s.value;
        return a;
    }

    /** 300 with the siblings as {@code media}: a multipart body, or the vtag list. */
    private Answer siblings(String bucket, StoredObject o, String media) {
        Answer a = new Answer(300);
        a.headers.put("X-Riak-Vclock", encodeVclock(o.vclock()));
        a.headers.put("Vary", "Accept, Accept-Encoding");
        a.headers.put("ETag", "\"" + etagOf(o) + "\"");
        if (multipartSiblings && media.equals("multipart/mixed")) {
            String boundary = vtag();
            a.headers.put("Content-Type", "multipart/mixed; boundary=" + boundary);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (Sibling s : o.siblings()) {
                StringBuilder h = new StringBuilder("\r\n--").append(boundary).append("\r\n")
                        .append("Content-Type: ").append(s.contentType).append("\r\n")
                        .append("Link: </buckets/").append(bucket).append(">; rel=\"up\"\r\n")
                        .append("Etag: ").append(s.vtag).append("\r\n")
                        .append("Last-Modified: ").append(httpDate()).append("\r\n");
                if (s.deleted) {
                    h.append("X-Riak-Deleted: true\r\n");
                }
                s.indexes.forEach((field, vals) -> vals.forEach(v ->
                        h.append("X-Riak-Index-").append(field).append(": ").append(v).append("\r\n")));
                h.append("\r\n");
                out.writeBytes(h.toString().getBytes(StandardCharsets.UTF_8));
                out.writeBytes(s.value);
            }
            out.writeBytes(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
            a.body = out.toByteArray();
        } else {
            a.headers.put("Content-Type", "text/plain");
            StringBuilder b = new StringBuilder("Siblings:\n");
            for (Sibling s : o.siblings()) {
                b.append(s.vtag).append('\n');
            }
            a.body = b.toString().getBytes(StandardCharsets.UTF_8);
        }
        return a;
    }

    // ------------------------------------------------------------------ writes

    private Answer store(HttpExchange ex, String type, String bucket, String key, Params p, boolean returnBody)
            throws IOException {
        Headers h = ex.getRequestHeaders();
        String contentType = h.getFirst("Content-Type");
        if (contentType == null) {
            return Answer.text(400, "Missing Content-Type request header");
        }
        Map<String, List<String>> indexes = indexHeaders(h);
        // Content negotiation comes before anything is read or written: a PUT provides only its own type.
        if (chooseMediaType(List.of(mediaType(contentType)), h.getFirst("Accept")) == null) {
            return new Answer(406);
        }
        byte[] value;
        try (InputStream in = ex.getRequestBody()) {
            value = in.readAllBytes();
        }
        Map<String, Long> incoming = decodeVclock(h.getFirst("X-Riak-Vclock"));
        String id = id(type, bucket, key);
        Props props = propsOf(type, bucket);
        Answer refused = preconditions(h, id, props, p);
        if (refused != null) {
            return refused;
        }
        p.checkAgainstN("w", "dw", "pw");
        int up = primariesUp();
        if (p.resolve("pw") > up) {
            return Answer.text(503, "PW-value unsatisfied: " + up + "/" + p.resolve("pw") + "\n");
        }
        beforeWrite.accept("PUT", key);
        StoredObject after = write(id, incoming, value, contentType, false, indexes, props);
        if (!returnBody) {
            return new Answer(204);
        }
        if (after.siblings().size() == 1) {
            return single(bucket, after, after.siblings().get(0));
        }
        String media = chooseMediaType(List.of("multipart/mixed", "text/plain"), h.getFirst("Accept"));
        return siblings(bucket, after, media == null ? "text/plain" : media);
    }

    /**
     * If-Match / If-None-Match, checked as webmachine does against a read made with the request's parameters
     * (an object that cannot be read counts as absent). Returns the 412 to send, or null to go on.
     */
    private Answer preconditions(Headers h, String id, Props props, Params p) {
        String ifNoneMatch = h.getFirst("If-None-Match");
        String ifMatch = h.getFirst("If-Match");
        if (ifNoneMatch == null && ifMatch == null) {
            return null;
        }
        Read read = coordinatedRead(id, props, p);
        boolean exists = read.found();
        boolean refused = ifMatch != null && (!exists || !etagMatches(ifMatch, etagOf(read.object)));
        refused |= ifNoneMatch != null && exists && etagMatches(ifNoneMatch, etagOf(read.object));
        if (refused) {
            preconditionFailures.incrementAndGet();
            return new Answer(412);
        }
        return null;
    }

    private Answer delete(HttpExchange ex, String type, String bucket, String key, Params p) {
        Headers h = ex.getRequestHeaders();
        if (chooseMediaType(List.of("text/html"), h.getFirst("Accept")) == null) {
            return new Answer(406);
        }
        String id = id(type, bucket, key);
        Props props = propsOf(type, bucket);
        p.checkAgainstN("rw", "r", "pr", "w", "dw", "pw");
        String header = h.getFirst("X-Riak-Vclock");
        Map<String, Long> clock;
        if (header != null) {
            clock = decodeVclock(header);
        } else {
            // Without a clock Riak reads the object (with r and pr) and deletes what it read.
            Read read = coordinatedRead(id, props, p);
            if (read.error != null) {
                return read.error;
            }
            if (!read.found()) {
                return Answer.text(404, "not found\n");
            }
            clock = read.object.vclock();
        }
        int up = primariesUp();
        if (p.resolve("pw") > up) {
            return Answer.text(503, "PW-value unsatisfied: " + up + "/" + p.resolve("pw") + "\n");
        }
        beforeWrite.accept("DELETE", key);
        write(id, clock, new byte[0], "application/octet-stream", true, Map.of(), props);
        return new Answer(204);
    }

    /**
     * A write: the coordinating replica (the first primary up, else the first fallback) merges the incoming
     * value with what it holds, and every other available replica reconciles the result with its own copy.
     */
    private StoredObject write(String id, Map<String, Long> incoming, byte[] value, String contentType,
            boolean deleted, Map<String, List<String>> indexes, Props props) {
        List<int[]> replicas = responseOrder();
        int[] coordinator = coordinator(replicas);
        String actor = (coordinator[1] == 1 ? "vnode" : "fallback") + coordinator[0];
        StoredObject written = available(coordinator).compute(id, (k, cur) -> {
            Map<String, Long> vc = increment(cur == null ? incoming : join(incoming, cur.vclock()), actor);
            Sibling fresh = new Sibling(value, contentType, vtag(), sequence.incrementAndGet(), deleted, indexes,
                    actor, vc.get(actor));
            if (props.lastWriteWins()) {
                return new StoredObject(vc, List.of(fresh)); // no merge at all: the incoming value replaces
            }
            List<Sibling> siblings = new ArrayList<>();
            if (cur != null) {
                for (Sibling s : cur.siblings()) {
                    if (!s.seenBy(incoming)) {
                        siblings.add(s); // a value the writer had not seen
                    }
                }
            }
            siblings.add(fresh);
            return new StoredObject(vc, props.allowMult() ? List.copyOf(siblings) : List.of(latest(siblings)));
        });
        for (int[] replica : replicas) {
            if (replica != coordinator) {
                available(replica).compute(id, (k, cur) -> reconcile(cur, written, props));
            }
        }
        if (written.siblings().size() > 1) {
            siblingWrites.incrementAndGet();
        }
        return written;
    }

    /** The first primary up, else the first fallback. */
    private static int[] coordinator(List<int[]> replicas) {
        for (int[] r : replicas) {
            if (r[1] == 1) {
                return r;
            }
        }
        return replicas.get(0);
    }

    /**
     * Two copies of one object made one, as replicas sync: values each side has not seen stay, values one
     * side has seen and dropped go, the clocks join. Under {@code allow_mult=false} the latest value wins.
     */
    private static StoredObject reconcile(StoredObject a, StoredObject b, Props props) {
        if (a == null) {
            return b;
        }
        if (b == null || a.equals(b)) {
            return a;
        }
        List<Sibling> siblings = new ArrayList<>();
        for (Sibling s : a.siblings()) {
            if (!s.seenBy(b.vclock()) || b.siblings().stream().anyMatch(s::sameDot)) {
                siblings.add(s);
            }
        }
        for (Sibling s : b.siblings()) {
            if (!s.seenBy(a.vclock()) && siblings.stream().noneMatch(s::sameDot)) {
                siblings.add(s);
            }
        }
        if (siblings.isEmpty()) {
            siblings.add(latest(b.siblings()));
        }
        boolean single = !props.allowMult() || props.lastWriteWins();
        StoredObject merged = new StoredObject(join(a.vclock(), b.vclock()),
                single ? List.of(latest(siblings)) : List.copyOf(siblings));
        return merged.equals(a) ? a : merged;
    }

    private static Sibling latest(List<Sibling> siblings) {
        return siblings.stream().max(Comparator.comparingLong(s -> s.lastModified)).orElseThrow();
    }

    // ------------------------------------------------------------------ bucket properties

    private Answer props(HttpExchange ex, String method, String type, String bucket) throws IOException {
        if (!types.containsKey(type)) {
            return Answer.text(404, "Not Found");
        }
        if (method.equals("GET")) {
            if (chooseMediaType(List.of("application/json"), ex.getRequestHeaders().getFirst("Accept")) == null) {
                return new Answer(406);
            }
            Props p = propsOf(type, bucket);
            Answer a = new Answer(200);
            a.headers.put("Content-Type", "application/json");
            a.body = ("{\"props\":{\"name\":\"" + bucket + "\",\"young_vclock\":20,\"w\":\"quorum\",\"small_vclock\":50,"
                    + "\"rw\":\"quorum\",\"r\":\"quorum\",\"pw\":0,\"pr\":0,\"dw\":\"quorum\",\"precommit\":[],"
                    + "\"postcommit\":[],\"old_vclock\":86400,\"notfound_ok\":" + p.notfoundOk() + ",\"n_val\":"
                    + N_VAL + ",\"linkfun\":{\"mod\":\"riak_kv_wm_link_walker\",\"fun\":\"mapreduce_linkfun\"},"
                    + "\"last_write_wins\":" + p.lastWriteWins() + ",\"dvv_enabled\":" + p.allowMult()
                    + ",\"chash_keyfun\":{\"mod\":\"riak_core_util\",\"fun\":\"chash_std_keyfun\"},"
                    + "\"big_vclock\":50,\"basic_quorum\":" + p.basicQuorum() + ",\"allow_mult\":" + p.allowMult()
                    + (type.equals("default") ? "" : ",\"active\":true,\"claimant\":\"riak@127.0.0.1\"")
                    + "}}").getBytes(StandardCharsets.UTF_8);
            return a;
        }
        if (method.equals("PUT")) {
            String ct = ex.getRequestHeaders().getFirst("Content-Type");
            if (ct == null || !mediaType(ct).equals("application/json")) {
                return new Answer(415);
            }
            JsonNode props;
            try (InputStream in = ex.getRequestBody()) {
                props = SessionCodec.jsonMapper().readTree(in.readAllBytes()).get("props");
            } catch (JacksonException e) {
                props = null;
            }
            if (props == null || !props.isObject()) {
                return Answer.text(400, "bucket PUT must be a JSON object of the form:\n{\"props\":{...bucket properties...}}");
            }
            Map<String, Boolean> overrides = bucketOverrides.computeIfAbsent(type + "\u0000" + bucket,
                    k -> new ConcurrentHashMap<>());
            for (String name : List.of("allow_mult", "last_write_wins", "notfound_ok", "basic_quorum")) {
                if (props.has(name)) {
                    overrides.put(name, props.get(name).asBoolean());
                }
            }
            return new Answer(204);
        }
        return Answer.text(405, "method not allowed");
    }

    private Props propsOf(String type, String bucket) {
        Props t = types.get(type);
        Map<String, Boolean> o = bucketOverrides.getOrDefault(type + "\u0000" + bucket, Map.of());
        return new Props(o.getOrDefault("allow_mult", t.allowMult()), o.getOrDefault("last_write_wins", t.lastWriteWins()),
                o.getOrDefault("notfound_ok", t.notfoundOk()), o.getOrDefault("basic_quorum", t.basicQuorum()));
    }

    private Props propsOfId(String id) {
        int a = id.indexOf('\u0000');
        int b = id.indexOf('\u0000', a + 1);
        return propsOf(id.substring(0, a), id.substring(a + 1, b));
    }

    // ------------------------------------------------------------------ secondary indexes

    private Answer index(String type, String bucket, String field, String start, String end, Map<String, String> q) {
        String f = field.toLowerCase(Locale.ROOT);
        boolean integer = f.endsWith("_int");
        if (!integer && !f.endsWith("_bin")) {
            return Answer.text(400, "Invalid query: unsupported index field " + field);
        }
        Comparator<String> order = integer ? Comparator.comparingLong(RiakStandIn::parseLong) : Comparator.naturalOrder();
        String lo = start;
        String hi = end == null ? start : end;
        if (integer) {
            parseLong(lo);
            parseLong(hi);
        }
        Integer max = null;
        if (q.containsKey("max_results")) {
            try {
                max = Integer.parseInt(q.get("max_results"));
            } catch (NumberFormatException e) {
                max = -1;
            }
            if (max <= 0) {
                return Answer.text(400, "Invalid max_results. \"" + q.get("max_results") + "\" is not a positive integer");
            }
        }
        String prefix = type + "\u0000" + bucket + "\u0000";
        Props props = propsOf(type, bucket);
        // A coverage query reads one primary replica per partition; here: the merge of the primaries up.
        Map<String, StoredObject> view = new HashMap<>();
        for (int i = 0; i < N_VAL; i++) {
            if (down.get(i) == 0) {
                for (Map.Entry<String, StoredObject> e : primaries.get(i).entrySet()) {
                    if (e.getKey().startsWith(prefix)) {
                        view.merge(e.getKey(), e.getValue(), (x, y) -> reconcile(x, y, props));
                    }
                }
            }
        }
        List<String[]> hits = new ArrayList<>(); // {term, key}
        for (Map.Entry<String, StoredObject> e : view.entrySet()) {
            String key = e.getKey().substring(prefix.length());
            TreeMap<String, Boolean> terms = new TreeMap<>(order);
            for (Sibling s : e.getValue().siblings()) {
                if (!s.deleted) {
                    for (String v : s.indexes.getOrDefault(f, List.of())) {
                        if (order.compare(v, lo) >= 0 && order.compare(v, hi) <= 0) {
                            terms.put(v, true);
                        }
                    }
                }
            }
            terms.keySet().forEach(t -> hits.add(new String[] {t, key}));
        }
        Comparator<String[]> byTermThenKey = (a, b) -> {
            int c = order.compare(a[0], b[0]);
            return c != 0 ? c : a[1].compareTo(b[1]);
        };
        String continuation = null;
        if (max == null) {
            // Unordered, as Riak's coverage query gathers them: here, by a hash of the key.
            hits.sort(Comparator.comparingInt(a -> Integer.reverse(a[1].hashCode())));
        } else {
            hits.sort(byTermThenKey);
            List<String[]> page = new ArrayList<>();
            String[] after = q.containsKey("continuation") ? decodeContinuation(q.get("continuation")) : null;
            for (String[] hit : hits) {
                if (after == null || byTermThenKey.compare(hit, after) > 0) {
                    page.add(hit);
                    if (page.size() == max) {
                        continuation = Base64.getEncoder().encodeToString(
                                (hit[0] + "\u0000" + hit[1]).getBytes(StandardCharsets.UTF_8));
                        break;
                    }
                }
            }
            hits.clear();
            hits.addAll(page);
        }
        StringBuilder b = new StringBuilder();
        boolean terms = "true".equals(q.get("return_terms")) && end != null;
        b.append(terms ? "{\"results\":[" : "{\"keys\":[");
        for (int i = 0; i < hits.size(); i++) {
            String[] hit = hits.get(i);
            b.append(i == 0 ? "" : ",");
            if (terms) {
                b.append("{").append(jsonString(hit[0])).append(":").append(jsonString(hit[1])).append("}");
            } else {
                b.append(jsonString(hit[1]));
            }
        }
        b.append("]");
        if (continuation != null) {
            b.append(",\"continuation\":").append(jsonString(continuation));
        }
        b.append("}");
        Answer a = new Answer(200);
        a.headers.put("Content-Type", "application/json");
        a.body = b.toString().getBytes(StandardCharsets.UTF_8);
        return a;
    }

    // ------------------------------------------------------------------ small helpers

    /**
     * Webmachine's choice of a media type: the {@code Accept} entries in order of quality, each matched
     * against the types provided (exactly, {@code type/*} or {@code *}{@code /*}); the first match wins, no
     * match is null (406). No {@code Accept} takes the first type provided.
     */
    static String chooseMediaType(List<String> provided, String accept) {
        if (accept == null || accept.isBlank()) {
            return provided.get(0);
        }
        List<String[]> entries = new ArrayList<>(); // {media, q}
        for (String part : accept.split(",")) {
            String[] params = part.trim().split(";");
            String media = params[0].trim().toLowerCase(Locale.ROOT);
            double quality = 1.0;
            for (int i = 1; i < params.length; i++) {
                String p = params[i].trim();
                if (p.startsWith("q=")) {
                    try {
                        quality = Double.parseDouble(p.substring(2));
                    } catch (NumberFormatException e) {
                        quality = 0;
                    }
                }
            }
            if (!media.isEmpty() && quality > 0) {
                entries.add(new String[] {media, Double.toString(quality)});
            }
        }
        entries.sort(Comparator.comparingDouble((String[] e) -> -Double.parseDouble(e[1])));
        for (String[] e : entries) {
            for (String p : provided) {
                if (e[0].equals("*/*") || e[0].equals(p)
                        || (e[0].endsWith("/*") && p.startsWith(e[0].substring(0, e[0].length() - 1)))) {
                    return p;
                }
            }
        }
        return null;
    }

    private static String mediaType(String contentType) {
        int semi = contentType.indexOf(';');
        return (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
    }

    private static Map<String, List<String>> indexHeaders(Headers h) {
        Map<String, List<String>> indexes = new TreeMap<>();
        for (Map.Entry<String, List<String>> e : h.entrySet()) {
            String name = e.getKey().toLowerCase(Locale.ROOT);
            if (!name.startsWith("x-riak-index-")) {
                continue;
            }
            String field = name.substring("x-riak-index-".length());
            for (String raw : e.getValue()) {
                for (String v : raw.split(", ")) {
                    if (field.endsWith("_int")) {
                        try {
                            Long.parseLong(v.trim());
                        } catch (NumberFormatException ex) {
                            throw Refused.text(400, "Could not parse field '" + field + "', value '" + v + "'.");
                        }
                    } else if (!field.endsWith("_bin")) {
                        throw Refused.text(400, "Unknown field type for field: '" + field + "'.");
                    }
                    List<String> vals = indexes.computeIfAbsent(field, x -> new ArrayList<>());
                    if (!vals.contains(v.trim())) {
                        vals.add(v.trim());
                    }
                }
            }
        }
        return indexes;
    }

    /** The entity tag: the vtag of a single value, else one derived from the clock (as Riak's generate_etag). */
    private static String etagOf(StoredObject o) {
        return o.siblings().size() == 1 ? o.siblings().get(0).vtag
                : Integer.toUnsignedString(o.vclock().hashCode(), 36);
    }

    private static boolean etagMatches(String header, String etag) {
        for (String candidate : header.split(",")) {
            String c = candidate.trim();
            if (c.length() >= 2 && c.startsWith("\"") && c.endsWith("\"")) {
                c = c.substring(1, c.length() - 1);
            }
            if (c.equals("*") || c.equals(etag)) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code base} with a new event of {@code actor}. Counters come from one cluster-wide sequence, so a dot is
     * never issued twice even by a fallback that was emptied by handoff and writes again (Riak gets the same
     * from vnode ids that change with each incarnation).
     */
    private Map<String, Long> increment(Map<String, Long> base, String actor) {
        Map<String, Long> vc = new TreeMap<>(base);
        vc.put(actor, sequence.incrementAndGet());
        return vc;
    }

    private static Map<String, Long> join(Map<String, Long> a, Map<String, Long> b) {
        Map<String, Long> m = new TreeMap<>(a);
        b.forEach((k, v) -> m.merge(k, v, Math::max));
        return m;
    }

    static String encodeVclock(Map<String, Long> vc) {
        StringBuilder b = new StringBuilder();
        vc.forEach((k, v) -> b.append(b.length() == 0 ? "" : ",").append(k).append(':').append(v));
        return Base64.getEncoder().encodeToString(b.toString().getBytes(StandardCharsets.UTF_8));
    }

    static Map<String, Long> decodeVclock(String header) {
        Map<String, Long> vc = new TreeMap<>();
        if (header == null || header.isBlank()) {
            return vc;
        }
        try {
            String text = new String(Base64.getDecoder().decode(header.trim()), StandardCharsets.UTF_8);
            for (String entry : text.split(",")) {
                if (!entry.isEmpty()) {
                    int colon = entry.lastIndexOf(':');
                    vc.put(entry.substring(0, colon), Long.parseLong(entry.substring(colon + 1)));
                }
            }
        } catch (RuntimeException e) {
            throw Refused.text(400, "Bad X-Riak-Vclock header");
        }
        return vc;
    }

    private static String[] decodeContinuation(String c) {
        try {
            String s = new String(Base64.getDecoder().decode(c), StandardCharsets.UTF_8);
            int zero = s.indexOf('\u0000');
            return new String[] {s.substring(0, zero), s.substring(zero + 1)};
        } catch (RuntimeException e) {
            throw Refused.text(400, "Invalid query: bad continuation");
        }
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw Refused.text(400, "Invalid query: not an integer term");
        }
    }

    private static Map<String, String> query(String raw) {
        Map<String, String> q = new HashMap<>();
        if (raw != null) {
            for (String pair : raw.split("&")) {
                int eq = pair.indexOf('=');
                String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
                String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
                q.put(k, v);
            }
        }
        return q;
    }

    private static String jsonString(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') {
                b.append('\\').append(c);
            } else if (c < 0x20) {
                b.append(String.format("\\u%04x", (int) c));
            } else {
                b.append(c);
            }
        }
        return b.append('"').toString();
    }

    private static String httpDate() {
        return HTTP_DATE.format(Instant.now());
    }

    private static String id(String type, String bucket, String key) {
        return type + "\u0000" + bucket + "\u0000" + key;
    }

    private static String vtag() {
        byte[] b = new byte[16];
        java.util.concurrent.ThreadLocalRandom.current().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b).replace('-', 'x').replace('_', 'y');
    }
}
