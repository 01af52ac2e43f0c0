package dev.satchel.store.riak;

import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;

/**
 * {@link RiakIntegrationTest}'s own code — bucket set-up through {@code PUT …/props}, the direct-read backdoor
 * and its {@code Accept} — run against the stand-in over three nodes, so it is known to work before it meets a
 * real node.
 */
class RealRiakContractOnStandInTest extends RealRiakContract {

    private static RiakStandIn riak;
    private static List<String> urls;

    @BeforeAll
    static void startRiak() throws Exception {
        riak = new RiakStandIn();
        urls = List.of(riak.startNode().url(), riak.startNode().url(), riak.startNode().url());
    }

    @AfterAll
    static void stopRiak() {
        riak.close();
    }

    @Override
    List<String> urls() {
        return urls;
    }

    @Override
    String bucketType() {
        return null;
    }

    @Override
    Setup setup() {
        return Setup.DEFAULT_TYPE_BUCKET_WITH_SIBLINGS;
    }
}
