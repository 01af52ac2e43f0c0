package dev.satchel.store.riak;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
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
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BiConsumer;

/**
 * A stand-in for a Riak KV cluster's HTTP API, in this JVM, for tests: written from Riak's documentation
 * (HTTP fetch/store/delete object, secondary indexes, conflict resolution, replication properties) and from
 * the behaviour of a Riak KV 3.2 node listed in the issue. It is NOT Riak: there is one copy of each object,
 * no ring, no handoff, no anti-entropy; replicas exist only as numbers for validating quorum parameters.
 *
 * <p>What it keeps faithfully:
 * <ul>
 *   <li>Objects at {@code /types/T/buckets/B/keys/K} and {@code /buckets/B/keys/K} (type {@code default}).</li>
 *   <li>Vector clocks ({@code X-Riak-Vclock}, opaque base64): a write whose clock descends the stored one
 *       replaces it; otherwise the stored values it had not seen stay as siblings (dotted version vectors, as
 *       Riak 2+ bucket types), or, with {@code allow_mult=false}, the latest write alone is kept.</li>
 *   <li>{@code default} bucket type: {@code allow_mult=false}; any type {@link #createBucketType created}
 *       here: {@code allow_mult=true} unless said otherwise. Unknown types answer 404.</li>
 *   <li>PUT: 204, or 200 with the body and {@code X-Riak-Vclock} with {@code returnbody=true} (300 when the
 *       object has siblings afterwards); {@code Content-Type} required; {@code If-None-Match}/{@code If-Match}
 *       checked against the stored entity tag — in a step separate from the write, as in Riak, so two writes
 *       can both pass ({@link #beforeWrite}).</li>
 *   <li>DELETE: 204 (404 when nothing is stored); it writes a tombstone, and a GET then answers 404 with
 *       {@code X-Riak-Deleted: true} and the tombstone's vclock until {@link #reapTombstones()}.</li>
 *   <li>Siblings: 300 with a {@code text/plain} list of vtags, or with {@code Accept: multipart/mixed} one part
 *       per sibling with its own {@code Etag} (and {@code X-Riak-Deleted} for a tombstone); {@code ?vtag=}
 *       fetches one; a PUT with the 300's vclock resolves them.</li>
 *   <li>{@code r}, {@code w}, {@code pr}, {@code pw}, {@code dw}, {@code rw}: a number, {@code one},
 *       {@code quorum}, {@code all} or {@code default}, anything else 400; larger than {@code n_val} 400; a
 *       primary quorum larger than the {@link #primariesUp} 503.</li>
 *   <li>2i: {@code X-Riak-Index-*_int}/{@code *_bin} headers on PUT (an unparsable integer 400), exact and
 *       range queries; unordered results unless {@code max_results} is given, then ordered by term and key
 *       with a {@code continuation} when the page is full.</li>
 * </ul>
 * Several {@link Node}s over one instance act as several nodes of one cluster; each can be stopped,
 * restarted or stalled. Thread-safe.
 */
final class RiakStandIn implements AutoCloseable {

    static {
        // The JDK server writes headers and body separately; without this, Nagle's algorithm meets the
        // client's delayed ACK and every answer with a body waits about 40 ms.
        System.setProperty("sun.net.httpserver.nodelay", "true");
    }

    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

