package dev.satchel.spi;

import dev.satchel.SessionManager;
import dev.satchel.SessionStoreException;
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
     * Opens a manager for {@code uri}, reading time from {@code context.clock()} and reporting store operations
     * to {@code context.metrics()}. Settings a store offers beyond the URI's own parts are read from its query
     * ({@code ?fsync=always}); an unknown setting is refused.
     *
     * @throws IllegalArgumentException if the URI is malformed for this store or names an unknown setting;
     *     the message names the part, never the user info
     * @throws dev.satchel.SessionStoreException if the store cannot be opened
     */
    SessionManager open(URI uri, Context context);

    /** What the caller gives a provider besides the URI. Immutable. */
    final class Context {
        private final Clock clock;
        private final StoreMetrics metrics;

        private Context(Clock clock, StoreMetrics metrics) {
            this.clock = clock;
            this.metrics = metrics;
        }

        /** A context with {@code clock} and {@code metrics}. */
        public static Context of(Clock clock, StoreMetrics metrics) {
            return new Context(BuilderRules.requireNonNull(clock, "clock"), BuilderRules.requireNonNull(metrics, "metrics"));
        }

        /** The clock the manager reads time from. */
        public Clock clock() {
            return clock;
        }

        /** Where the manager reports store operations ({@link StoreMetrics#NONE} for nowhere). */
        public StoreMetrics metrics() {
            return metrics;
        }
    }
}
