package dev.satchel.store.riak;

/** The contract in a custom bucket type ({@code allow_mult=true}): concurrent writes become siblings. */
class SiblingsContractTest extends StandInContractTest {
    @Override
    String bucketType() {
        return "sessions";
    }
}
