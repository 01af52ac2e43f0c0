package dev.satchel.store.riak;

import java.util.List;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The contract against a real Riak KV ({@code RIAK_URL}) in Riak's default bucket type as it is
 * ({@code allow_mult=false}), accepted with {@link RiakSessionManager.SiblingPolicy#ACCEPT_LOSSY_LAST_WRITE_WINS}.
 * One manager serializes its own writes, so the contract holds; the loss between app servers is measured, not
 * tested (see the README).
 */
@EnabledIfEnvironmentVariable(named = "RIAK_URL", matches = ".+",
        disabledReason = "set RIAK_URL=http://host:8098 to run the contract against a real Riak KV's default"
                + " bucket type; see store-riak/README.md")
class RiakLossyIntegrationTest extends RealRiakContract {

    @Override
    List<String> urls() {
        return urlsFromEnvironment();
    }

    @Override
    String bucketType() {
        return null;
    }

    @Override
    Setup setup() {
        return Setup.DEFAULT_TYPE_LOSSY;
    }
}
