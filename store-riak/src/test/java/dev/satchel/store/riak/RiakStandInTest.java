package dev.satchel.store.riak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Pins the stand-in to the Riak KV HTTP behaviour it claims (see {@link RiakStandIn}), with plain HTTP
 * requests, so the store's tests rest on documented facts and not on whatever the stand-in happens to do.
 */
class RiakStandInTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private RiakStandIn riak;
    private RiakStandIn.Node node;
    private RiakStandIn.Node other;

    @BeforeEach
    void start() throws IOException {
        riak = new RiakStandIn().createBucketType("siblings", true);
        node = riak.startNode();
        other = riak.startNode();
    }

    @AfterEach
    void stop() {
        riak.close();
    }

    @Test
    @DisplayName("PUT answers 204, or 200 with the body and X-Riak-Vclock with returnbody=true; GET returns it")
    void storeAndFetch() throws Exception {
        HttpResponse<String> put = send("PUT", "/buckets/b/keys/k", "{\"a\":1}", "Content-Type", "application/json");
        assertEquals(204, put.statusCode());
        assertEquals("", put.body());
        HttpResponse<String> withBody = send("PUT", "/buckets/b/keys/k?returnbody=true", "{\"a\":2}",
                "Content-Type", "application/json", "X-Riak-Vclock", vclock(get("/buckets/b/keys/k")));
        assertEquals(200, withBody.statusCode());
        assertEquals("{\"a\":2}", withBody.body());
        assertNotNull(withBody.headers().firstValue("X-Riak-Vclock").orElse(null));
        HttpResponse<String> got = get("/buckets/b/keys/k");
        assertEquals(200, got.statusCode());
        assertEquals("{\"a\":2}", got.body());
        assertEquals("application/json", got.headers().firstValue("Content-Type").orElseThrow());
        assertTrue(got.headers().firstValue("ETag").isPresent());
        assertEquals(404, get("/buckets/b/keys/other").statusCode());
    }

    @Test
    @DisplayName("a PUT without Content-Type, with a bad quorum word or a bad integer index answers 400")
    void malformedWritesAre400() throws Exception {
        assertEquals(400, send("PUT", "/buckets/b/keys/k", "x").statusCode());
        assertEquals(400, send("PUT", "/buckets/b/keys/k?w=most", "x", "Content-Type", "text/plain").statusCode());
        assertEquals(400, send("PUT", "/buckets/b/keys/k", "x", "Content-Type", "text/plain",
                "X-Riak-Index-n_int", "seven").statusCode());
        assertEquals(404, get("/buckets/b/keys/k").statusCode(), "nothing was stored");
    }

    @Test
    @DisplayName("a quorum larger than n_val answers 400; a primary quorum that cannot be met answers 503")
    void quorums() throws Exception {
        put("/buckets/b/keys/k", "{}");
        assertEquals(400, get("/buckets/b/keys/k?r=4").statusCode());
        assertEquals(400, send("PUT", "/buckets/b/keys/k?w=4", "{}", "Content-Type", "application/json").statusCode());
        assertEquals(400, send("DELETE", "/buckets/b/keys/k?rw=5", null).statusCode());
        assertEquals(200, get("/buckets/b/keys/k?r=all&pr=quorum").statusCode());
        riak.primariesUp(1);
        HttpResponse<String> pr = get("/buckets/b/keys/k?pr=quorum");
        assertEquals(503, pr.statusCode());
        assertTrue(pr.body().startsWith("PR-value unsatisfied: 1/2"), pr.body());
        assertEquals(503, send("PUT", "/buckets/b/keys/k?pw=all", "{\"x\":1}", "Content-Type", "application/json")
                .statusCode());
        assertEquals("{}", get("/buckets/b/keys/k").body(), "a write refused for PW wrote nothing");
    }

    @Test
    @DisplayName("DELETE answers 204; GET then answers 404 with X-Riak-Deleted and the tombstone's vclock")
    void deleteLeavesATombstone() throws Exception {
        put("/buckets/b/keys/k", "{}");
        assertEquals(204, send("DELETE", "/buckets/b/keys/k", null).statusCode());
        HttpResponse<String> gone = get("/buckets/b/keys/k");
        assertEquals(404, gone.statusCode());
        assertEquals("true", gone.headers().firstValue("X-Riak-Deleted").orElseThrow());
        assertNotNull(gone.headers().firstValue("X-Riak-Vclock").orElse(null));
        assertEquals(404, send("DELETE", "/buckets/b/keys/k", null).statusCode(), "deleting again: 404");
        riak.reapTombstones();
        HttpResponse<String> reaped = get("/buckets/b/keys/k");
        assertEquals(404, reaped.statusCode());
        assertTrue(reaped.headers().firstValue("X-Riak-Deleted").isEmpty(), "after reaping, plain not found");
    }

    @Test
    @DisplayName("allow_mult=true: writes with the same old vclock become siblings, listed as vtags or multipart")
    void siblings() throws Exception {
        put("/types/siblings/buckets/b/keys/k", "{\"n\":0}");
        String vc = vclock(get("/types/siblings/buckets/b/keys/k"));
        for (int i = 1; i <= 2; i++) {
            assertEquals(204, send("PUT", "/types/siblings/buckets/b/keys/k", "{\"n\":" + i + "}",
                    "Content-Type", "application/json", "X-Riak-Vclock", vc).statusCode());
        }
        HttpResponse<String> plain = get("/types/siblings/buckets/b/keys/k");
        assertEquals(300, plain.statusCode());
        assertEquals("text/plain", plain.headers().firstValue("Content-Type").orElseThrow());
        List<String> vtags = new ArrayList<>(List.of(plain.body().split("\n")));
        assertEquals("Siblings:", vtags.remove(0));
        assertEquals(2, vtags.size());
        Set<String> values = new HashSet<>();
        for (String vtag : vtags) {
            HttpResponse<String> one = get("/types/siblings/buckets/b/keys/k?vtag=" + vtag);
            assertEquals(200, one.statusCode());
            values.add(one.body());
        }
        assertEquals(Set.of("{\"n\":1}", "{\"n\":2}"), values);

        HttpResponse<byte[]> multi = sendBytes("GET", "/types/siblings/buckets/b/keys/k", null, "Accept", "multipart/mixed");
        assertEquals(300, multi.statusCode());
        String ct = multi.headers().firstValue("Content-Type").orElseThrow();
        assertTrue(ct.startsWith("multipart/mixed; boundary="), ct);
        List<Multipart.Part> parts = Multipart.parse(ct, multi.body());
        assertEquals(2, parts.size());
        Set<String> etags = new HashSet<>();
        for (Multipart.Part p : parts) {
            etags.add(p.header("etag"));
            assertTrue(values.contains(new String(p.body(), StandardCharsets.UTF_8)));
        }
        assertEquals(new HashSet<>(vtags), etags, "each part carries its own Etag");

        String siblingsClock = multi.headers().firstValue("X-Riak-Vclock").orElseThrow();
        assertEquals(204, send("PUT", "/types/siblings/buckets/b/keys/k", "{\"n\":3}",
                "Content-Type", "application/json", "X-Riak-Vclock", siblingsClock).statusCode());
        HttpResponse<String> resolved = get("/types/siblings/buckets/b/keys/k");
        assertEquals(200, resolved.statusCode(), "a PUT with the 300's vclock resolves the siblings");
        assertEquals("{\"n\":3}", resolved.body());
    }

    @Test
    @DisplayName("a delete racing a write leaves a tombstone sibling, marked X-Riak-Deleted in its part")
    void tombstoneSibling() throws Exception {
        put("/types/siblings/buckets/b/keys/k", "{\"n\":0}");
        String vc = vclock(get("/types/siblings/buckets/b/keys/k"));
        assertEquals(204, send("DELETE", "/types/siblings/buckets/b/keys/k", null, "X-Riak-Vclock", vc).statusCode());
        assertEquals(204, send("PUT", "/types/siblings/buckets/b/keys/k", "{\"n\":1}",
                "Content-Type", "application/json", "X-Riak-Vclock", vc).statusCode());
        HttpResponse<byte[]> multi = sendBytes("GET", "/types/siblings/buckets/b/keys/k", null, "Accept", "multipart/mixed");
        assertEquals(300, multi.statusCode());
        List<Multipart.Part> parts = Multipart.parse(multi.headers().firstValue("Content-Type").orElseThrow(), multi.body());
        assertEquals(2, parts.size());
        assertEquals(1, parts.stream().filter(p -> "true".equals(p.header("x-riak-deleted"))).count());
    }

    @Test
    @DisplayName("the default bucket type has allow_mult=false: of two writes with the same old vclock the later stays")
    void defaultTypeKeepsTheLatest() throws Exception {
        put("/buckets/b/keys/k", "{\"n\":0}");
        String vc = vclock(get("/buckets/b/keys/k"));
        for (int i = 1; i <= 2; i++) {
            send("PUT", "/buckets/b/keys/k", "{\"n\":" + i + "}", "Content-Type", "application/json", "X-Riak-Vclock", vc);
        }
        HttpResponse<String> got = get("/buckets/b/keys/k");
        assertEquals(200, got.statusCode());
        assertEquals("{\"n\":2}", got.body());
        assertEquals(200, get("/types/default/buckets/b/keys/k").statusCode(), "/types/default is the same bucket");
        assertEquals(404, get("/types/nosuchtype/buckets/b/keys/k").statusCode());
    }

    @Test
    @DisplayName("If-None-Match: * and If-Match refuse with 412 when they do not hold")
    void conditionalPuts() throws Exception {
        assertEquals(204, send("PUT", "/buckets/b/keys/k", "{}", "Content-Type", "application/json",
                "If-None-Match", "*").statusCode());
        assertEquals(412, send("PUT", "/buckets/b/keys/k", "{}", "Content-Type", "application/json",
                "If-None-Match", "*").statusCode());
        String etag = get("/buckets/b/keys/k").headers().firstValue("ETag").orElseThrow();
        assertEquals(412, send("PUT", "/buckets/b/keys/k", "{}", "Content-Type", "application/json",
                "If-Match", "\"stale\"").statusCode());
        assertEquals(204, send("PUT", "/buckets/b/keys/k", "{\"x\":1}", "Content-Type", "application/json",
                "If-Match", etag).statusCode());
        assertEquals(412, send("PUT", "/buckets/b/keys/k", "{}", "Content-Type", "application/json",
                "If-Match", etag).statusCode(), "the tag changed with the write");
        assertEquals(412, send("PUT", "/buckets/b/keys/absent", "{}", "Content-Type", "application/json",
                "If-Match", etag).statusCode(), "If-Match on nothing stored");
    }

    @Test
    @DisplayName("2i: exact and range queries; unordered without max_results, ordered pages with a continuation")
    void secondaryIndexes() throws Exception {
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            String key = "k" + (char) ('a' + (i * 7) % 25);
            keys.add(key);
            send("PUT", "/buckets/b/keys/" + key, "{}", "Content-Type", "application/json",
                    "X-Riak-Index-n_int", Integer.toString(100 + i % 5), "X-Riak-Index-tag_bin", i % 2 == 0 ? "even" : "odd");
        }
        assertEquals(13, keys(get("/buckets/b/index/tag_bin/even")).size());
        List<String> all = keys(get("/buckets/b/index/n_int/100/104"));
        assertEquals(25, all.size());
        List<String> sorted = new ArrayList<>(all);
        sorted.sort(null);
        assertNotEquals(sorted, all, "without max_results the order is not promised (and here is not sorted)");
        assertEquals(10, keys(get("/buckets/b/index/n_int/101/102")).size());

        List<String> paged = new ArrayList<>();
        String continuation = null;
        int pages = 0;
        do {
            JsonNode page = JSON.readTree(get("/buckets/b/index/n_int/100/104?max_results=10"
                    + (continuation == null ? "" : "&continuation=" + java.net.URLEncoder.encode(continuation,
                            StandardCharsets.UTF_8))).body());
            page.get("keys").forEach(k -> paged.add(k.asString()));
            continuation = page.has("continuation") ? page.get("continuation").asString() : null;
            pages++;
        } while (continuation != null);
        assertEquals(3, pages, "10 + 10 + 5: no continuation after a page that is not full");
        assertEquals(new HashSet<>(keys), new HashSet<>(paged));
        assertEquals(25, paged.size());
        assertEquals(400, get("/buckets/b/index/n_int/100/104?max_results=0").statusCode());
        assertEquals(400, get("/buckets/b/index/n_int/low/high").statusCode());

        send("DELETE", "/buckets/b/keys/" + keys.get(0), null);
        assertEquals(24, keys(get("/buckets/b/index/n_int/100/104")).size(), "a tombstone is not indexed");
    }

    @Test
    @DisplayName("two nodes share one store; a stopped node refuses connections and serves again after restart")
    void nodes() throws Exception {
        put("/buckets/b/keys/k", "{}");
        assertEquals(200, http.send(request("GET", other.uri(), "/buckets/b/keys/k", null), HttpResponse.BodyHandlers.ofString())
                .statusCode());
        other.stop();
        assertThrows(ConnectException.class, () -> http.send(request("GET", other.uri(), "/ping", null),
                HttpResponse.BodyHandlers.ofString()));
        other.restart();
        assertEquals(200, http.send(request("GET", other.uri(), "/ping", null), HttpResponse.BodyHandlers.ofString())
                .statusCode());
    }

    // ------------------------------------------------------------------ helpers

    private void put(String path, String json) throws Exception {
        assertEquals(204, send("PUT", path, json, "Content-Type", "application/json").statusCode());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return send("GET", path, null);
    }

    private static String vclock(HttpResponse<?> r) {
        String vc = r.headers().firstValue("X-Riak-Vclock").orElse(null);
        assertNotNull(vc);
        return vc;
    }

    private static List<String> keys(HttpResponse<String> r) {
        assertEquals(200, r.statusCode(), r.body());
        List<String> keys = new ArrayList<>();
        JsonNode json = JSON.readTree(r.body());
        assertNull(json.get("continuation"));
        json.get("keys").forEach(k -> keys.add(k.asString()));
        return keys;
    }

    private HttpResponse<String> send(String method, String path, String body, String... headers) throws Exception {
        return http.send(request(method, node.uri(), path, body, headers), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<byte[]> sendBytes(String method, String path, String body, String... headers) throws Exception {
        return http.send(request(method, node.uri(), path, body, headers), HttpResponse.BodyHandlers.ofByteArray());
    }

    private static HttpRequest request(String method, URI base, String path, String body, String... headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).method(method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        return b.build();
    }
}
