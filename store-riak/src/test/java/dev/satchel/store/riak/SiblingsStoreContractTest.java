package dev.satchel.store.riak;

/** The store contract in a bucket type with {@code allow_mult=true}. */
class SiblingsStoreContractTest extends StandInStoreContractTest {
    @Override
    String bucketType() {
        return "sessions";
    }
}
