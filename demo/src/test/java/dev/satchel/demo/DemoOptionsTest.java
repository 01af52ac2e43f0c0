package dev.satchel.demo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Options and keys: defaults, the environment, and a clear refusal of every mistake. */
class DemoOptionsTest {

    private static String refusal(String... args) {
        return assertThrows(IllegalArgumentException.class, () -> DemoOptions.parse(args, Map.of())).getMessage();
    }

    @Test
    @DisplayName("defaults: 127.0.0.1:8080, ./satchel-data; PORT from the environment; --port wins")
    void defaults() {
        DemoOptions o = DemoOptions.parse(new String[0], Map.of());
        assertEquals(8080, o.port);
        assertEquals("127.0.0.1", o.host);
        assertEquals(Path.of("satchel-data"), o.dir);
        assertEquals(10_000, o.cacheSize);
        assertEquals(null, o.maxStaleness, "the store's default");
        assertEquals("file:satchel-data", o.store);
        assertEquals(9000, DemoOptions.parse(new String[0], Map.of("PORT", "9000")).port);
        assertEquals(9001, DemoOptions.parse(new String[] {"--port", "9001"}, Map.of("PORT", "9000")).port);
        assertEquals(Path.of("/tmp/x"), DemoOptions.parse(new String[] {"--store", "file:///tmp/x"}, Map.of()).dir);
        assertEquals(Path.of("rel"), DemoOptions.parse(new String[] {"--store", "file:rel"}, Map.of()).dir);
        assertEquals("file:rel", DemoOptions.parse(new String[] {"--store", "FILE:rel"}, Map.of()).store);
        DemoOptions redis = DemoOptions.parse(new String[] {"--store", "redis://h:1/2", "--dir", "keys"}, Map.of());
        assertEquals("redis://h:1/2", redis.store);
        assertEquals(Path.of("keys"), redis.dir, "the folder still holds the signing key");
        assertEquals("riak://h", DemoOptions.parse(new String[] {"--store", "riak://h"}, Map.of()).store);
        assertEquals("memory:/", DemoOptions.parse(new String[] {"--store", "memory:/"}, Map.of()).store,
                "any scheme a store module on the class path opens");
        assertTrue(DemoStore.forms().endsWith(", or memory:"), DemoStore.forms());
        assertEquals(Duration.ofSeconds(5),
                DemoOptions.parse(new String[] {"--max-staleness", "5"}, Map.of()).maxStaleness);
        assertTrue(DemoOptions.parse(new String[] {"--help"}, Map.of()).help);
    }

    @Test
    @DisplayName("mistakes are refused with a message naming the option")
    void mistakes() {
        assertEquals("--port must be between 0 and 65535, was 70000", refusal("--port", "70000"));
        assertEquals("--port must be a whole number, was 'http'", refusal("--port", "http"));
        assertEquals("--port needs a value", refusal("--port"));
        assertEquals("unknown option --colour", refusal("--colour", "red"));
        assertEquals("unexpected argument 'serve'", refusal("serve"));
        assertEquals("--cache-size must be between 1 and 2147483647, was 0", refusal("--cache-size", "0"));
        assertEquals("--max-staleness must be a whole number, was '1s'", refusal("--max-staleness", "1s"));
        assertEquals("--dir must name a folder", refusal("--dir", " "));
        assertEquals("--store: the folder was already given (use --dir or --store once)",
                refusal("--dir", "a", "--store", "file:b"));
        assertEquals("--store ftp: not a store this demo knows; use " + DemoStore.forms(),
                refusal("--store", "ftp://user:secret@host/x"));
        assertTrue(!refusal("--store", "ftp://user:secret@host/x").contains("secret"), "no credentials echoed");
        assertEquals("--store needs a URI; use " + DemoStore.forms(), refusal("--store", "/var/lib/sessions"));
        assertEquals("--store was already given", refusal("--store", "redis://a", "--store", "redis://b"));
        assertEquals("PORT must be a whole number, was 'eighty'",
                assertThrows(IllegalArgumentException.class,
                        () -> DemoOptions.parse(new String[0], Map.of("PORT", "eighty"))).getMessage());
    }

