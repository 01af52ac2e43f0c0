package dev.satchel.store.riak;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.SessionManager;
import dev.satchel.SessionStoreException;
import dev.satchel.spi.StoreSessionManager;
import dev.satchel.testkit.SessionManagerContract;
import dev.satchel.testkit.StoreBackdoor;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code SessionManagerContract} against a Riak reached over HTTP only — a real node ({@link RiakIntegrationTest},
 * {@link RiakLossyIntegrationTest}) or, to check this class itself, the stand-in. Each test uses a fresh bucket
 * {@code satchel-it-<uuid>} (Riak cannot drop one; they are left behind), set up as {@link #setup()} says.
 * The direct reads of the backdoor send the same {@code Accept} as the store.
 */
abstract class RealRiakContract extends SessionManagerContract {

    /** How the bucket under test is made to keep (or not) siblings. */
    enum Setup {
        /** A bucket type the operator created with {@code allow_mult=true}; the store verifies it at start-up. */
        TYPE_WITH_SIBLINGS,
        /** Riak's default type, with {@code allow_mult=true} set on the fresh bucket itself ({@code PUT …/props}). */
        DEFAULT_TYPE_BUCKET_WITH_SIBLINGS,
        /** Riak's default type as it is ({@code allow_mult=false}), accepted with the lossy sibling policy. */
        DEFAULT_TYPE_LOSSY
    }

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private String bucket;

    /** The nodes' base URLs. */
    abstract List<String> urls();

    /** The bucket type for {@link Setup#TYPE_WITH_SIBLINGS}; null otherwise. */
    abstract String bucketType();

    abstract Setup setup();

    @Override
    protected SessionManager createManager(Clock clock) throws Exception {
        bucket = "satchel-it-" + UUID.randomUUID();
        RiakSessionManager.Builder b = RiakSessionManager.builder().nodes(urls()).bucket(bucket).clock(clock)
                .withoutBackgroundSweeper();
        switch (setup()) {
            case TYPE_WITH_SIBLINGS:
                b.bucketType(bucketType());
                break;
            case DEFAULT_TYPE_BUCKET_WITH_SIBLINGS:
                HttpResponse<String> r = send("PUT", "/buckets/" + bucket + "/props", "{\"props\":{\"allow_mult\":true}}");
                assertEquals(204, r.statusCode(), "setting allow_mult on the test bucket: " + r.body());
                break;
            default:
                b.siblingPolicy(RiakSessionManager.SiblingPolicy.ACCEPT_LOSSY_LAST_WRITE_WINS);
        }
        return b.build();
    }

    @Override
    protected StoreBackdoor backdoor() {
        return new StoreBackdoor() {
            @Override
            public boolean isStored(String sid) {
                int status = send("GET", keyPath(sid), null).statusCode();
                return status == 200 || status == 300;
            }

            @Override
            public boolean plantCorrupt(String sid) {
                return send("PUT", keyPath(sid), "{\"v\":1,\"id\":").statusCode() / 100 == 2;
            }

            @Override
            public int sweepExpired() {
                return StoreSessionManager.sweepNow(manager);
            }
        };
    }

    @Test
    @DisplayName("start-up: a fresh bucket in Riak's default type (allow_mult=false) is refused unless the loss is accepted")
    void defaultTypeBucketIsRefusedAtStartUp() {
        String fresh = "satchel-it-" + UUID.randomUUID();
        SessionStoreException e = assertThrows(SessionStoreException.class,
                () -> RiakSessionManager.builder().nodes(urls()).bucket(fresh).withoutBackgroundSweeper().build());
        assertTrue(e.getMessage().startsWith("Riak's bucket '" + fresh + "' of bucket type 'default' has allow_mult=false"),
                e.getMessage());
    }

    private String keyPath(String sid) {
        String prefix = setup() == Setup.TYPE_WITH_SIBLINGS ? "/types/" + bucketType() : "";
        return prefix + "/buckets/" + bucket + "/keys/" + sid;
    }

    private HttpResponse<String> send(String method, String path, String body) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(urls().get(0) + path))
                .header("Content-Type", "application/json").header("Accept", RiakRequests.ACCEPT)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new SessionStoreException("backdoor request failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SessionStoreException("interrupted", e);
        }
    }

    /** The nodes named in {@code RIAK_URL}, comma-separated. */
    static List<String> urlsFromEnvironment() {
        return java.util.Arrays.stream(System.getenv("RIAK_URL").split(",")).map(String::trim)
                .filter(s -> !s.isEmpty()).toList();
    }
}
