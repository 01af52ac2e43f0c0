package dev.satchel.store.riak;

import dev.satchel.SessionConflictException;
import dev.satchel.SessionStoreException;
import dev.satchel.spi.ChangeSet;
import dev.satchel.spi.PrincipalIndexedStore;
import dev.satchel.spi.SessionIds;
import dev.satchel.spi.SessionRecord;
import dev.satchel.spi.SweepableStore;
import dev.satchel.spi.UnreadableEntryException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The I/O of the Riak store: one Riak object per session, read and written over Riak's HTTP API (requests
 * built by {@link RiakRequests}, sent by {@link RiakNodes}); no policy. The stored form is
 * {@link SessionDocument}'s; what each operation sends is in the module README ("HTTP calls per operation").
 *
 * <ul>
 *   <li>{@link #load}: a GET; siblings are merged attribute by attribute and the merge written back (quietly,
 *       with the siblings' vector clock); a tombstone among them means removed, and the object is deleted
 *       again. A value of a newer format makes the whole entry a newer-format entry, never touched.</li>
 *   <li>{@link #create}: a PUT with {@code If-None-Match: *}; a 412 is a taken id (or our own earlier attempt
 *       that timed out on another node and landed: the randval tells).</li>
 *   <li>{@link #apply}: a GET, the change applied to what was read, and a PUT carrying the vector clock read
 *       and {@code If-Match}. A 412 (someone wrote in between) re-reads and applies again; with a bucket that
 *       keeps siblings the last rounds ask only that the object still exist ({@code If-Match: *}), so the
 *       write always lands. A write answered with siblings ({@code 300}) is stored: the change is durable,
 *       and the next reader merges. Only in a bucket that drops concurrent writes can a change be lost; then
 *       the returned body shows it and the change is applied again, at most {@value #MAX_ATTEMPTS} times.</li>
 *   <li>{@link #delete}: a DELETE (Riak reads the object with {@code r}/{@code pr} and writes a tombstone).</li>
 *   <li>{@link #discard}: the raw answer copied to {@code <bucket>-corrupt/<sid>}, then deleted with the
 *       vector clock read; an entry that reads fine by then, or holds a newer format, is left alone.</li>
 *   <li>{@link #sweep}: pages through {@code expires_int} from 0 to now; each key is read and deleted with the
 *       vector clock read if still expired; unreadable entries are left alone.</li>
 *   <li>{@link #idsOfPrincipal}: pages through {@code principal_bin}.</li>
 * </ul>
 * Updates and deletes of one session through one store are serialized in this JVM (64 lock stripes), so one
 * app server never races itself in Riak. Thread-safe. Never logs a session id, key or vector clock.
 */
final class RiakSessionStore implements SweepableStore, PrincipalIndexedStore {

    private static final Logger LOG = LoggerFactory.getLogger(RiakSessionStore.class);

    /** Rounds of a change in a bucket that drops concurrent writes, before giving up. */
    static final int MAX_ATTEMPTS = 8;
    /** Rounds with the entity tag in {@code If-Match} before asking only that the object exists. */
    static final int ETAG_ROUNDS = 3;
    private static final int LOCK_STRIPES = 64;

    private final RiakNodes nodes;
    private final RiakRequests requests;
    private final BucketProperties.Check bucket;
    private final long tombstoneRetentionMillis;
    private final int indexPageSize;
    private final ReentrantLock[] locks = new ReentrantLock[LOCK_STRIPES];

    /**
     * @param bucket the check of the bucket's properties, made before the first operation if not yet made
     */
    RiakSessionStore(RiakNodes nodes, RiakRequests requests, BucketProperties.Check bucket, long tombstoneRetentionMillis,
            int indexPageSize) {
        this.nodes = nodes;
        this.requests = requests;
        this.bucket = bucket;
        this.tombstoneRetentionMillis = tombstoneRetentionMillis;
        this.indexPageSize = indexPageSize;
        for (int i = 0; i < LOCK_STRIPES; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    @Override
    public SessionRecord load(String sid) {
        checkBucket();
        RiakObject o = fetch(sid);
        if (o.isAbsent()) {
            return null;
        }
        List<SessionDocument> docs = readable(o);
        if (o.hasTombstone()) {
            deleteQuietly(sid, o.vclock());
            return null;
        }
        SessionDocument doc = SessionDocument.merge(docs);
        if (o.siblings().size() > 1) {
            // Tombstones of removed attributes are pruned relative to the session's own last access: no clock here.
            writeBackQuietly(sid, doc.rewritten(newToken(), doc.record().lastAccess(), tombstoneRetentionMillis),
                    o.vclock());
        }
        return doc.record();
    }

    @Override
    public boolean create(SessionRecord record) {
        checkBucket();
        String sid = record.id();
        SessionDocument doc = SessionDocument.created(record, newToken());
        byte[] body = doc.encode();
        RiakResponse r = nodes.send(requests.create(sid, record, body), sid);
        switch (r.status) {
            case 200:
            case 204:
                return true;
            case 300:
                return settleCreate(sid, objectOf(sid, r), doc);
            case 412:
                return isOurEarlierCreate(sid, record);
            default:
                throw unexpected("create", r, sid);
        }
    }

    @Override
    public SessionRecord apply(ChangeSet changes) {
        boolean keepsSiblings = checkBucket().keepsSiblings();
        String sid = changes.sessionId();
        ReentrantLock lock = lockFor(sid);
        lock.lock();
        try {
            return applyLocked(sid, changes, keepsSiblings);
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void delete(String sid) {
        checkBucket();
        ReentrantLock lock = lockFor(sid);
        lock.lock();
        try {
            RiakResponse r = nodes.send(requests.delete(sid, null), sid);
            if (r.status != 204 && r.status != 404) {
                throw unexpected("delete", r, sid);
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Moves a corrupt entry out of the way: its raw answer is copied to {@code <bucket>-corrupt/<sid>}, then the
     * entry is deleted with the vector clock read, so nothing is lost. An entry that holds a newer format, or
     * reads fine by now (rewritten meanwhile), is left alone.
     */
    @Override
    public void discard(String sid) {
        checkBucket();
        ReentrantLock lock = lockFor(sid);
        lock.lock();
        try {
            RiakResponse r = nodes.send(requests.fetch(sid), sid);
            if (r.status != 200 && r.status != 300) {
                return;
            }
            if (!isCorrupt(sid, r)) {
                return;
            }
            String type = r.header("Content-Type");
            RiakResponse copy = nodes.send(requests.quarantine(sid, type == null ? "application/octet-stream" : type,
                    r.body), sid);
            if (copy.status != 200 && copy.status != 204) {
                LOG.warn("Could not move an unreadable session entry aside ({}); leaving it in place", copy.describe(sid));
                return;
            }
            deleteQuietly(sid, r.header("X-Riak-Vclock"));
        } finally {
            lock.unlock();
        }
    }

    @Override
    public int sweep(long now, int limit, Consumer<? super SessionRecord> removed) {
        checkBucket();
        int count = 0;
        String continuation = null;
        do {
            IndexPage page = indexPage("expires_int", "0/" + now, continuation);
            for (String sid : page.keys()) {
                if (count >= limit) {
                    return count;
                }
                SessionRecord gone = deleteIfExpired(sid, now);
                if (gone != null) {
                    removed.accept(gone);
                    count++;
                }
            }
            continuation = page.continuation();
        } while (continuation != null && count < limit);
        return count;
    }

    @Override
    public Collection<String> idsOfPrincipal(String principal) {
        checkBucket();
        List<String> ids = new ArrayList<>();
        String term = RiakRequests.principalTerm(principal);
        String continuation = null;
        do {
            IndexPage page = indexPage("principal_bin", term, continuation);
            for (String key : page.keys()) {
                if (SessionIds.isValid(key)) {
                    ids.add(key);
                }
            }
            continuation = page.continuation();
        } while (continuation != null);
        return ids;
    }

    // ------------------------------------------------------------------ the write path

    private SessionRecord applyLocked(String sid, ChangeSet changes, boolean keepsSiblings) {
        RiakObject state = fetch(sid);
        for (int attempt = 1; ; attempt++) {
            if (state.isAbsent()) {
                return null;
            }
            List<SessionDocument> docs = readable(state);
            if (state.hasTombstone()) {
                deleteQuietly(sid, state.vclock());
                return null; // removed while a request still held it: removal wins
            }
            SessionDocument next = SessionDocument.merge(docs).apply(changes, newToken(), tombstoneRetentionMillis);
            if (next == null) {
                deleteQuietly(sid, state.vclock()); // expired, or ended by this very change
                return null;
            }
            byte[] body = next.encode();
            String ifMatch = state.etag() != null && (attempt <= ETAG_ROUNDS || !keepsSiblings) ? state.etag() : "*";
            RiakResponse r = nodes.send(requests.update(sid, next.record(), body, state.vclock(), ifMatch), sid);
            switch (r.status) {
                case 204:
                    return next.record(); // stored as sent (the node ignored returnbody: trust it)
                case 200:
                    if (Arrays.equals(r.body, body)) {
                        return next.record();
                    }
                    // Riak kept another value than ours: a concurrent write won under allow_mult=false and
                    // our change is not stored. Apply it again to what is there now.
                    state = objectOf(sid, r);
                    break;
                case 300:
                    return storedNextToSiblings(sid, r, next);
                case 412:
                    state = fetch(sid); // changed or removed since it was read
                    break;
                default:
                    throw unexpected("store", r, sid);
            }
            if (attempt >= MAX_ATTEMPTS) {
                throw new SessionConflictException("a session kept changing under this update; gave up after "
                        + MAX_ATTEMPTS + " attempts, and this change is not stored");
            }
        }
    }

    /**
     * Our write was stored and Riak answered with the siblings it now holds: the change is durable, whatever
     * else was written at the same moment, and the next reader merges. Returns the record the siblings merge
     * to, or null when one of them is a removal (which wins for every reader).
     */
    private SessionRecord storedNextToSiblings(String sid, RiakResponse r, SessionDocument ours) {
        RiakObject now;
        try {
            now = objectOf(sid, r);
            if (now.hasTombstone()) {
                return null;
            }
            return SessionDocument.merge(readable(now)).record();
        } catch (SessionStoreException e) {
            // Stored all the same; what it merges with is the next reader's to find out.
            LOG.debug("An update was stored as a sibling; reading the siblings back failed: {}", e.toString());
            return ours.record();
        }
    }

    /**
     * A create answered with siblings: our value landed next to others. Next to tombstones only (the id was
     * removed before), ours is written again over them; next to another live session, that one is written
     * back over ours (a taken id is never overwritten) and the create reports false.
     */
    private boolean settleCreate(String sid, RiakObject siblings, SessionDocument ours) {
        List<SessionDocument> others = new ArrayList<>();
        for (RiakObject.Sibling s : siblings.siblings()) {
            if (!s.deleted() && !isOurs(s.body(), ours)) {
                try {
                    others.add(SessionDocument.decode(s.body()));
                } catch (UnreadableEntryException e) {
                    return false; // someone else's entry, unreadable: leave it to the manager
                }
            }
        }
        SessionDocument keep = others.isEmpty() ? ours : SessionDocument.merge(others);
        RiakResponse r = nodes.send(requests.writeBack(sid, keep.record(), keep.encode(), siblings.vclock()), sid);
        if (r.status != 200 && r.status != 204) {
            throw unexpected("store", r, sid);
        }
        return others.isEmpty();
    }

    private static boolean isOurs(byte[] body, SessionDocument ours) {
        try {
            return SessionDocument.decode(body).writer().equals(ours.writer());
        } catch (UnreadableEntryException e) {
            return false;
        }
    }

    /** After a 412 on create: taken, or our own attempt that timed out on another node and landed. */
    private boolean isOurEarlierCreate(String sid, SessionRecord record) {
        RiakObject o = fetch(sid);
        if (o.isAbsent() || o.hasTombstone()) {
            return false;
        }
        try {
            SessionRecord stored = SessionDocument.merge(readable(o)).record();
            return stored.randval().equals(record.randval()) && stored.created() == record.created();
        } catch (UnreadableEntryException e) {
            return false; // taken by an entry we cannot read
        }
    }

    // ------------------------------------------------------------------ reading

    /** Fetches {@code sid} with all its siblings. */
    private RiakObject fetch(String sid) {
        RiakResponse r = nodes.send(requests.fetch(sid), sid);
        if (r.status != 200 && r.status != 300 && r.status != 404) {
            throw unexpected("fetch", r, sid);
        }
        return objectOf(sid, r);
    }

    /** The object in a 200, 300 or 404 answer (to a fetch or a store with {@code returnbody}). */
    private RiakObject objectOf(String sid, RiakResponse r) {
        return r.status == 300 && !RiakObject.isMultipart(r) ? fetchSiblingsOneByOne(sid, r) : RiakObject.of(r);
    }

    /** A 300 in the plain form (a proxy rewrote {@code Accept}): fetch each listed sibling by its vtag. */
    private RiakObject fetchSiblingsOneByOne(String sid, RiakResponse listing) {
        List<RiakObject.Sibling> siblings = new ArrayList<>();
        for (String vtag : RiakObject.vtags(listing)) {
            RiakResponse r = nodes.send(requests.sibling(sid, vtag), sid);
            if (r.status != 200) {
                throw unexpected("fetch sibling", r, sid);
            }
            siblings.add(new RiakObject.Sibling(r.body, "true".equalsIgnoreCase(r.header("X-Riak-Deleted"))));
        }
        return new RiakObject(listing.header("X-Riak-Vclock"), null, siblings);
    }

    /**
     * The documents of the object's live values. A value of a newer format is thrown at once (the entry is
     * left alone); a corrupt one is thrown unless a tombstone makes the entry removed anyway.
     */
    private static List<SessionDocument> readable(RiakObject o) {
        List<SessionDocument> docs = new ArrayList<>(o.siblings().size());
        UnreadableEntryException corrupt = null;
        for (RiakObject.Sibling s : o.siblings()) {
            if (s.deleted()) {
                continue;
            }
            try {
                docs.add(SessionDocument.decode(s.body()));
            } catch (UnreadableEntryException e) {
                if (e.newerFormat()) {
                    throw e;
                }
                corrupt = corrupt == null ? e : corrupt;
            }
        }
        if (corrupt != null && !o.hasTombstone()) {
            throw corrupt;
        }
        return docs;
    }

    /** Whether the answer still holds something unreadable that is not of a newer format. */
    private boolean isCorrupt(String sid, RiakResponse r) {
        try {
            RiakObject o = objectOf(sid, r);
            if (o.isAbsent()) {
                return false;
            }
            List<SessionDocument> docs = readable(o);
            if (!docs.isEmpty()) {
                SessionDocument.merge(docs);
            }
            return false;
        } catch (UnreadableEntryException e) {
            return !e.newerFormat();
        }
    }

    // ------------------------------------------------------------------ sweeping and indexes

    /** Reads {@code sid} and deletes it with the vector clock read if it is expired at {@code now}; returns what was deleted. */
    private SessionRecord deleteIfExpired(String sid, long now) {
        if (!SessionIds.isValid(sid)) {
            return null; // not a key this store wrote
        }
        ReentrantLock lock = lockFor(sid);
        lock.lock();
        try {
            RiakObject o = fetch(sid);
            if (o.isAbsent() || o.hasTombstone()) {
                return null;
            }
            SessionRecord r;
            try {
                r = SessionDocument.merge(readable(o)).record();
            } catch (UnreadableEntryException e) {
                return null; // left alone: the manager's policy decides about it when it is read
            }
            if (!r.isExpiredAt(now)) {
                return null;
            }
            RiakResponse d = nodes.send(requests.delete(sid, o.vclock()), sid);
            if (d.status != 204 && d.status != 404) {
                throw unexpected("delete", d, sid);
            }
            return r;
        } finally {
            lock.unlock();
        }
    }

    private IndexPage indexPage(String index, String terms, String continuation) {
        RiakResponse r = nodes.send(requests.index(index, terms, indexPageSize, continuation), null);
        if (r.status != 200) {
            throw unexpected("index query", r, null);
        }
        return IndexPage.parse(r.body);
    }

    // ------------------------------------------------------------------ helpers

    /** The bucket's properties, checked; the check is made here if start-up could not reach a node. */
    private BucketProperties checkBucket() {
        return bucket.passed(nodes, requests);
    }

    private void writeBackQuietly(String sid, SessionDocument merged, String vclock) {
        try {
            RiakResponse r = nodes.send(requests.writeBack(sid, merged.record(), merged.encode(), vclock), sid);
            if (r.status != 200 && r.status != 204) {
                LOG.debug("Writing back merged siblings was refused: {}", r.describe(sid));
            }
        } catch (SessionStoreException e) {
            LOG.debug("Writing back merged siblings failed: {}", e.toString());
        }
    }

    private void deleteQuietly(String sid, String vclock) {
        try {
            nodes.send(requests.delete(sid, vclock), sid);
        } catch (SessionStoreException e) {
            LOG.debug("Deleting a removed or expired session's object failed: {}", e.toString());
        }
    }

    private ReentrantLock lockFor(String sid) {
        return locks[sid.hashCode() & (LOCK_STRIPES - 1)];
    }

    private static SessionStoreException unexpected(String what, RiakResponse r, String key) {
        return new SessionStoreException("Riak refused to " + what + ": " + r.describe(key));
    }

    private static String newToken() {
        byte[] b = new byte[9];
        ThreadLocalRandom.current().nextBytes(b);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
    }
}