    @Test
    @DisplayName("riak:// URIs: node, bucket type and bucket; anything else refused without quoting a password")
    void riakUris(@TempDir Path dir) throws IOException {
        DemoStore.Opener riak = DemoStore.SCHEMES.get("riak");
        DemoStore s = riak.open("riak://127.0.0.1:1/types/t/buckets/b", dir, java.time.Clock.systemUTC());
        s.manager.close();
        assertEquals("Riak at http://127.0.0.1:1, bucket t/b", s.description);
        s = riak.open("riak://localhost", dir, java.time.Clock.systemUTC());
        s.manager.close();
        assertEquals("Riak at http://localhost:8098, bucket sessions", s.description);
        String message = assertThrows(IllegalArgumentException.class,
                () -> riak.open("riak://h/elsewhere", dir, java.time.Clock.systemUTC())).getMessage();
        assertEquals("--store riak: the path must be [/types/TYPE][/buckets/BUCKET]", message);
        message = assertThrows(IllegalArgumentException.class,
                () -> riak.open("riak://user:secret@h", dir, java.time.Clock.systemUTC())).getMessage();
        assertTrue(message.startsWith("--store riak: use riak://"), message);
        assertFalse(message.contains("secret"));
        message = assertThrows(IllegalArgumentException.class,
                () -> riak.open("riak://user:secret@h/%zz", dir, java.time.Clock.systemUTC())).getMessage();
        assertFalse(message.contains("secret"), message);
    }

    @Test
    @DisplayName("the stored document is shown escaped, with every randval field masked and nothing else")
    void masking() {
        String json = Html.stored("x", new DemoStore.Stored("f", "{\"id\":\"a<b\",\"randval\":\"SECRET\","
                + "\"attrs\":{\"note\":\"randval SECRET2\"}}", true));
        assertFalse(json.contains("SECRET\""), json);
        assertTrue(json.contains("randval SECRET2"), "text that only looks like the field stays");
        assertTrue(json.contains("a&lt;b"), "escaped");
        String hash = Html.stored("x", new DemoStore.Stored("HGETALL k", "id a\nrandval SECRET\na:note \"randval X\"\n",
                false));
        assertFalse(hash.contains("SECRET"), hash);
        assertTrue(hash.contains("a:note &quot;randval X&quot;"), hash);
        assertTrue(Html.stored("x", null).contains("id=\"stored-gone\""));
    }

    @Test
    @DisplayName("an unusable key is refused naming its source, never showing it")
    void badKeys(@TempDir Path dir) throws IOException {
        String shortKey = "c2hvcnQ=";
        String message = assertThrows(IllegalArgumentException.class,
                () -> SigningKeySource.load(dir, Map.of(SigningKeySource.KEY_VARIABLE, shortKey))).getMessage();
        assertTrue(message.startsWith("unusable signing key in SATCHEL_SIGNING_KEY"), message);
        assertTrue(!message.contains(shortKey));
        Files.writeString(dir.resolve(SigningKeySource.KEY_FILE), "not base64 at all!");
        message = assertThrows(IllegalArgumentException.class, () -> SigningKeySource.load(dir, Map.of())).getMessage();
        assertTrue(message.contains("delete it to generate a new key"), message);
    }

    @Test
    @DisplayName("HTML escaping, form fields and user names")
    void escapingAndNames() {
        assertEquals("&lt;a href=&quot;x&quot;&gt;&amp;&#39;", Html.escape("<a href=\"x\">&'"));
        assertEquals("alice", DemoHandler.field("x=1&user=alice&user=bob", "user"), "the first one counts");
        assertEquals("al ice", DemoHandler.field("user=al%20ice", "user"));
        assertEquals(null, DemoHandler.field("user=%zz", "user"), "a broken escape");
        assertEquals(null, DemoHandler.field("username=alice", "user"));
        assertEquals(null, DemoHandler.field("user=" + "a".repeat(5000), "user"));
        assertEquals(null, DemoHandler.field(null, "user"));
        assertTrue(DemoHandler.isUserName("alice.b_c-9"));
        assertTrue(!DemoHandler.isUserName(".hidden"));
        assertTrue(!DemoHandler.isUserName("al ice"));
        assertTrue(!DemoHandler.isUserName("a".repeat(33)));
        assertTrue(!DemoHandler.isUserName(""));
    }
}
