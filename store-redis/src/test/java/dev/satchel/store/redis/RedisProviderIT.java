package dev.satchel.store.redis;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Invalidations;
import dev.satchel.PrincipalIndex;
import dev.satchel.Session;
import dev.satchel.SessionManager;
import dev.satchel.SessionManagers;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A manager opened by URI works, with the query's settings applied. */
class RedisProviderIT {

    @RegisterExtension
    static final StandaloneRedis REDIS = new StandaloneRedis();

    @Test
    @DisplayName("SessionManagers.open(redis://…?namespace=…&invalidation=none) stores there and offers no feed")
    void opensWithSettings() {
        try (SessionManager m = SessionManagers.open(REDIS.server().uri() + "/0?namespace=by-uri&invalidation=none",
                REDIS.clock())) {
            assertTrue(m instanceof PrincipalIndex);
            assertFalse(m instanceof Invalidations, "invalidation=none reached the builder");
            Session s = m.newSession();
            s.put("a", 1);
            assertTrue(m.put(s));
            assertTrue(REDIS.admin().exists("by-uri:session:{" + s.id() + "}"), "namespace=by-uri reached the builder");
        }
    }
}
