package dev.satchel.store.riak;

import dev.satchel.SessionManager;
import dev.satchel.SessionStoreException;
import dev.satchel.testkit.SessionManagerContract;
import dev.satchel.testkit.StoreBackdoor;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The same contract against a real Riak KV, when {@code RIAK_URL} names one or more nodes
 * ({@code http://127.0.0.1:8098}, comma-separated for several) and, optionally, {@code RIAK_BUCKET_TYPE} a
 * bucket type to use (for example one created with {@code allow_mult=true}). Each test uses a fresh bucket.
 * The backend must support secondary indexes (leveldb or memory). See the README for the steps.
 */
@EnabledIfEnvironmentVariable(named = "RIAK_URL", matches = ".+",
        disabledReason = "set RIAK_URL=http://host:8098 (and optionally RIAK_BUCKET_TYPE) to run the contract"
                + " against a real Riak KV; see store-riak/README.md")
class RiakIntegrationTest extends SessionManagerContract {

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final List<String> urls = Arrays.stream(System.getenv("RIAK_URL").split(","))
            .map(String::trim).filter(s -> !s.isEmpty()).toList();
    private final String type = System.getenv("RIAK_BUCKET_TYPE");
    private String bucket;
    private RiakSessionManager riakManager;

    @Override
    protected SessionManager createManager(Clock clock) {
        bucket = "satchel-it-" + UUID.randomUUID();
        RiakSessionManager.Builder b = RiakSessionManager.builder().nodes(urls).bucket(bucket).clock(clock)
                .withoutBackgroundSweeper();
        if (type != null && !type.isBlank()) {
            b.bucketType(type);
        }
        riakManager = b.build();
        return riakManager;
    }

    @Override
    protected StoreBackdoor backdoor() {
        return new StoreBackdoor() {
            @Override
            public boolean isStored(String sid) {
                int status = send("GET", sid, null).statusCode();
                return status == 200 || status == 300;
            }

            @Override
            public boolean plantCorrupt(String sid) {
                return send("PUT", sid, "{\"v\":1,\"id\":").statusCode() / 100 == 2;
            }

            @Override
            public int sweepExpired() {
                return riakManager.sweep();
            }
        };
    }

    private HttpResponse<String> send(String method, String key, String body) {
        String prefix = type == null || type.isBlank() ? "" : "/types/" + type;
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(urls.get(0) + prefix + "/buckets/" + bucket
                + "/keys/" + key)).header("Content-Type", "application/json").header("Accept", "multipart/mixed")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            throw new SessionStoreException("backdoor request failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SessionStoreException("interrupted", e);
        }
    }
}
