package dev.satchel.store.riak;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.satchel.SessionManager;
import dev.satchel.spi.StoreSessionManager;
import dev.satchel.testkit.SessionManagerContract;
import dev.satchel.testkit.StoreBackdoor;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * The manager contract against the Riak stand-in, over three nodes, in a fresh bucket per test; the second
 * manager of the two-node cases talks to the same bucket through the nodes in the other order. Subclasses pick
 * the bucket type, and with it {@code allow_mult}. After all tests: the stand-in refused nothing with 406, and
 * every request carried the {@code Accept} header Riak accepts.
 */
abstract class StandInContractTest extends SessionManagerContract {

    private static final AtomicInteger BUCKETS = new AtomicInteger();

    static RiakStandIn riak;
    static RiakStandIn.Node[] nodes;

    private HttpBackdoor backdoor;

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
            checkNegotiation(riak, nodes);
        }
    }

    /** Nothing was refused with 406, and every request carried {@link RiakRequests#ACCEPT}. */
    static void checkNegotiation(RiakStandIn riak, RiakStandIn.Node... nodes) {
        assertEquals(0, riak.notAcceptable.get(), "no request was refused with 406");
        for (RiakStandIn.Node n : nodes) {
            assertEquals(0, n.accepts.stream().filter(a -> !RiakRequests.ACCEPT.equals(a)).count(),
                    "every request carried Accept: " + RiakRequests.ACCEPT);
        }
    }

    /**
     * A builder for {@code bucket} in {@code type} over the stand-in's nodes (in reverse order if asked), the
     * default type accepted as lossy, without a background sweeper, with small index pages.
     */
    static RiakSessionManager.Builder builder(String type, String bucket, Clock clock, boolean reversed) {
        RiakSessionManager.Builder b = RiakSessionManager.builder().clock(clock).bucket(bucket)
                .withoutBackgroundSweeper().indexPageSize(2);
        for (int i = 0; i < nodes.length; i++) {
            b.node(nodes[reversed ? nodes.length - 1 - i : i].url());
        }
        if (type.equals("default")) {
            b.siblingPolicy(RiakSessionManager.SiblingPolicy.ACCEPT_LOSSY_LAST_WRITE_WINS);
        } else {
            b.bucketType(type);
        }
        return b;
    }

    /** A fresh bucket name. */
    static String freshBucket() {
        return "contract" + BUCKETS.incrementAndGet();
    }

    @Override
    protected SessionManager createManager(Clock clock) {
        String bucket = freshBucket();
        backdoor = new HttpBackdoor(nodes[0].url(), bucketType().equals("default") ? null : bucketType(), bucket,
                () -> StoreSessionManager.sweepNow(manager));
        return builder(bucketType(), bucket, clock, false).build();
    }

    @Override
    protected SessionManager createSecondManager(Clock clock) {
        return builder(bucketType(), backdoor.bucket(), clock, true).build();
    }

    @Override
    protected StoreBackdoor backdoor() {
        return backdoor;
    }
}
