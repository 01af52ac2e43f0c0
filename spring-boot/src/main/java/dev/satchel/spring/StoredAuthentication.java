package dev.satchel.spring;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What {@link SatchelSecurityContextRepository} keeps of an authenticated user in the session, as plain JSON
 * ({@code {"name":"alice","authorities":["ROLE_USER"],"details":{}}}): never a Java object, never a class name.
 * The name is also the session's Satchel principal, which the principal index ("log out everywhere", the
 * concurrent-session limit) looks sessions up by.
 *
 * @param name the principal's name ({@code Authentication.getName()}); never empty
 * @param authorities the granted authorities' strings, in order
 * @param details what an {@link AuthenticationCodec} of the application adds (an id, a display name), as strings;
 *     empty by default
 */
public record StoredAuthentication(String name, List<String> authorities, Map<String, String> details) {

    /** Copies the lists; {@code null} authorities or details are empty. */
    public StoredAuthentication {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("an authenticated principal's name is empty");
        }
        authorities = authorities == null ? List.of() : List.copyOf(authorities);
        details = details == null ? Map.of() : Map.copyOf(details);
    }
}
