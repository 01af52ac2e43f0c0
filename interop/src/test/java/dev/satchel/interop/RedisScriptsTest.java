package dev.satchel.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * PHP and Python run the Redis store's own Lua scripts, from interop/redis/: they must stay byte for byte the
 * ones store-redis ships, or the two sides would merge by different rules.
 */
class RedisScriptsTest {

    @Test
    void theScriptsAreTheJavaStoresOwn() throws IOException {
        for (String name : List.of("apply.lua", "create.lua", "delete.lua", "index-add.lua")) {
            try (InputStream java = RedisScriptsTest.class.getResourceAsStream("/dev/satchel/store/redis/" + name)) {
                assertNotNull(java, name + " is no longer in store-redis");
                assertArrayEquals(java.readAllBytes(), Files.readAllBytes(Tools.INTEROP.resolve("redis").resolve(name)),
                        "interop/redis/" + name + " differs from store-redis's: copy it over");
            }
        }
    }
}
