package dev.satchel.benchmarks;

import java.nio.file.Path;
import org.apache.catalina.core.StandardContext;
import org.apache.catalina.session.FileStore;
import org.apache.catalina.session.PersistentManager;
import org.apache.catalina.session.StandardManager;
import org.apache.catalina.session.StandardSession;

/**
 * Tomcat's {@code FileStore} (one file of Java-serialized session per id, written in place, never flushed),
 * wired to a {@code PersistentManager} on an unstarted {@code StandardContext}: no container, no connector.
 * {@code get} is {@code FileStore.load(id)}; {@code put} is {@code setAttribute} and {@code FileStore.save}.
 */
final class TomcatFileStoreClient implements StoreClient {

    private final Path dir;
    private final PersistentManager manager = new PersistentManager();
    private final FileStore store = new FileStore();
    /** Makes the sessions to store: a session with an id is always registered with its manager. */
    private final StandardManager maker = new StandardManager();
    private final String[] ids;

    TomcatFileStoreClient(Path dir, int sessions) {
        this.dir = dir;
        this.ids = Population.ids(sessions);
        manager.setContext(new StandardContext());
        maker.setContext(new StandardContext());
        store.setDirectory(dir.toAbsolutePath().toString());
        manager.setStore(store);
    }

    @Override
    public void create(int n) throws Exception {
        StandardSession s = (StandardSession) maker.createEmptySession();
        s.setNew(true);
        s.setValid(true);
        s.setCreationTime(System.currentTimeMillis());
        s.setMaxInactiveInterval((int) Population.IDLE_TIMEOUT.toSeconds());
        s.setId(ids[n], false);
        TypicalSession.attributes(n).forEach(s::setAttribute);
        store.save(s);
        maker.remove(s); // held by the store only, as a swapped-out session
    }

    @Override
    public Object get(int n) throws Exception {
        StandardSession s = (StandardSession) store.load(ids[n]);
        if (s == null) {
            throw new IllegalStateException("a stored session was not found");
        }
        return s;
    }

    @Override
    public Object put(Object loaded, int n, int value) throws Exception {
        StandardSession s = (StandardSession) loaded;
        s.setAttribute(TypicalSession.CHANGED, value);
        s.access();
        s.endAccess();
        store.save(s);
        return s;
    }

    @Override
    public void close() throws Exception {
        Scratch.delete(dir);
    }
}
