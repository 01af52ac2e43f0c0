package dev.satchel.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.PrincipalIndex;
import dev.satchel.Session;
import dev.satchel.SessionManager;
import dev.satchel.SessionManagers;
import dev.satchel.store.jdbc.JdbcSessionManager.Dialect;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** {@code postgresql://} and {@code mariadb://} through {@link SessionManagers}, against the test servers. */
@ExtendWith(Databases.class)
class ProviderIT {

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void aUriOpensAWorkingManagerWithItsOwnTable(Dialect dialect) {
        DatabaseServer server = Databases.server(dialect);
        URI jdbc = URI.create(server.jdbcUrl().substring("jdbc:".length()));
        String scheme = dialect == Dialect.POSTGRESQL ? "postgresql" : "mariadb";
        String userInfo = URLEncoder.encode(server.user(), StandardCharsets.UTF_8)
                + (server.password() == null ? "" : ":" + URLEncoder.encode(server.password(), StandardCharsets.UTF_8));
        String uri = scheme + "://" + userInfo + "@" + jdbc.getHost() + ":" + jdbc.getPort() + jdbc.getPath()
                + "?table=provider_sessions&createSchema=true&sweepInterval=PT0S";
        try (SessionManager m = SessionManagers.open(uri, Clock.systemUTC())) {
            assertTrue(m instanceof PrincipalIndex);
            Session s = m.newSession();
            s.put("n", 1);
            s.setPrincipal("ada");
            assertTrue(m.put(s));
            assertEquals(1, m.get(s.id()).orElseThrow().get("n"));
            assertEquals(1, ((PrincipalIndex) m).findByPrincipal("ada").size());
            m.remove(s.id());
            assertFalse(m.exists(s.id()));
        }
    }

    @ParameterizedTest
    @EnumSource(Dialect.class)
    void anUnknownSettingIsRefusedWithoutTheCredentials(Dialect dialect) {
        String scheme = dialect == Dialect.POSTGRESQL ? "postgresql" : "mariadb";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SessionManagers.open(scheme + "://u:s3cret@127.0.0.1:1/db?colour=blue"));
        assertTrue(e.getMessage().contains("colour"), e.getMessage());
        assertFalse(e.getMessage().contains("s3cret"), e.getMessage());
    }
}
