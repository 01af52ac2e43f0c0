package dev.satchel.store.riak;

/** The store contract in Riak's default bucket type ({@code allow_mult=false}), accepted as lossy. */
class LastWriteWinsStoreContractTest extends StandInStoreContractTest {
    @Override
    String bucketType() {
        return "default";
    }
}
