package dev.satchel.benchmarks;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.satchel.HttpSessions;
import dev.satchel.Session;
import dev.satchel.SessionManager;
import dev.satchel.spi.SessionCodec;
import dev.satchel.spi.SessionIds;
import dev.satchel.spi.SessionRecord;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.session.StandardManager;
import org.apache.catalina.session.StandardSession;
import org.springframework.session.MapSession;
import org.springframework.session.MapSessionRepository;

/** One {@link HotPath} per implementation {@link HotPathBenchmark} compares. */
final class HotPaths {

    private HotPaths() {}

    /** {@code HttpSessions.open(cookieHeader)} over a {@code CachingSessionManager}; commit ends a request. */
    static final class SatchelOpen implements HotPath {
        private final HttpSessions sessions;
        private final String[] headers;

        SatchelOpen(int n) {
            sessions = Population.cachedHttpSessions(n);
            headers = Population.storeAndGetCookieHeaders(sessions, n);
        }

        @Override
        public Object open(int i, Object scratch) {
            return sessions.open(headers[i]);
        }

        @Override
        public Object request(int i, boolean write, Object scratch) {
            Session s = sessions.open(headers[i]);
            if (write) {
                s.put(TypicalSession.CHANGED, i);
            }
            sessions.commit(s);
            return s;
        }

        @Override
        public boolean finds(int i) {
            return !sessions.open(headers[i]).isNew();
        }
    }

    /**
     * {@code CachingSessionManager.get(sid)} alone, no cookie: splits the cost of {@code open} into the
     * cache's share and the cookie's (parse, verify).
     */
    static final class SatchelCacheGet implements HotPath {
        private final SessionManager manager;
        private final String[] ids;

        SatchelCacheGet(int n) {
            HttpSessions sessions = Population.cachedHttpSessions(n);
            String[] headers = Population.storeAndGetCookieHeaders(sessions, n);
            manager = sessions.manager();
            ids = new String[n];
            for (int i = 0; i < n; i++) {
                int start = headers[i].indexOf(Population.COOKIE_NAME + '=') + Population.COOKIE_NAME.length() + 1;
                ids[i] = headers[i].substring(start, start + SessionIds.LENGTH);
            }
        }

        @Override
        public Object open(int i, Object scratch) {
            return manager.get(ids[i]);
        }

        @Override
        public Object request(int i, boolean write, Object scratch) {
            Session s = manager.get(ids[i]).orElseThrow();
            if (write) {
                s.put(TypicalSession.CHANGED, i);
                manager.put(s);
            }
            return s;
        }

        @Override
        public boolean finds(int i) {
            return manager.get(ids[i]).isPresent();
        }
    }

    /**
     * The hand-written floor: find {@code __Host-SID=} in the header and check the shape of {@code sid!digest}
     * without allocating, look the sid up in a Caffeine cache through a reused lookup key, and compare the
     * digest with {@link MessageDigest#isEqual}. No working copy, no expiry check, no key rotation. The
     * cache runs its maintenance on Caffeine's default executor, as {@code CachingSessionManager}'s does.
     */
    static final class Floor implements HotPath {
        private static final int DIGEST_LENGTH = 43;
        private static final int VALUE_LENGTH = SessionIds.LENGTH + 1 + DIGEST_LENGTH;
        private static final String PREFIX = Population.COOKIE_NAME + "=";
        private static final boolean[] BASE64URL = new boolean[128];

        static {
            String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
            for (int i = 0; i < alphabet.length(); i++) {
                BASE64URL[alphabet.charAt(i)] = true;
            }
        }

        private final Cache<SidKey, Entry> cache;
        private final String[] headers;
        /** Whether a write does what any correct store must ({@link #writing}), or only re-puts the entry. */
        private final boolean encodes;

        Floor(int n) {
            this(n, false);
        }

        private Floor(int n, boolean encodes) {
            this.encodes = encodes;
            cache = Caffeine.newBuilder().maximumSize(2L * n).build();
            headers = new String[n];
            String[] ids = Population.ids(n);
            for (int i = 0; i < n; i++) {
                SessionRecord r = Population.record(ids[i], i);
                String digest = Population.digest(r.id(), r.randval());
                SidKey key = new SidKey(r.id(), 0);
                cache.put(key, new Entry(key, digest.getBytes(StandardCharsets.US_ASCII), r, FloorRecord.of(r)));
                headers[i] = Population.cookieHeader(r.id() + '!' + digest);
            }
        }

        /**
         * The second floor: the first one's lookup, and on a write only what no correct store can skip — encode
         * the one changed attribute (Satchel's codec, {@code SessionCodec.toJson}), build the new immutable
         * record (its values array copied with that one value replaced, version and last access moved on) and
         * write it to the map once. No change set, no merge rules, no size check, no expiry, no cookie.
         */
        static Floor writing(int n) {
            return new Floor(n, true);
        }

        @Override
        public Object newScratch() {
            return new Scratch();
        }

        @Override
        public Object open(int i, Object scratch) {
            return lookup(headers[i], (Scratch) scratch);
        }