    /** Properties of a bucket type. */
    record TypeProps(boolean allowMult, int nVal) {}

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
    }

    /** An object: its clock and its siblings. Immutable; replaced whole on every write. */
    record StoredObject(Map<String, Long> vclock, List<Sibling> siblings) {
        boolean allDeleted() {
            return siblings.stream().allMatch(s -> s.deleted);
        }
    }

    private final Map<String, TypeProps> types = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, StoredObject> objects = new ConcurrentHashMap<>();
    private final AtomicLong sequence = new AtomicLong();
    private final AtomicInteger nodeNames = new AtomicInteger();
    private final List<Node> nodes = new CopyOnWriteArrayList<>();
    private volatile int primariesUp = Integer.MAX_VALUE;
    private volatile BiConsumer<String, String> beforeWrite = (method, key) -> {};
    private volatile BiConsumer<String, String> beforeRequest = (method, key) -> {};
    private volatile boolean multipartSiblings = true;
    /** Writes after which the object had more than one value. */
    final AtomicInteger siblingWrites = new AtomicInteger();
    /** Conditional writes refused with 412. */
    final AtomicInteger preconditionFailures = new AtomicInteger();

    RiakStandIn() {
        types.put("default", new TypeProps(false, 3));
    }

    /** Creates and activates a bucket type, as {@code riak-admin bucket-type create/activate} would. */
    RiakStandIn createBucketType(String name, boolean allowMult) {
        types.put(name, new TypeProps(allowMult, 3));
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

    /** How many primary replicas are reachable, for {@code pr}/{@code pw}; default all of them. */
    void primariesUp(int up) {
        this.primariesUp = up;
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

    /** Whether a 300 honours {@code Accept: multipart/mixed}; when false it always lists vtags as text. */
    void multipartSiblings(boolean honoured) {
        this.multipartSiblings = honoured;
    }

    /** Removes objects that hold only tombstones, as Riak's reaper does after {@code delete_mode} (3 s). */
    void reapTombstones() {
        objects.entrySet().removeIf(e -> e.getValue().allDeleted());
    }

    /** The stored object, or null. */
    StoredObject object(String type, String bucket, String key) {
        return objects.get(id(type, bucket, key));
    }

    /** Number of keys holding at least one live (non-tombstone) value in a bucket. */
    long liveKeys(String type, String bucket) {
        String prefix = type + "\u0000" + bucket + "\u0000";
        return objects.entrySet().stream()
                .filter(e -> e.getKey().startsWith(prefix) && !e.getValue().allDeleted()).count();
    }

    /** Stores raw bytes under a key, replacing anything there, as a buggy or foreign writer might. */
    void plant(String type, String bucket, String key, byte[] value, Map<String, List<String>> indexes) {
        objects.compute(id(type, bucket, key), (k, cur) -> {
            Map<String, Long> vc = increment(cur == null ? Map.of() : cur.vclock(), "backdoor", cur);
            long seq = sequence.incrementAndGet();
            return new StoredObject(vc, List.of(new Sibling(value, "application/json", vtag(), seq, false,
                    indexes, "backdoor", vc.get("backdoor"))));
        });
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

        /** Stops listening: connections are refused until {@link #restart()}. */
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
                            : route(ex, name);
                } catch (BadRequest e) {
                    a = Answer.text(e.status, e.getMessage());
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
            boolean noBody = status == 204 || body.length == 0;
            ex.sendResponseHeaders(status, noBody ? -1 : body.length);
            if (!noBody) {
                try (OutputStream out = ex.getResponseBody()) {
                    out.write(body);
                }
            }
        }
    }

    /** A request refused with a status and a plain-text reason. */
    private static final class BadRequest extends RuntimeException {
        final int status;

        BadRequest(int status, String message) {
            super(message);
            this.status = status;
        }
    }

    private Answer route(HttpExchange ex, String actor) throws IOException {
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
        TypeProps props = types.get(type);
        if (props == null) {
            return Answer.text(404, "Unknown bucket type: " + type);
        }
        String bucket = path.get(1);
        if (path.get(2).equals("props") && path.size() == 3 && method.equals("GET")) {
            Answer a = new Answer(200);
            a.headers.put("Content-Type", "application/json");
            a.body = ("{\"props\":{\"name\":\"" + bucket + "\",\"allow_mult\":" + props.allowMult()
                    + ",\"n_val\":" + props.nVal() + "}}").getBytes(StandardCharsets.UTF_8);
            return a;
        }
        if (path.get(2).equals("index") && (path.size() == 5 || path.size() == 6) && method.equals("GET")) {
            return index(type, bucket, path.get(3), path.get(4), path.size() == 6 ? path.get(5) : null, q);
        }
        if (!path.get(2).equals("keys") || path.size() != 4) {
            return Answer.text(404, "not found\n");
        }
        String key = path.get(3);
        beforeRequest.accept(method, key);
        Quorums quorums = new Quorums(q, props.nVal());
        switch (method) {
            case "GET":
            case "HEAD":
                quorums.check("r", "pr");
                return fetch(ex, type, bucket, key, q);
            case "PUT":
            case "POST":
                quorums.check("w", "dw", "pw");
                return store(ex, type, bucket, key, props, q, actor);
            case "DELETE":
                quorums.check("rw", "r", "pr", "w", "dw", "pw");
                return delete(ex, type, bucket, key, props, actor);
            default:
                return Answer.text(405, "method not allowed");
        }
    }

    /** Parses and checks the six quorum parameters as Riak's object resource does. */
    private final class Quorums {
        private final Map<String, Integer> values = new HashMap<>();
        private final int n;

        Quorums(Map<String, String> q, int n) {
            this.n = n;
            for (String name : List.of("r", "w", "dw", "rw", "pw", "pr")) {
                String v = q.getOrDefault(name, "default");
                int resolved;
                switch (v) {
                    case "default": resolved = name.startsWith("p") ? 0 : n / 2 + 1; break;
                    case "one": resolved = 1; break;
                    case "quorum": resolved = n / 2 + 1; break;
                    case "all": resolved = n; break;
                    default:
                        try {
                            resolved = Integer.parseInt(v);
                        } catch (NumberFormatException e) {
                            throw new BadRequest(400, name + " query parameter must be an integer or one of the"
                                    + " following words: 'one', 'quorum' or 'all'\n");
                        }
                }
                values.put(name, resolved);
            }
        }

        /** The parameters one operation uses: each at most n_val (400), each primary one at most up (503). */
        void check(String... used) {
            for (String name : used) {
                if (values.get(name) > n) {
                    throw new BadRequest(400, "Specified " + name + " value invalid for bucket n value of " + n + "\n");
                }
            }
            int up = Math.min(primariesUp, n);
            for (String name : used) {
                if (name.startsWith("p") && values.get(name) > up) {
                    throw new BadRequest(503, name.toUpperCase(Locale.ROOT) + "-value unsatisfied: " + up + "/"
                            + values.get(name) + "\n");
                }
            }
        }
    }

    private Answer fetch(HttpExchange ex, String type, String bucket, String key, Map<String, String> q) {
        StoredObject o = objects.get(id(type, bucket, key));
        if (o == null) {
            return Answer.text(404, "not found\n");
        }
        if (o.allDeleted()) {
            Answer a = Answer.text(404, "not found\n");
            a.headers.put("X-Riak-Deleted", "true");
            a.headers.put("X-Riak-Vclock", encodeVclock(o.vclock()));
            return a;
        }
        String vtag = q.get("vtag");
        if (vtag != null) {
            for (Sibling s : o.siblings()) {
                if (s.vtag.equals(vtag)) {
                    Answer a = single(bucket, o, s);
                    if (s.deleted) {
                        a.headers.put("X-Riak-Deleted", "true");
                    }
                    return a;
                }
            }
            return Answer.text(404, "not found\n");
        }
        return represent(ex, bucket, o);
    }

    /** 200 with the one value, or 300 with the siblings in the form the client accepts. */
    private Answer represent(HttpExchange ex, String bucket, StoredObject o) {
        if (o.siblings().size() == 1) {
            return single(bucket, o, o.siblings().get(0));
        }
        Answer a = new Answer(300);
        a.headers.put("X-Riak-Vclock", encodeVclock(o.vclock()));
        a.headers.put("Vary", "Accept, Accept-Encoding");
        a.headers.put("ETag", "\"" + Integer.toUnsignedString(o.vclock().hashCode(), 36) + "\"");
        String accept = ex.getRequestHeaders().getFirst("Accept");
        if (multipartSiblings && accept != null && accept.contains("multipart/mixed")) {
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

    private Answer single(String bucket, StoredObject o, Sibling s) {
        Answer a = new Answer(200);
        a.headers.put("X-Riak-Vclock", encodeVclock(o.vclock()));
        a.headers.put("Content-Type", s.contentType);
        a.headers.put("ETag", "\"" + s.vtag + "\"");
        a.headers.put("Last-Modified", httpDate());
        a.headers.put("Link", "</buckets/" + bucket + ">; rel=\"up\"");
        s.indexes.forEach((field, vals) -> a.headers.put("X-Riak-Index-" + field, String.join(", ", vals)));
        a.body = s.value;
        return a;
    }

    private Answer store(HttpExchange ex, String type, String bucket, String key, TypeProps props,
            Map<String, String> q, String actor) throws IOException {
        Headers h = ex.getRequestHeaders();
        String contentType = h.getFirst("Content-Type");
        if (contentType == null) {
            return Answer.text(400, "Missing Content-Type request header");
        }
        Map<String, List<String>> indexes = indexHeaders(h);
        byte[] value;
        try (InputStream in = ex.getRequestBody()) {
            value = in.readAllBytes();
        }
        Map<String, Long> incoming = decodeVclock(h.getFirst("X-Riak-Vclock"));
        String id = id(type, bucket, key);
        // The conditions are checked on a read before the write, not atomically with it (as in Riak).
        StoredObject before = objects.get(id);
        boolean exists = before != null && !before.allDeleted();
        String ifNoneMatch = h.getFirst("If-None-Match");
        String ifMatch = h.getFirst("If-Match");
        if ((ifNoneMatch != null && ifNoneMatch.trim().equals("*") && exists)
                || (ifMatch != null && (!exists || !etagMatches(ifMatch, etagOf(before))))) {
            preconditionFailures.incrementAndGet();
            return Answer.text(412, "Precondition Failed");
        }
        beforeWrite.accept("PUT", key);
        StoredObject after = write(id, incoming, value, contentType, false, indexes, props, actor);
        if ("true".equals(q.get("returnbody"))) {
            return represent(ex, bucket, after);
        }
        return new Answer(204);
    }

    private Answer delete(HttpExchange ex, String type, String bucket, String key, TypeProps props, String actor) {
        String id = id(type, bucket, key);
        StoredObject before = objects.get(id);
        if (before == null || before.allDeleted()) {
            return Answer.text(404, "not found\n");
        }
        String header = ex.getRequestHeaders().getFirst("X-Riak-Vclock");
        // Without a clock Riak reads the object and deletes what it read.
        Map<String, Long> incoming = header == null ? before.vclock() : decodeVclock(header);
        beforeWrite.accept("DELETE", key);
        write(id, incoming, new byte[0], "application/octet-stream", true, Map.of(), props, actor);
        return new Answer(204);
    }

    /** The put merge: replace what the incoming clock has seen, keep the rest as siblings (or the latest). */
    private StoredObject write(String id, Map<String, Long> incoming, byte[] value, String contentType,
            boolean deleted, Map<String, List<String>> indexes, TypeProps props, String actor) {
        return objects.compute(id, (k, cur) -> {
            Map<String, Long> vc = increment(cur == null ? incoming : merge(incoming, cur.vclock()), actor, cur);
            Sibling fresh = new Sibling(value, contentType, vtag(), sequence.incrementAndGet(), deleted, indexes,
                    actor, vc.get(actor));
            List<Sibling> siblings = new ArrayList<>();
            if (cur != null) {
                for (Sibling s : cur.siblings()) {
                    if (s.dotCounter > incoming.getOrDefault(s.dotActor, 0L)) {
                        siblings.add(s); // a value the writer had not seen
                    }
                }
            }
            siblings.add(fresh);
            if (!props.allowMult()) {
                Sibling latest = siblings.stream().max(Comparator.comparingLong(s -> s.lastModified)).orElseThrow();
                siblings = List.of(latest);
            }
            if (siblings.size() > 1) {
                siblingWrites.incrementAndGet();
            }
            return new StoredObject(vc, List.copyOf(siblings));
        });
    }

    private Answer index(String type, String bucket, String field, String start, String end, Map<String, String> q) {
        String f = field.toLowerCase(Locale.ROOT);
        boolean integer = f.endsWith("_int");
        if (!integer && !f.endsWith("_bin")) {
            throw new BadRequest(400, "Invalid query: unsupported index field " + field);
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
                throw new BadRequest(400, "Invalid max_results. \"" + q.get("max_results") + "\" is not a positive integer");
            }
        }
        String prefix = type + "\u0000" + bucket + "\u0000";
        List<String[]> hits = new ArrayList<>(); // {term, key}
        for (Map.Entry<String, StoredObject> e : objects.entrySet()) {
            if (!e.getKey().startsWith(prefix)) {
                continue;
            }
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
                            throw new BadRequest(400, "Could not parse field '" + field + "', value '" + v + "'.");
                        }
                    } else if (!field.endsWith("_bin")) {
                        throw new BadRequest(400, "Unknown field type for field: '" + field + "'.");
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

    private static Map<String, Long> increment(Map<String, Long> base, String actor, StoredObject cur) {
        Map<String, Long> vc = new TreeMap<>(base);
        long seen = Math.max(vc.getOrDefault(actor, 0L), cur == null ? 0L : cur.vclock().getOrDefault(actor, 0L));
        vc.put(actor, seen + 1);
        return vc;
    }

    private static Map<String, Long> merge(Map<String, Long> a, Map<String, Long> b) {
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
            throw new BadRequest(400, "Bad X-Riak-Vclock header");
        }
        return vc;
    }

    private static String[] decodeContinuation(String c) {
        try {
            String s = new String(Base64.getDecoder().decode(c), StandardCharsets.UTF_8);
            int zero = s.indexOf('\u0000');
            return new String[] {s.substring(0, zero), s.substring(zero + 1)};
        } catch (RuntimeException e) {
            throw new BadRequest(400, "Invalid query: bad continuation");
        }
    }

    private static long parseLong(String s) {
        try {
            return Long.parseLong(s);
        } catch (NumberFormatException e) {
            throw new BadRequest(400, "Invalid query: not an integer term");
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
