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
import java.util.function.IntSupplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * {@code SessionManagerContract} against a Riak reached over HTTP only — a real node ({@link RiakIntegrationTest},
 * {@link RiakLossyIntegrationTest}) or, to check this class itself, the stand-in. Each test uses a fresh bucket
 * {@code satchel-it-<uuid>} (Riak cannot drop one; they are left behind), set up as {@link #setup()} says; the
 * second manager of the two-node cases uses the nodes in reverse order. The backdoor is {@link HttpBackdoor}.
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

    private HttpBackdoor backdoor;

    /** The nodes' base URLs. */
    abstract List<String> urls();

    /** The bucket type for {@link Setup#TYPE_WITH_SIBLINGS}; null otherwise. */
    abstract String bucketType();

    abstract Setup setup();

    /**
     * A builder for a fresh bucket {@code bucket} set up as {@code setup} says (for
     * {@link Setup#DEFAULT_TYPE_BUCKET_WITH_SIBLINGS} this sets the bucket's {@code allow_mult} over HTTP).
     */
    static RiakSessionManager.Builder builder(List<String> urls, Setup setup, String type, String bucket, Clock clock) {
        RiakSessionManager.Builder b = RiakSessionManager.builder().nodes(urls).bucket(bucket).clock(clock)
                .withoutBackgroundSweeper();
        switch (setup) {
            case TYPE_WITH_SIBLINGS:
                b.bucketType(type);
                break;
            case DEFAULT_TYPE_BUCKET_WITH_SIBLINGS:
                allowMult(urls.get(0), bucket);
                break;
            default:
                b.siblingPolicy(RiakSessionManager.SiblingPolicy.ACCEPT_LOSSY_LAST_WRITE_WINS);
        }
        return b;
    }

    /** The backdoor into {@code bucket} as {@link #builder} set it up. */
    static HttpBackdoor backdoor(List<String> urls, Setup setup, String type, String bucket, IntSupplier sweep) {
        return new HttpBackdoor(urls.get(0), setup == Setup.TYPE_WITH_SIBLINGS ? type : null, bucket, sweep);
    }

    @Override
    protected SessionManager createManager(Clock clock) throws Exception {
        String bucket = "satchel-it-" + UUID.randomUUID();
        backdoor = backdoor(urls(), setup(), bucketType(), bucket, () -> StoreSessionManager.sweepNow(manager));
        return builder(urls(), setup(), bucketType(), bucket, clock).build();
    }

    @Override
    protected SessionManager createSecondManager(Clock clock) {
        List<String> reversed = new java.util.ArrayList<>(urls());
        java.util.Collections.reverse(reversed);
        RiakSessionManager.Builder b = RiakSessionManager.builder().nodes(reversed).bucket(backdoor.bucket()).clock(clock)
                .withoutBackgroundSweeper();
        if (setup() == Setup.TYPE_WITH_SIBLINGS) {
            b.bucketType(bucketType());
        } else if (setup() == Setup.DEFAULT_TYPE_LOSSY) {
            b.siblingPolicy(RiakSessionManager.SiblingPolicy.ACCEPT_LOSSY_LAST_WRITE_WINS);
        }
        return b.build();
    }

    @Override
    protected StoreBackdoor backdoor() {
        return backdoor;
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

    /** {@code PUT /buckets/<bucket>/props {"props":{"allow_mult":true}}}: siblings in a default-type bucket. */
    private static void allowMult(String node, String bucket) {
        HttpRequest put = HttpRequest.newBuilder(URI.create(node + "/buckets/" + bucket + "/props"))
                .header("Content-Type", "application/json").header("Accept", RiakRequests.ACCEPT)
                .PUT(HttpRequest.BodyPublishers.ofString("{\"props\":{\"allow_mult\":true}}")).build();
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(put, HttpResponse.BodyHandlers.ofString());
            assertEquals(204, r.statusCode(), "setting allow_mult on the test bucket: " + r.body());
        } catch (IOException e) {
            throw new SessionStoreException("could not set the test bucket's properties", e);
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