        @Override
        public Object request(int i, boolean write, Object scratch) {
            Entry e = lookup(headers[i], (Scratch) scratch);
            if (write && e != null) {
                FloorRecord changed = encodes
                        ? e.floorRecord.with(TypicalSession.CHANGED, SessionCodec.toJson(TypicalSession.CHANGED, i), System.currentTimeMillis())
                        : e.floorRecord;
                cache.put(e.key, new Entry(e.key, e.digest, e.record, changed));
            }
            return e;
        }

        @Override
        public boolean finds(int i) {
            return lookup(headers[i], new Scratch()) != null;
        }

        private Entry lookup(String header, Scratch s) {
            int n = header.length();
            int i = 0;
            while (i < n) {
                while (i < n && header.charAt(i) == ' ') {
                    i++;
                }
                if (header.startsWith(PREFIX, i)) {
                    int v = i + PREFIX.length();
                    int end = header.indexOf(';', v);
                    if (end < 0) {
                        end = n;
                    }
                    if (end - v != VALUE_LENGTH || header.charAt(v + SessionIds.LENGTH) != '!'
                            || !base64url(header, v, SessionIds.LENGTH)
                            || !base64url(header, v + SessionIds.LENGTH + 1, DIGEST_LENGTH)) {
                        return null;
                    }
                    s.key.point(header, v);
                    Entry e = cache.getIfPresent(s.key);
                    if (e == null) {
                        return null;
                    }
                    for (int k = 0, d = v + SessionIds.LENGTH + 1; k < DIGEST_LENGTH; k++) {
                        s.digest[k] = (byte) header.charAt(d + k);
                    }
                    return MessageDigest.isEqual(e.digest, s.digest) ? e : null;
                }
                int semi = header.indexOf(';', i);
                if (semi < 0) {
                    return null;
                }
                i = semi + 1;
            }
            return null;
        }

        private static boolean base64url(String s, int from, int length) {
            for (int i = from, end = from + length; i < end; i++) {
                char c = s.charAt(i);
                if (c >= 128 || !BASE64URL[c]) {
                    return false;
                }
            }
            return true;
        }

        /** A thread's reusable lookup key and digest buffer. */
        private static final class Scratch {
            final SidKey key = new SidKey(null, 0);
            final byte[] digest = new byte[DIGEST_LENGTH];
        }

        private static final class Entry {
            final SidKey key;
            final byte[] digest;
            final SessionRecord record;
            /** The second floor's record, which it replaces on a write. */
            final FloorRecord floorRecord;

            Entry(SidKey key, byte[] digest, SessionRecord record, FloorRecord floorRecord) {
                this.key = key;
                this.digest = digest;
                this.record = record;
                this.floorRecord = floorRecord;
            }
        }

        /** The least immutable record there is: shared sorted names, the values' JSON texts, two numbers. */
        private static final class FloorRecord {
            final String[] names;
            final String[] values;
            final long lastAccess;
            final long version;

            FloorRecord(String[] names, String[] values, long lastAccess, long version) {
                this.names = names;
                this.values = values;
                this.lastAccess = lastAccess;
                this.version = version;
            }

            static FloorRecord of(SessionRecord r) {
                int n = r.attributeCount();
                String[] names = new String[n];
                String[] values = new String[n];
                for (int i = 0; i < n; i++) {
                    names[i] = r.attributeName(i);
                    values[i] = r.attributeValue(i);
                }
                return new FloorRecord(names, values, r.lastAccess(), r.version());
            }

            FloorRecord with(String name, String json, long now) {
                String[] changed = values.clone();
                changed[Arrays.binarySearch(names, name)] = json;
                return new FloorRecord(names, changed, Math.max(lastAccess, now), version + 1);
            }
        }

        /**
         * A session id as 22 characters of some text at some offset: stored keys own their id string, a
         * thread's lookup key is re-pointed at the id inside each header, so a lookup allocates nothing.
         */
        private static final class SidKey {
            private CharSequence text;
            private int from;
            private int hash;

            SidKey(CharSequence text, int from) {
                if (text != null) {
                    point(text, from);
                }
            }

            void point(CharSequence text, int from) {
                this.text = text;
                this.from = from;
                int h = 0;
                for (int i = from, end = from + SessionIds.LENGTH; i < end; i++) {
                    h = 31 * h + text.charAt(i);
                }
                this.hash = h;
            }

            @Override
            public int hashCode() {
                return hash;
            }

            @Override
            public boolean equals(Object o) {
                if (!(o instanceof SidKey)) {
                    return false;
                }
                SidKey k = (SidKey) o;
                if (k.hash != hash) {
                    return false;
                }
                for (int i = 0; i < SessionIds.LENGTH; i++) {
                    if (text.charAt(from + i) != k.text.charAt(k.from + i)) {
                        return false;
                    }
                }
                return true;
            }
        }
    }

    /**
     * A map from id to immutable record, looked up by id: {@code ConcurrentHashMap.get}, or
     * {@code Caffeine.getIfPresent} (the cache under {@code CachingSessionManager}, bounded by count and
     * maintained on the calling thread as there, without its expiry policy; or with Caffeine's default,
     * asynchronous maintenance). A write puts the record back.
     */
    static final class IdKeyedMap implements HotPath {
        private final Function<String, SessionRecord> get;
        private final BiConsumer<String, SessionRecord> put;
        private final String[] ids;

