package dev.satchel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The BOM has no parent (users import it, so it must not carry the build's test pins), which means its
 * versions are written twice: here the two are held equal, so a version bump in the parent that forgets the
 * BOM fails the build.
 */
class BomConsistencyTest {

    private static final List<String> SHARED = List.of("jackson.version", "jackson-annotations.version",
            "slf4j.version", "caffeine.version", "jedis.version");

    @Test
    void theBomPinsWhatTheParentPins() throws IOException {
        Path root = Path.of("..").toAbsolutePath().normalize();
        String parent = Files.readString(root.resolve("pom.xml"));
        String bom = Files.readString(root.resolve("bom/pom.xml"));
        assertEquals(property(parent, "version"), property(bom, "version"), "project version");
        for (String p : SHARED) {
            assertEquals(property(parent, p), property(bom, p), p);
        }
        for (String module : List.of("core", "testkit", "store-file", "store-caching", "store-redis", "store-riak",
                "store-jdbc", "servlet", "spring-boot-starter")) {
            assertTrue(bom.contains("<artifactId>satchel-" + module + "</artifactId>"), module);
        }
    }

    private static String property(String pom, String name) {
        Matcher m = Pattern.compile("<" + Pattern.quote(name) + ">([^<]+)</" + Pattern.quote(name) + ">").matcher(pom);
        assertTrue(m.find(), name + " in the POM");
        return m.group(1);
    }
}
