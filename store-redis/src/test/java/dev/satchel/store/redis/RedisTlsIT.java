package dev.satchel.store.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.satchel.Session;
import dev.satchel.SessionManager;
import dev.satchel.SessionStoreUnavailableException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code rediss://} against a real {@code redis-server} serving TLS with a certificate of its own CA
 * (made here with {@code openssl}): trusted through {@code trustStore()} it works, with the JVM's default
 * trust store it is refused at startup, and a plain connection to the TLS port fails clearly.
 */
class RedisTlsIT {

    private static final char[] STORE_PASSWORD = "changeit".toCharArray();

    @TempDir
    static Path certs;

    private static RedisServer redis;
    private static int tlsPort;
    private static Path trustStore;

    @BeforeAll
    static void startTlsRedis() throws Exception {
        // A missing tool fails loudly: nothing here is skipped.
        assertTrue(openssl(), "openssl is required: apt-get install openssl (.ci/run installs it)");
        Path key = certs.resolve("server.key");
        Path cert = certs.resolve("server.crt");
        Process p = new ProcessBuilder("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                "-subj", "/CN=satchel-test", "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                "-keyout", key.toString(), "-out", cert.toString())
                .redirectErrorStream(true).redirectOutput(certs.resolve("openssl.log").toFile()).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS) && p.exitValue() == 0, "openssl made a certificate");

        trustStore = certs.resolve("trust.p12");
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, STORE_PASSWORD);
        try (InputStream in = Files.newInputStream(cert)) {
            Certificate c = CertificateFactory.getInstance("X.509").generateCertificate(in);
            ks.setCertificateEntry("satchel-test", c);
        }
        try (var out = Files.newOutputStream(trustStore)) {
            ks.store(out, STORE_PASSWORD);
        }

        tlsPort = RedisServer.freePort(false);
        redis = RedisServer.start("--tls-port", Integer.toString(tlsPort), "--tls-cert-file", cert.toString(),
                "--tls-key-file", key.toString(), "--tls-ca-cert-file", cert.toString(), "--tls-auth-clients", "no");
    }

    @AfterAll
    static void stopRedis() {
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    @DisplayName("rediss:// with the server's CA in trustStore(): sessions round-trip over TLS")
    void trustedTls() {
        try (SessionManager m = RedisSessionManager.builder()
                .uri("rediss://127.0.0.1:" + tlsPort).trustStore(trustStore, STORE_PASSWORD).build()) {
            Session s = m.newSession();
            s.put("over", "tls");
            assertTrue(m.put(s));
            Session loaded = m.get(s.id()).orElseThrow();
            assertEquals("tls", loaded.get("over"));
            loaded.put("again", 1);
            assertTrue(m.put(loaded));
            m.remove(s.id());
            assertFalse(m.exists(s.id()));
        }
    }

    @Test
    @DisplayName("rediss:// to a certificate the JVM does not trust: refused at startup")
    void untrustedCertificateIsRefused() {
        SessionStoreUnavailableException e = assertThrows(SessionStoreUnavailableException.class,
                () -> RedisSessionManager.builder().uri("rediss://127.0.0.1:" + tlsPort).build().close());
        assertTrue(e.getCause() != null, "the TLS failure is attached");
    }

    @Test
    @DisplayName("redis:// (plain text) to the TLS port: a clear failure at startup, no hang")
    void plainTextToTheTlsPortFails() {
        assertThrows(SessionStoreUnavailableException.class,
                () -> RedisSessionManager.builder().uri("redis://127.0.0.1:" + tlsPort).build().close());
    }

    @Test
    @DisplayName("a trust store only goes with rediss://")
    void trustStoreNeedsTls() {
        assertThrows(IllegalStateException.class, () -> RedisSessionManager.builder()
                .uri("redis://127.0.0.1:" + tlsPort).trustStore(trustStore, STORE_PASSWORD).build());
    }

    private static boolean openssl() {
        try {
            Process p = new ProcessBuilder("openssl", "version").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (java.io.IOException | InterruptedException e) {
            return false;
        }
    }
}
