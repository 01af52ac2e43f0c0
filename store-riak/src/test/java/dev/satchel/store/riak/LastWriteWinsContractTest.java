package dev.satchel.store.riak;

/**
 * The contract in Riak's default bucket type ({@code allow_mult=false}), accepted with
 * {@link RiakSessionManager.SiblingPolicy#ACCEPT_LOSSY_LAST_WRITE_WINS}: one manager serializes its own writes,
 * so a single app server loses nothing.
 */
class LastWriteWinsContractTest extends StandInContractTest {
    @Override
    String bucketType() {
        return "default";
    }
}
