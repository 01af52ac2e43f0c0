package dev.satchel.store.riak;

import dev.satchel.SessionStoreException;
import dev.satchel.spi.SessionCodec;
import dev.satchel.spi.SessionRecord;
import dev.satchel.spi.UnreadableEntryException;
import dev.satchel.testkit.StoreBackdoor;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;

/**
 * The contracts' backdoor into one bucket, through Riak's HTTP API only — so the same code runs against the
 * stand-in and against a real node. Reads send the store's {@code Accept}; writes carry the vector clock of
 * what they replace (a tombstone's too), so a planted entry replaces the object instead of becoming a sibling.
 * A record is persisted as another program would write it: the shared v1 document without the store's
 * {@code "riak"} member, with the {@code expires_int} and {@code principal_bin} index headers.
 */
final class HttpBackdoor implements StoreBackdoor {

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final String keys;
    private final String bucket;
    private final String node;
    private final IntSupplier sweep;
    private final Map<String, byte[]> planted = new ConcurrentHashMap<>();

    /**
     * @param bucketType null for Riak's default type
     * @param sweep what {@link #sweepExpired} runs
     */
    HttpBackdoor(String node, String bucketType, String bucket, IntSupplier sweep) {
        this.node = node;
        this.bucket = bucket;
        this.keys = (bucketType == null ? "" : "/types/" + bucketType) + "/buckets/" + bucket + "/keys/";
        this.sweep = sweep;
    }

    /** The bucket this backdoor opens. */
    String bucket() {
        return bucket;
    }

    @Override
    public boolean isStored(String sid) {
        int status = send("GET", sid, null, new String[0]).statusCode();
        return status == 200 || status == 300;
    }

    @Override
    public boolean plantCorrupt(String sid) {
        return put(sid, "{\"v\":1,\"id\":".getBytes(StandardCharsets.UTF_8), null, null);
    }

    @Override
    public boolean plantNewerFormat(String sid) {
        SessionRecord replaced = current(sid);
        long expires = replaced == null ? 0 : replaced.expiresAt();
        byte[] doc = ("{\"v\":2,\"id\":\"" + sid + "\",\"expires\":" + expires + ",\"shape\":{\"from\":\"the future\"}}")
                .getBytes(StandardCharsets.UTF_8);
        if (!put(sid, doc, Long.toString(expires), replaced == null ? null : replaced.principal())) {
            return false;
        }
        planted.put(sid, doc);
        return true;
    }

    @Override
    public boolean isNewerFormatIntact(String sid) {
        HttpResponse<byte[]> r = send("GET", sid, null, new String[0]);
        return r.statusCode() == 200 && Arrays.equals(planted.get(sid), r.body());
    }

    @Override
    public boolean persist(SessionRecord record) {
        return put(record.id(), SessionCodec.encode(record), Long.toString(record.expiresAt()), record.principal());
    }

    @Override
    public int sweepExpired() {
        return sweep.getAsInt();
    }

    /** The record stored under {@code sid} if it reads as a single v1 document, else null. */
    private SessionRecord current(String sid) {
        HttpResponse<byte[]> r = send("GET", sid, null, new String[0]);
        if (r.statusCode() != 200) {
            return null;
        }
        try {
            return SessionCodec.decode(r.body());
        } catch (UnreadableEntryException e) {
            return null;
        }
    }

    private boolean put(String sid, byte[] body, String expires, String principal) {
        List<String> headers = new ArrayList<>(List.of("Content-Type", "application/json"));
        send("GET", sid, null, new String[0]).headers().firstValue("X-Riak-Vclock").ifPresent(vc -> {
            headers.add("X-Riak-Vclock");
            headers.add(vc);
        });
        if (expires != null) {
            headers.add("X-Riak-Index-expires_int");
            headers.add(expires);
        }
        if (principal != null) {
            headers.add("X-Riak-Index-principal_bin");
            headers.add(RiakRequests.principalTerm(principal));
        }
        return send("PUT", sid, body, headers.toArray(new String[0])).statusCode() / 100 == 2;
    }

    private HttpResponse<byte[]> send(String method, String sid, byte[] body, String[] headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(node + keys + sid)).header("Accept", RiakRequests.ACCEPT)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i < headers.length; i += 2) {
            b.header(headers[i], headers[i + 1]);
        }
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw new SessionStoreException("backdoor request failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SessionStoreException("interrupted", e);
        }
    }
}
