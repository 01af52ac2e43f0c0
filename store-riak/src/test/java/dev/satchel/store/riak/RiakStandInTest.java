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
 * requests, so the store's tests rest on documented and observed facts and not on whatever the stand-in happens
 * to do. Each test names the Riak behaviour it mirrors: from the HTTP API documentation (fetch, store and delete
 * object, bucket properties, secondary indexes), from riak_kv_wm_object and riak_kv_get_core, or from what a
 * real OpenRiak 3.2.2 node did (issue 11).
 */
class RiakStandInTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String BARE = "multipart/mixed";
    private static final String WILDCARD = RiakRequests.ACCEPT;

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
    @DisplayName("HTTP API: a quorum larger than n_val answers 400; a primary quorum larger than the primaries up 503, writing nothing")
    void quorums() throws Exception {
        put("/buckets/b/keys/k", "{}");
        assertEquals(400, get("/buckets/b/keys/k?r=4").statusCode());
        assertEquals(400, send("PUT", "/buckets/b/keys/k?w=4", "{}", "Content-Type", "application/json").statusCode());
        assertEquals(400, send("DELETE", "/buckets/b/keys/k?rw=5", null).statusCode());
        assertEquals(400, get("/buckets/b/keys/k?r=most").statusCode(), "a quorum word Riak does not know");
        assertEquals(200, get("/buckets/b/keys/k?r=all&pr=quorum").statusCode());
        riak.replicaDown(0);
        riak.replicaDown(1);
        HttpResponse<String> pr = get("/buckets/b/keys/k?pr=quorum");
        assertEquals(503, pr.statusCode());
        assertEquals("PR-value unsatisfied: 1/2\n", pr.body());
        HttpResponse<String> pw = send("PUT", "/buckets/b/keys/k?pw=all", "{\"x\":1}", "Content-Type", "application/json");
        assertEquals(503, pw.statusCode());
        assertEquals("PW-value unsatisfied: 1/3\n", pw.body());
        assertEquals(404, send("DELETE", "/buckets/b/keys/k?pw=quorum", null).statusCode(),
                "without a vclock the delete reads first, with Riak's defaults: the empty fallbacks say not found");
        String vc = vclock(get("/buckets/b/keys/k?r=1&notfound_ok=false")); // waits for the primary (and repairs)
        assertEquals(503, send("DELETE", "/buckets/b/keys/k?pw=quorum", null, "X-Riak-Vclock", vc).statusCode());
        riak.replicaUp(0);
        riak.replicaUp(1);
        assertEquals("{}", get("/buckets/b/keys/k").body(), "writes refused for PW wrote nothing");
    }

    @Test
    @DisplayName("HTTP API: notfound_ok and basic_quorum must be true, false or default, else 400")
    void booleanParameters() throws Exception {
        put("/buckets/b/keys/k", "{}");
        HttpResponse<String> bad = get("/buckets/b/keys/k?notfound_ok=maybe");
        assertEquals(400, bad.statusCode());
        assertEquals("notfound_ok query parameter must be true or false\n", bad.body());
        assertEquals(400, get("/buckets/b/keys/k?basic_quorum=1").statusCode());
        assertEquals(200, get("/buckets/b/keys/k?notfound_ok=TRUE&basic_quorum=default").statusCode());
    }

    @Test
    @DisplayName("issue 11 / webmachine: a bare Accept: multipart/mixed is 406 for GET, PUT and DELETE of an object without siblings")
    void bareMultipartAcceptIsNotAcceptable() throws Exception {
        put("/buckets/b/keys/k", "{\"n\":0}");
        assertEquals(406, send("GET", "/buckets/b/keys/k", null, "Accept", BARE).statusCode());
        assertEquals(406, send("PUT", "/buckets/b/keys/k", "{\"n\":1}", "Content-Type", "application/json",
                "Accept", BARE).statusCode());
        assertEquals(406, send("PUT", "/buckets/b/keys/k?returnbody=true", "{\"n\":2}",
                "Content-Type", "application/json", "Accept", BARE).statusCode());
        assertEquals(406, send("PUT", "/buckets/b/keys/new", "{}", "Content-Type", "application/json",
                "Accept", BARE, "If-None-Match", "*").statusCode());
        assertEquals(406, send("DELETE", "/buckets/b/keys/k", null, "Accept", BARE).statusCode());
        assertEquals("{\"n\":0}", get("/buckets/b/keys/k").body(), "the refused PUTs and DELETE changed nothing");
        assertEquals(404, get("/buckets/b/keys/new").statusCode());
        assertEquals(404, send("GET", "/buckets/b/keys/missing", null, "Accept", BARE).statusCode(),
                "a missing object is 404 before content negotiation");
        assertEquals(406, send("GET", "/buckets/b/keys/k", null, "Accept", "text/html").statusCode(),
                "any type the object is not stored as");
    }

    @Test
    @DisplayName("issue 11: with Accept: multipart/mixed, */*;q=0.5 the same requests answer 200 and 204")
    void multipartWithWildcardIsAccepted() throws Exception {
        put("/buckets/b/keys/k", "{\"n\":0}");
        HttpResponse<String> got = send("GET", "/buckets/b/keys/k", null, "Accept", WILDCARD);
        assertEquals(200, got.statusCode());
        assertEquals("application/json", got.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(204, send("PUT", "/buckets/b/keys/k", "{\"n\":1}", "Content-Type", "application/json",
                "Accept", WILDCARD, "X-Riak-Vclock", vclock(got)).statusCode());
        HttpResponse<String> body = send("PUT", "/buckets/b/keys/k?returnbody=true", "{\"n\":2}",
                "Content-Type", "application/json", "Accept", WILDCARD, "X-Riak-Vclock", vclock(get("/buckets/b/keys/k")));
        assertEquals(200, body.statusCode());
        assertEquals("{\"n\":2}", body.body());
        assertEquals(204, send("DELETE", "/buckets/b/keys/k", null, "Accept", WILDCARD).statusCode());
    }

    @Test
    @DisplayName("fetch object: with siblings, an Accept preferring multipart/mixed (bare or with */*) gets 300 multipart; */* gets the vtag list")
    void siblingsFollowTheAcceptHeader() throws Exception {
        makeSiblings("/types/siblings/buckets/b/keys/k");
        for (String accept : List.of(BARE, WILDCARD)) {
            HttpResponse<String> multi = send("GET", "/types/siblings/buckets/b/keys/k", null, "Accept", accept);
            assertEquals(300, multi.statusCode());
            assertTrue(multi.headers().firstValue("Content-Type").orElseThrow().startsWith("multipart/mixed; boundary="));
        }
        HttpResponse<String> any = send("GET", "/types/siblings/buckets/b/keys/k", null, "Accept", "*/*");
        assertEquals(300, any.statusCode());
        assertEquals("text/plain", any.headers().firstValue("Content-Type").orElseThrow());
        assertEquals(406, send("GET", "/types/siblings/buckets/b/keys/k", null, "Accept", "application/json").statusCode(),
                "siblings are offered as text/plain or multipart/mixed only");
    }

    @Test
    @DisplayName("store object: returnbody=true after a write that made siblings answers 300, multipart when Accept prefers it")
    void returnBodyWithSiblings() throws Exception {
        put("/types/siblings/buckets/b/keys/k", "{\"n\":0}");
        String vc = vclock(get("/types/siblings/buckets/b/keys/k"));
        assertEquals(204, send("PUT", "/types/siblings/buckets/b/keys/k", "{\"n\":1}", "Content-Type",
                "application/json", "X-Riak-Vclock", vc).statusCode());
        HttpResponse<byte[]> second = sendBytes("PUT", "/types/siblings/buckets/b/keys/k?returnbody=true", "{\"n\":2}",
                "Content-Type", "application/json", "X-Riak-Vclock", vc, "Accept", WILDCARD);
        assertEquals(300, second.statusCode(), "the write is stored; the answer shows the siblings it now has");
        List<Multipart.Part> parts = Multipart.parse(second.headers().firstValue("Content-Type").orElseThrow(), second.body());
        assertEquals(Set.of("{\"n\":1}", "{\"n\":2}"), Set.of(new String(parts.get(0).body(), StandardCharsets.UTF_8),
                new String(parts.get(1).body(), StandardCharsets.UTF_8)));
        assertNotNull(second.headers().firstValue("X-Riak-Vclock").orElse(null));
    }

    @Test
    @DisplayName("store object: If-Match is no lock: two PUTs with the same vclock and tag both pass; siblings, or one lost under allow_mult=false")
    void conditionalPutsAreNotALock() throws Exception {
        for (String type : List.of("siblings", "default")) {
            String path = "/types/" + type + "/buckets/b/keys/k";
            put(path, "{\"n\":0}");
            HttpResponse<String> read = get(path);
            ConcurrentWritersTest.PairGate gate = new ConcurrentWritersTest.PairGate();
            riak.beforeWrite(gate);
            gate.arm();
            List<java.util.concurrent.CompletableFuture<HttpResponse<String>>> writes = new ArrayList<>();
            for (int i = 1; i <= 2; i++) {
                String body = "{\"n\":" + i + "}";
                writes.add(java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                    try {
                        return send("PUT", path, body, "Content-Type", "application/json", "X-Riak-Vclock",
                                vclock(read), "If-Match", read.headers().firstValue("ETag").orElseThrow());
                    } catch (Exception e) {
                        throw new AssertionError(e);
                    }
                }));
            }
            for (var w : writes) {
                assertEquals(204, w.get(30, java.util.concurrent.TimeUnit.SECONDS).statusCode(), "both acknowledged");
            }
            riak.beforeWrite((m, k) -> {});
            int values = riak.object(type, "b", "k").siblings().size();
            assertEquals(type.equals("siblings") ? 2 : 1, values, type);
        }
    }

    @Test
    @DisplayName("get logic: with two replicas down, Riak's defaults (notfound_ok=true, r=quorum) let two empty fallbacks answer not found")
    void emptyFallbacksMakeALiveObjectLookAbsent() throws Exception {
        for (String key : List.of("a", "b", "c", "d", "e", "f")) {
            put("/buckets/b/keys/" + key, "{}");
        }
        riak.replicaDown(1);
        riak.replicaDown(2);
        assertEquals(404, get("/buckets/b/keys/a").statusCode(), "the issue's observation on a three-node cluster");
        assertEquals(404, get("/buckets/b/keys/b?notfound_ok=false").statusCode(),
                "notfound_ok=false alone: two not-founds are as many failures as r=2 of 3 can take");
        assertEquals(404, get("/buckets/b/keys/c?notfound_ok=false&basic_quorum=true").statusCode());
        HttpResponse<String> pr = get("/buckets/b/keys/d?pr=quorum");
        assertEquals(503, pr.statusCode(), "pr counts primaries only: the read fails instead");
        assertEquals("PR-value unsatisfied: 1/2\n", pr.body());
        assertEquals(200, get("/buckets/b/keys/e?r=1&notfound_ok=false").statusCode(),
                "r=1 without basic_quorum waits for the primary");
        assertEquals(404, get("/buckets/b/keys/f?r=1&notfound_ok=false&basic_quorum=true").statusCode(),
                "basic_quorum: a majority of not-founds returns early");
        assertEquals(200, get("/buckets/b/keys/a").statusCode(), "read repair gave the fallbacks the object");
    }

    @Test
    @DisplayName("get logic: with one replica down, one empty fallback and one primary make the quorum: found")
    void oneEmptyFallbackIsOutvoted() throws Exception {
        put("/buckets/b/keys/k", "{}");
        riak.replicaDown(0);
        assertEquals(200, get("/buckets/b/keys/k").statusCode());
        assertEquals(200, get("/buckets/b/keys/k?pr=quorum&notfound_ok=true").statusCode());
    }

    @Test
    @DisplayName("hinted handoff: writes taken by a fallback reach the returning primary only at handoff")
    void handoff() throws Exception {
        riak.replicaDown(2);
        put("/buckets/b/keys/k", "{\"n\":1}");
        riak.replicaUp(2);
        assertNull(riak.replica(2, "default", "b", "k"), "back, without what was written meanwhile");
        assertNotNull(riak.replica(0, "default", "b", "k"));
        riak.handoff();
        assertEquals("{\"n\":1}", new String(riak.replica(2, "default", "b", "k").siblings().get(0).value,
                StandardCharsets.UTF_8));
    }

    @Test
    @DisplayName("bucket properties: GET …/props answers {\"props\":{…}}; an unknown type 404; PUT changes a bucket's allow_mult")
    void bucketProperties() throws Exception {
        JsonNode dflt = JSON.readTree(get("/buckets/b/props").body()).get("props");
        assertEquals(false, dflt.get("allow_mult").asBoolean());
        assertEquals(false, dflt.get("last_write_wins").asBoolean());
        assertEquals(3, dflt.get("n_val").asInt());
        assertEquals(true, dflt.get("notfound_ok").asBoolean());
        assertEquals(true, JSON.readTree(get("/types/siblings/buckets/b/props").body()).get("props").get("allow_mult")
                .asBoolean());
        assertEquals(404, get("/types/nosuchtype/buckets/b/props").statusCode());
        assertEquals(204, send("PUT", "/buckets/mine/props", "{\"props\":{\"allow_mult\":true}}",
                "Content-Type", "application/json").statusCode());
        assertEquals(true, JSON.readTree(get("/buckets/mine/props").body()).get("props").get("allow_mult").asBoolean());
        assertEquals(false, JSON.readTree(get("/buckets/b/props").body()).get("props").get("allow_mult").asBoolean(),
                "only that bucket");
        makeSiblings("/buckets/mine/keys/k");
        assertEquals(300, get("/buckets/mine/keys/k").statusCode(), "and the bucket now keeps siblings");
        assertEquals(400, send("PUT", "/buckets/mine/props", "{\"allow_mult\":true}", "Content-Type",
                "application/json").statusCode(), "the properties go inside \"props\"");
        assertEquals(415, send("PUT", "/buckets/mine/props", "{\"props\":{}}", "Content-Type", "text/plain").statusCode());
    }

    @Test
    @DisplayName("bucket properties: last_write_wins=true replaces the stored value with every write, vclock or not")
    void lastWriteWins() throws Exception {
        riak.createBucketType("lww", true, true);
        put("/types/lww/buckets/b/keys/k", "{\"n\":0}");
        String vc = vclock(get("/types/lww/buckets/b/keys/k"));
        for (int i = 1; i <= 2; i++) {
            send("PUT", "/types/lww/buckets/b/keys/k", "{\"n\":" + i + "}", "Content-Type", "application/json",
                    "X-Riak-Vclock", vc);
        }
        assertEquals("{\"n\":2}", get("/types/lww/buckets/b/keys/k").body());
    }

    @Test
    @DisplayName("tombstones: a write without a vclock after a delete passes If-None-Match: * and becomes a sibling of the tombstone")
    void blindWriteAfterDeleteMeetsTheTombstone() throws Exception {
        put("/types/siblings/buckets/b/keys/k", "{\"n\":0}");
        assertEquals(204, send("DELETE", "/types/siblings/buckets/b/keys/k", null).statusCode());
        assertEquals(204, send("PUT", "/types/siblings/buckets/b/keys/k", "{\"n\":1}", "Content-Type",
                "application/json", "If-None-Match", "*").statusCode(), "an object that reads as deleted does not exist");
        HttpResponse<byte[]> multi = sendBytes("GET", "/types/siblings/buckets/b/keys/k", null, "Accept", WILDCARD);
        assertEquals(300, multi.statusCode(), "but the blind write is concurrent with the tombstone");
        List<Multipart.Part> parts = Multipart.parse(multi.headers().firstValue("Content-Type").orElseThrow(), multi.body());
        assertEquals(1, parts.stream().filter(p -> "true".equals(p.header("x-riak-deleted"))).count());
        assertEquals(412, send("PUT", "/types/siblings/buckets/b/keys/k", "{\"n\":2}", "Content-Type",
                "application/json", "If-None-Match", "*").statusCode(), "with a live sibling it exists");
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

        HttpResponse<byte[]> multi = sendBytes("GET", "/types/siblings/buckets/b/keys/k", null, "Accept", WILDCARD);
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

    /** Two writes with the same old vclock at {@code path}, in a bucket that keeps siblings. */
    private void makeSiblings(String path) throws Exception {
        put(path, "{\"n\":0}");
        String vc = vclock(get(path));
        for (int i = 1; i <= 2; i++) {
            assertEquals(204, send("PUT", path, "{\"n\":" + i + "}", "Content-Type", "application/json",
                    "X-Riak-Vclock", vc).statusCode());
        }
    }

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
