package dev.satchel.spi;

import dev.satchel.InMemorySessionManager;
import dev.satchel.SessionManager;
import java.net.URI;
import java.util.Set;

/** {@code memory:} — an {@link InMemorySessionManager}; takes no settings. */
public final class InMemoryProvider implements SessionManagerProvider {

    /** For {@link java.util.ServiceLoader}. */
    public InMemoryProvider() {}

    @Override
    public Set<String> schemes() {
        return Set.of("memory");
    }

    @Override
    public SessionManager open(URI uri, Context context) {
        if (uri.getRawSchemeSpecificPart() != null && !uri.getRawSchemeSpecificPart().isEmpty()
                && !uri.getRawSchemeSpecificPart().equals("/")) {
            throw new IllegalArgumentException("a memory: URI takes no path or settings");
        }
        return InMemorySessionManager.builder().clock(context.clock()).metrics(context.metrics()).build();
    }
}
