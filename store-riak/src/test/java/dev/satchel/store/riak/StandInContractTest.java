package dev.satchel.store.riak;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.satchel.SessionManager;
import dev.satchel.spi.StoreSessionManager;
import dev.satchel.testkit.SessionManagerContract;
import dev.satchel.testkit.StoreBackdoor;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The contract against the Riak stand-in, over three nodes, in a fresh bucket per test. Subclasses pick the
 * bucket type, and with it {@code allow_mult}. After all tests: the stand-in refused nothing with 406, and
 * every request carried the {@code Accept} header Riak accepts.
 */
abstract class StandInContractTest extends SessionManagerContract {

    private static final AtomicInteger BUCKETS = new AtomicInteger();

    static RiakStandIn riak;
    static RiakStandIn.Node[] nodes;

    private String bucket;

    /** The bucket type under test; {@code default} means no {@code /types/} prefix. */
    abstract String bucketType();

    @BeforeAll
    static void startRiak() throws Exception {
        riak = new RiakStandIn().createBucketType("sessions", true);
        nodes = new RiakStandIn.Node[] {riak.startNode(), riak.startNode(), riak.startNode()};
    }

    @AfterAll
    static void stopRiak() {
        if (riak != null) {
            riak.close();
            assertEquals(0, riak.notAcceptable.get(), "no request was refused with 406");
            for (RiakStandIn.Node n : nodes) {
                assertEquals(0, n.accepts.stream().filter(a -> !RiakRequests.ACCEPT.equals(a)).count(),
                        "every request carried Accept: " + RiakRequests.ACCEPT);
            }
        }
    }

    @Override
    protected SessionManager createManager(Clock clock) {
        bucket = "contract" + BUCKETS.incrementAndGet();
        RiakSessionManager.Builder b = RiakSessionManager.builder().clock(clock).bucket(bucket)
                .withoutBackgroundSweeper().indexPageSize(2);
        for (RiakStandIn.Node n : nodes) {
            b.node(n.url());
        }
        if (bucketType().equals("default")) {
            b.siblingPolicy(RiakSessionManager.SiblingPolicy.ACCEPT_LOSSY_LAST_WRITE_WINS);
        } else {
            b.bucketType(bucketType());
        }
        return b.build();
    }

    @Override
    protected StoreBackdoor backdoor() {
        return new StoreBackdoor() {
            @Override
            public boolean isStored(String sid) {
                RiakStandIn.StoredObject o = riak.object(bucketType(), bucket, sid);
                return o != null && !o.allDeleted();
            }

            @Override
            public boolean plantCorrupt(String sid) {
                riak.plant(bucketType(), bucket, sid, "{\"v\":1,\"id\":".getBytes(StandardCharsets.UTF_8), Map.of());
                return true;
            }

            @Override
            public int sweepExpired() {
                return StoreSessionManager.sweepNow(manager);
            }
        };
    }
}
