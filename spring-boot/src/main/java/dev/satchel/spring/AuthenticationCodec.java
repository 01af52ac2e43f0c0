package dev.satchel.spring;

import java.util.ArrayList;
import java.util.List;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.core.userdetails.User;

/**
 * Turns an {@link Authentication} into the plain data {@link SatchelSecurityContextRepository} stores, and
 * back: the hook for applications whose principal carries more than a name and authorities. The default
 * stores the name and the authorities and restores a {@link UsernamePasswordAuthenticationToken} whose
 * principal is a {@link User} with that name, those authorities and no password — what
 * {@code @AuthenticationPrincipal UserDetails} and {@code authentication.getName()} expect after a form login.
 *
 * <p>Define a bean of this type to restore your own principal, for example by loading it again:
 *
 * <pre>{@code
 * @Bean
 * AuthenticationCodec authenticationCodec(AccountRepository accounts) {
 *     return new AuthenticationCodec() {
 *         public Authentication restore(StoredAuthentication stored) {
 *             Account a = accounts.findByName(stored.name());     // null when the account was deleted
 *             return a == null ? null : UsernamePasswordAuthenticationToken.authenticated(a, null, a.authorities());
 *         }
 *     };
 * }
 * }</pre>
 *
 * <p>Implementations are called on request threads and must be thread-safe. Neither method may put a
 * credential (a password, a token) into what it stores: the store is not a vault.
 */
public interface AuthenticationCodec {

    /** The default: name and authorities. */
    AuthenticationCodec DEFAULT = new AuthenticationCodec() {};

    /** What to store for {@code authentication} (authenticated, never anonymous); the credentials are never read. */
    default StoredAuthentication store(Authentication authentication) {
        List<String> authorities = new ArrayList<>();
        for (GrantedAuthority a : authentication.getAuthorities()) {
            if (a != null && a.getAuthority() != null) {
                authorities.add(a.getAuthority());
            }
        }
        return new StoredAuthentication(authentication.getName(), authorities, null);
    }

    /**
     * The {@link Authentication} of a session that stored {@code stored}; {@code null} (or a thrown
     * {@code AuthenticationException}) makes the session unauthenticated, for example when the account is gone.
     */
    default Authentication restore(StoredAuthentication stored) {
        List<GrantedAuthority> authorities = new ArrayList<>();
        for (String a : stored.authorities()) {
            authorities.add(new SimpleGrantedAuthority(a));
        }
        User principal = new User(stored.name(), "", authorities);
        principal.eraseCredentials();
        return UsernamePasswordAuthenticationToken.authenticated(principal, null, authorities);
    }
}