        private IdKeyedMap(int n, Function<String, SessionRecord> get, BiConsumer<String, SessionRecord> put) {
            this.get = get;
            this.put = put;
            String[] stored = Population.ids(n);
            for (int i = 0; i < n; i++) {
                put.accept(stored[i], Population.record(stored[i], i));
            }
            ids = Population.lookupCopies(stored);
        }

        static IdKeyedMap concurrentHashMap(int n) {
            Map<String, SessionRecord> map = new ConcurrentHashMap<>();
            return new IdKeyedMap(n, map::get, map::put);
        }

        static IdKeyedMap caffeine(int n) {
            Cache<String, SessionRecord> cache = Caffeine.newBuilder().maximumSize(2L * n).build();
            return new IdKeyedMap(n, cache::getIfPresent, cache::put);
        }

        /** Caffeine with its maintenance on the calling thread ({@code executor(Runnable::run)}). */
        static IdKeyedMap caffeineInlineMaintenance(int n) {
            Cache<String, SessionRecord> cache = Caffeine.newBuilder().maximumSize(2L * n).executor(Runnable::run).build();
            return new IdKeyedMap(n, cache::getIfPresent, cache::put);
        }

        @Override
        public Object open(int i, Object scratch) {
            return get.apply(ids[i]);
        }

        @Override
        public Object request(int i, boolean write, Object scratch) {
            SessionRecord r = get.apply(ids[i]);
            if (write) {
                put.accept(ids[i], r);
            }
            return r;
        }

        @Override
        public boolean finds(int i) {
            return get.apply(ids[i]) != null;
        }
    }

    /**
     * Spring Session's {@code MapSessionRepository} over a {@code ConcurrentHashMap}: {@code findById} copies
     * the stored session; a request, as {@code SessionRepositoryFilter} runs it, sets the last access time
     * and saves (another copy) every time.
     */
    static final class SpringMapRepository implements HotPath {
        private final MapSessionRepository repository = new MapSessionRepository(new ConcurrentHashMap<>());
        private final String[] ids;

        SpringMapRepository(int n) {
            repository.setDefaultMaxInactiveInterval(Population.IDLE_TIMEOUT);
            String[] stored = Population.ids(n);
            for (int i = 0; i < n; i++) {
                MapSession s = new MapSession(stored[i]);
                s.setMaxInactiveInterval(Population.IDLE_TIMEOUT);
                TypicalSession.attributes(i).forEach(s::setAttribute);
                repository.save(s);
            }
            ids = Population.lookupCopies(stored);
        }

        @Override
        public Object open(int i, Object scratch) {
            return repository.findById(ids[i]);
        }

        @Override
        public Object request(int i, boolean write, Object scratch) {
            MapSession s = repository.findById(ids[i]);
            s.setLastAccessedTime(Instant.now());
            if (write) {
                s.setAttribute(TypicalSession.CHANGED, i);
            }
            repository.save(s);
            return s;
        }

        @Override
        public boolean finds(int i) {
            return repository.findById(ids[i]) != null;
        }
    }

    /**
     * Tomcat's {@code StandardManager}, wired to an unstarted {@code StandardContext} (no container, no
     * connector): {@code findSession}, {@code isValid}, {@code access()} and {@code endAccess()}, which is
     * what Tomcat's {@code Request} does around a request that uses its session. Validates nothing about
     * the id (it is the whole cookie).
     */
    static final class TomcatStandardManager implements HotPath {
        private final StandardManager manager = new StandardManager();
        private final String[] ids;

        TomcatStandardManager(int n) {
            manager.setContext(new StandardContext());
            String[] stored = Population.ids(n);
            for (int i = 0; i < n; i++) {
                StandardSession s = (StandardSession) manager.createEmptySession();
                s.setNew(true);
                s.setValid(true);
                s.setCreationTime(System.currentTimeMillis());
                s.setMaxInactiveInterval((int) Population.IDLE_TIMEOUT.toSeconds());
                s.setId(stored[i]); // also adds it to the manager
                TypicalSession.attributes(i).forEach(s::setAttribute);
                s.endAccess();
            }
            ids = Population.lookupCopies(stored);
        }

        @Override
        public Object open(int i, Object scratch) {
            StandardSession s = find(ids[i]);
            if (s != null) {
                s.access();
                s.endAccess();
            }
            return s;
        }

        @Override
        public Object request(int i, boolean write, Object scratch) {
            StandardSession s = find(ids[i]);
            if (s != null) {
                s.access();
                if (write) {
                    s.setAttribute(TypicalSession.CHANGED, i);
                }
                s.endAccess();
            }
            return s;
        }

        @Override
        public boolean finds(int i) {
            return find(ids[i]) != null;
        }

        private StandardSession find(String id) {
            try {
                StandardSession s = (StandardSession) manager.findSession(id);
                return s != null && s.isValid() ? s : null;
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
