package dev.satchel.spi;

import dev.satchel.SessionManager;
import java.net.URI;
import java.time.Clock;
import java.util.Set;

/**
 * Opens a {@link SessionManager} from a URI, so an application (or the Spring Boot starter, or the demo)
 * chooses its store by configuration: {@code file:/var/lib/app/sessions}, {@code redis://host:6379},
 * {@code riak://host:8098/...}. Each store module registers one provider with {@link java.util.ServiceLoader}
 * ({@code META-INF/services/dev.satchel.spi.SessionManagerProvider}); {@link dev.satchel.SessionManagers}
 * finds it by the URI's scheme. Nothing is loaded by a name taken from the URI: the scheme only selects among
 * the providers on the class path.
 *
 * <p>Implementations must be thread-safe and must never put the URI's user info (a password) into an
 * exception message or a log line.
 */
public interface SessionManagerProvider {

    /** The URI schemes this provider opens, in lower case. */
    Set<String> schemes();

    /**
     * Opens a manager for {@code uri}, reading time from {@code clock}. Settings a store offers beyond the URI's
     * own parts are read from its query ({@code ?fsync=always}); an unknown setting is refused.
     *
     * @throws IllegalArgumentException if the URI is malformed for this store or names an unknown setting;
     *     the message names the part, never the user info
     * @throws dev.satchel.SessionStoreException if the store cannot be opened
     */
    SessionManager open(URI uri, Clock clock);
}
