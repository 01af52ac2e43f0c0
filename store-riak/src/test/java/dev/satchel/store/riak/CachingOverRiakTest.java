package dev.satchel.store.riak;

import dev.satchel.SessionManager;
import dev.satchel.spi.StoreSessionManager;
import dev.satchel.store.caching.CachingContract;
import dev.satchel.testkit.StoreBackdoor;
import java.time.Clock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The cache's contract over a Riak parent (the stand-in, a bucket type with {@code allow_mult=true}): after
 * every test the cache holds nothing the Riak bucket lacks. The backdoor plants no newer-format entry here: one
 * planted behind the cache's back is seen only when the cached copy goes stale ({@code maxStaleness}, on a
 * clock the test holds still); the store and manager contracts without a cache check newer formats.
 */
class CachingOverRiakTest extends CachingContract {

    private HttpBackdoor backdoor;

    @BeforeAll
    static void startRiak() throws Exception {
        StandInContractTest.startRiak();
    }

    @AfterAll
    static void stopRiak() {
        StandInContractTest.stopRiak();
    }

    @Override
    protected SessionManager createParent(Clock clock) {
        String bucket = StandInContractTest.freshBucket();
        backdoor = new HttpBackdoor(StandInContractTest.nodes[0].url(), "sessions", bucket,
                () -> StoreSessionManager.sweepNow(parent));
        return StandInContractTest.builder("sessions", bucket, clock, false).build();
    }

    /** Another app server's manager over the same bucket, without a cache. */
    @Override
    protected SessionManager createSecondManager(Clock clock) {
        return StandInContractTest.builder("sessions", backdoor.bucket(), clock, true).build();
    }

    @Override
    protected StoreBackdoor backdoor() {
        return new StoreBackdoor() {
            @Override
            public boolean isStored(String sid) {
                return backdoor.isStored(sid);
            }

            @Override
            public boolean plantCorrupt(String sid) {
                return backdoor.plantCorrupt(sid);
            }

            @Override
            public boolean persist(dev.satchel.spi.SessionRecord record) {
                return backdoor.persist(record);
            }

            @Override
            public int sweepExpired() {
                return backdoor.sweepExpired();
            }
        };
    }
}
