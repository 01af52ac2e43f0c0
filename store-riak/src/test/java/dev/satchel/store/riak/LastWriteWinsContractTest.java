package dev.satchel.store.riak;

/** The contract in Riak's default bucket type ({@code allow_mult=false}): Riak keeps the latest write. */
class LastWriteWinsContractTest extends StandInContractTest {
    @Override
    String bucketType() {
        return "default";
    }
}
