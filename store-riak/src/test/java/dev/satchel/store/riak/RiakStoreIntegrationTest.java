package dev.satchel.store.riak;

import dev.satchel.spi.SessionStore;
import dev.satchel.spi.SweepableStore;
import dev.satchel.testkit.SessionStoreContract;
import dev.satchel.testkit.StoreBackdoor;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * The store contract (the SPI directly) against a real Riak KV ({@code RIAK_URL}), set up as
 * {@link RiakIntegrationTest} is: in {@code RIAK_BUCKET_TYPE} if set, else in a default-type bucket given
 * {@code allow_mult=true}.
 */
@EnabledIfEnvironmentVariable(named = "RIAK_URL", matches = ".+",
        disabledReason = "set RIAK_URL=http://host:8098 (and optionally RIAK_BUCKET_TYPE) to run the store contract"
                + " against a real Riak KV; see store-riak/README.md")
class RiakStoreIntegrationTest extends SessionStoreContract {

    private static final String TYPE = System.getenv("RIAK_BUCKET_TYPE");
    private static final RealRiakContract.Setup SETUP = TYPE == null || TYPE.isBlank()
            ? RealRiakContract.Setup.DEFAULT_TYPE_BUCKET_WITH_SIBLINGS : RealRiakContract.Setup.TYPE_WITH_SIBLINGS;

    private final List<String> urls = RealRiakContract.urlsFromEnvironment();
    private HttpBackdoor backdoor;

    @Override
    protected SessionStore createStore(Clock clock) {
        String bucket = "satchel-it-" + UUID.randomUUID();
        backdoor = RealRiakContract.backdoor(urls, SETUP, TYPE, bucket,
                () -> ((SweepableStore) store).sweep(clock.millis(), Integer.MAX_VALUE, r -> {}));
        return RealRiakContract.builder(urls, SETUP, TYPE, bucket, clock).buildStore();
    }

    @Override
    protected StoreBackdoor backdoor() {
        return backdoor;
    }
}
