package dev.satchel.store.riak;

import dev.satchel.spi.SessionStore;
import dev.satchel.spi.SweepableStore;
import dev.satchel.testkit.SessionStoreContract;
import dev.satchel.testkit.StoreBackdoor;
import java.time.Clock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The store contract (the SPI directly) against the Riak stand-in, over three nodes, in a fresh bucket per
 * test. Subclasses pick the bucket type, and with it {@code allow_mult}.
 */
abstract class StandInStoreContractTest extends SessionStoreContract {

    private HttpBackdoor backdoor;

    /** The bucket type under test; {@code default} means no {@code /types/} prefix. */
    abstract String bucketType();

    @BeforeAll
    static void startRiak() throws Exception {
        StandInContractTest.startRiak();
    }

    @AfterAll
    static void stopRiak() {
        StandInContractTest.stopRiak();
    }

    @Override
    protected SessionStore createStore(Clock clock) {
        String bucket = StandInContractTest.freshBucket();
        backdoor = new HttpBackdoor(StandInContractTest.nodes[0].url(),
                bucketType().equals("default") ? null : bucketType(), bucket,
                () -> ((SweepableStore) store).sweep(clock.millis(), Integer.MAX_VALUE, r -> {}));
        return StandInContractTest.builder(bucketType(), bucket, clock, false).buildStore();
    }

    @Override
    protected StoreBackdoor backdoor() {
        return backdoor;
    }
}
