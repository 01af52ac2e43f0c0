package dev.satchel;

import dev.satchel.spi.ChangeSet;
import dev.satchel.spi.PrincipalIndexedStore;
import dev.satchel.spi.SessionRecord;
import dev.satchel.spi.SweepableStore;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * The reference store: records in a {@link ConcurrentHashMap}. Each change is applied inside
 * {@link ConcurrentHashMap#computeIfPresent}, which makes it atomic per session; a sweep removes a record
 * only if it is still the expired one it read ({@code remove(key, value)}), so a record refreshed meanwhile
 * stays. The principal lookup scans every record: fine for the tests and single-node development this store
 * is for.
 */
final class InMemorySessionStore implements SweepableStore, PrincipalIndexedStore {

    private final ConcurrentHashMap<String, SessionRecord> records = new ConcurrentHashMap<>();

    @Override
    public SessionRecord load(String id) {
        return records.get(id);
    }

    @Override
    public boolean create(SessionRecord record) {
        return records.putIfAbsent(record.id(), record) == null;
    }

    @Override
    public SessionRecord apply(ChangeSet changes) {
        // Returning null from the function removes the entry: an expired or ended record is dropped on the spot.
        return records.computeIfPresent(changes.sessionId(), (sid, stored) -> changes.applyTo(stored));
    }

    @Override
    public void delete(String id) {
        records.remove(id);
    }

    @Override
    public void discard(String id) {
        records.remove(id); // never happens: records are kept as objects, never as text
    }

    @Override
    public int sweep(long now, int limit, Consumer<? super SessionRecord> removed) {
        int count = 0;
        for (SessionRecord r : records.values()) {
            if (count >= limit) {
                break;
            }
            if (r.isExpiredAt(now) && records.remove(r.id(), r)) {
                removed.accept(r);
                count++;
            }
        }
        return count;
    }

    @Override
    public Collection<String> idsOfPrincipal(String principal) {
        List<String> ids = new ArrayList<>();
        for (SessionRecord r : records.values()) {
            if (principal.equals(r.principal())) {
                ids.add(r.id());
            }
        }
        return ids;
    }

    /** Entries held, expired ones not yet swept included. */
    int size() {
        return records.size();
    }

    /** Stores {@code record} as it is, for tests' backdoors. */
    void persist(SessionRecord record) {
        records.put(record.id(), record);
    }
}
