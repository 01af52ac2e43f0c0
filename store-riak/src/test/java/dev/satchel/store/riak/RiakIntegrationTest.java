package dev.satchel.store.riak;

import java.util.List;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The contract against a real Riak KV, when {@code RIAK_URL} names one or more nodes
 * ({@code http://127.0.0.1:8098}, comma-separated for several), in a bucket that keeps siblings: in the bucket
 * type {@code RIAK_BUCKET_TYPE} if set (created with {@code allow_mult=true}; the store refuses it at start-up,
 * saying how to create one, if not), else in Riak's default type with {@code allow_mult=true} set on each fresh
 * test bucket. The backend must support secondary indexes (leveled, leveldb or memory). See the README.
 */
@EnabledIfEnvironmentVariable(named = "RIAK_URL", matches = ".+",
        disabledReason = "set RIAK_URL=http://host:8098 (and optionally RIAK_BUCKET_TYPE) to run the contract"
                + " against a real Riak KV; see store-riak/README.md")
class RiakIntegrationTest extends RealRiakContract {

    private static final String TYPE = System.getenv("RIAK_BUCKET_TYPE");

    @Override
    List<String> urls() {
        return urlsFromEnvironment();
    }

    @Override
    String bucketType() {
        return TYPE;
    }

    @Override
    Setup setup() {
        return TYPE == null || TYPE.isBlank() ? Setup.DEFAULT_TYPE_BUCKET_WITH_SIBLINGS : Setup.TYPE_WITH_SIBLINGS;
    }
}
