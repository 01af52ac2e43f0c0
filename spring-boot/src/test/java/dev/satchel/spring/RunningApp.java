package dev.satchel.spring;

import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/** A Spring Boot application started by a test on a free loopback port, closed by {@link #close()}. */
final class RunningApp implements AutoCloseable {

    /** A key for tests only (32 bytes, base64). */
    static final String KEY = "c2F0Y2hlbC10ZXN0LWtleS0wMTIzNDU2Nzg5YWJjZGVm";

    final ConfigurableApplicationContext context;
    final int port;

    private RunningApp(ConfigurableApplicationContext context) {
        this.context = context;
        this.port = Integer.parseInt(context.getEnvironment().getProperty("local.server.port"));
    }

    /** Starts {@code sources} with the test defaults (port 0 on 127.0.0.1, the test key, user alice) and {@code properties}. */
    static RunningApp start(Map<String, Object> properties, Class<?>... sources) {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("server.port", "0");
        p.put("server.address", "127.0.0.1");
        p.put("satchel.signing-keys", KEY);
        p.put("spring.security.user.name", "alice");
        p.put("spring.security.user.password", "secret-password-1");
        p.put("spring.main.banner-mode", "off");
        // spring-boot-starter-jdbc is on the test class path for DataSourceStoreIT: the other apps have no database.
        p.put("spring.autoconfigure.exclude", "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration");
        p.putAll(properties);
        return new RunningApp(new SpringApplicationBuilder(sources).properties(p).run());
    }

    String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    /** GET {@code path} with {@code browser}, expecting 200; the body. */
    String get(Browser browser, String path) {
        java.net.http.HttpResponse<String> r = browser.get(url(path));
        if (r.statusCode() != 200) {
            throw new AssertionError("GET " + path + ": " + r.statusCode() + " " + r.headers().map() + " " + r.body());
        }
        return r.body();
    }

    <T> T bean(Class<T> type) {
        return context.getBean(type);
    }

    @Override
    public void close() {
        context.close();
    }
}
