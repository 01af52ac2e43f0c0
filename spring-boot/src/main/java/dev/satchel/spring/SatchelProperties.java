package dev.satchel.spring;

import dev.satchel.CookieSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The {@code satchel.*} configuration properties. Every one is optional but a signing key
 * ({@code satchel.signing-keys} or {@code satchel.signing-keys-file}). Where a {@code server.servlet.session.*}
 * property means the same thing (the idle timeout, the cookie's name, path, domain, Secure, SameSite, Max-Age),
 * it is read when the Satchel property is not set.
 *
 * <p>Bound by Spring Boot; not thread-safe while binding, read-only afterwards.
 */
@ConfigurationProperties("satchel")
public class SatchelProperties {

    /**
     * Keys that sign session cookies, base64, newest first: the newest signs, every one verifies. At least 32
     * bytes each ({@code head -c 32 /dev/urandom | base64}). From the environment: {@code SATCHEL_SIGNING_KEYS}
     * (comma-separated).
     */
    private List<String> signingKeys = new ArrayList<>();

    /**
     * A file holding the signing keys instead, one base64 key per line, newest first (blank lines and lines
     * starting with '#' are skipped). Keep it readable by the application only.
     */
    private Path signingKeysFile;

    /**
     * How long a session may go unused before it expires. Default: {@code server.servlet.session.timeout}, else
     * 30 minutes.
     */
    private Duration idleTimeout;

    /** How long a session may live however active it is; 0 for no limit (not recommended). Default 12 hours. */
    private Duration absoluteTimeout = Duration.ofHours(12);

    /**
     * The share of the idle timeout that must pass since the last stored access before a request that changed
     * nothing writes the access time; 0 writes on every request.
     */
    private double touchThreshold = 0.1;

    private final Store store = new Store();
    private final Cache cache = new Cache();
    private final Cookie cookie = new Cookie();
    private final Filter filter = new Filter();
    private final Security security = new Security();

    /**
     * Declared attribute types: the attribute name and the class its JSON is read back as, for example
     * {@code satchel.attribute-types.cart=com.example.Cart}. An attribute without one comes back JSON-shaped
     * (a Map, a List, a String, a number, a Boolean).
     */
    private Map<String, Class<?>> attributeTypes = new LinkedHashMap<>();

    public List<String> getSigningKeys() {
        return signingKeys;
    }

    public void setSigningKeys(List<String> signingKeys) {
        this.signingKeys = signingKeys;
    }

    public Path getSigningKeysFile() {
        return signingKeysFile;
    }

    public void setSigningKeysFile(Path signingKeysFile) {
        this.signingKeysFile = signingKeysFile;
    }

    public Duration getIdleTimeout() {
        return idleTimeout;
    }

    public void setIdleTimeout(Duration idleTimeout) {
        this.idleTimeout = idleTimeout;
    }

    public Duration getAbsoluteTimeout() {
        return absoluteTimeout;
    }

    public void setAbsoluteTimeout(Duration absoluteTimeout) {
        this.absoluteTimeout = absoluteTimeout;
    }

    public double getTouchThreshold() {
        return touchThreshold;
    }

    public void setTouchThreshold(double touchThreshold) {
        this.touchThreshold = touchThreshold;
    }

    public Store getStore() {
        return store;
    }

    public Cache getCache() {
        return cache;
    }

    public Cookie getCookie() {
        return cookie;
    }

    public Filter getFilter() {
        return filter;
    }

    public Security getSecurity() {
        return security;
    }

    public Map<String, Class<?>> getAttributeTypes() {
        return attributeTypes;
    }

    public void setAttributeTypes(Map<String, Class<?>> attributeTypes) {
        this.attributeTypes = attributeTypes;
    }

    /** Where sessions are kept. */
    public static class Store {

        /**
         * The store, by URI, opened through the store modules on the class path (dev.satchel.SessionManagers):
         * {@code memory:/} (this process only), {@code file:/var/lib/app/sessions}, {@code redis://host:6379/0},
         * {@code rediss://...}, {@code riak://host:8098}, {@code postgresql://...}, {@code mariadb://...}; or
         * {@code datasource:} for the application's DataSource bean (satchel-store-jdbc), {@code datasource:name}
         * for the DataSource bean of that name. A SessionManager bean of the application's own replaces it.
         */
        private String uri = "memory:/";

        private final Jdbc jdbc = new Jdbc();

        public Jdbc getJdbc() {
            return jdbc;
        }

        public String getUri() {
            return uri;
        }

        public void setUri(String uri) {
            this.uri = uri;
        }

        /** The table of a {@code datasource:} store (satchel-store-jdbc). */
        public static class Jdbc {

            /** The table: lowercase letters, digits and _, optionally schema.table. */
            private String table = "satchel_sessions";

            /**
             * Whether startup creates the table and its indexes when missing (CREATE ... IF NOT EXISTS). Off: the
             * table comes from the application's migrations (JdbcSessionManager.schemaSql gives the DDL).
             */
            private boolean createSchema;

            public String getTable() {
                return table;
            }

            public void setTable(String table) {
                this.table = table;
            }

            public boolean isCreateSchema() {
                return createSchema;
            }

            public void setCreateSchema(boolean createSchema) {
                this.createSchema = createSchema;
            }
        }
    }

    /** The in-memory cache in front of the store (satchel-store-caching, when on the class path). */
    public static class Cache {

        /** Whether to cache; default: on for every store but {@code memory:}. */
        private Boolean enabled;

        /** The most sessions cached. */
        private long maximumSize = 10_000;

        /**
         * How long a cached session is trusted before it is read again: the longest another node's change goes
         * unseen here. Default 1 second, 1 minute over a store that pushes invalidations (Redis).
         */
        private Duration maxStaleness;

        public Boolean getEnabled() {
            return enabled;
        }

        public void setEnabled(Boolean enabled) {
            this.enabled = enabled;
        }

        public long getMaximumSize() {
            return maximumSize;
        }

        public void setMaximumSize(long maximumSize) {
            this.maximumSize = maximumSize;
        }

        public Duration getMaxStaleness() {
            return maxStaleness;
        }

        public void setMaxStaleness(Duration maxStaleness) {
            this.maxStaleness = maxStaleness;
        }
    }

    /**
     * The session cookie. Each property not set here is read from {@code server.servlet.session.cookie.*}; the
     * default is {@code __Host-SID}: Secure, HttpOnly, SameSite=Lax, Path=/, no Domain. HttpOnly is always on.
     */
    public static class Cookie {

        /** The cookie's name; a cookie without Secure needs a name of its own (the __Host- prefix requires Secure). */
        private String name;

        /** Whether the cookie is sent over HTTPS only. Turn it off for plain-HTTP development only. */
        private Boolean secure;

        /** The SameSite attribute. */
        private CookieSpec.SameSite sameSite;

        /** The Path attribute. */
        private String path;

        /** The Domain attribute (none by default: the host only). */
        private String domain;

        /** The Max-Age attribute; none by default (the cookie ends with the browser session). */
        private Duration maxAge;

        public String getName() {
            return name;
        }

        public void setName(String name) {
            this.name = name;
        }

        public Boolean getSecure() {
            return secure;
        }

        public void setSecure(Boolean secure) {
            this.secure = secure;
        }

        public CookieSpec.SameSite getSameSite() {
            return sameSite;
        }

        public void setSameSite(CookieSpec.SameSite sameSite) {
            this.sameSite = sameSite;
        }

        public String getPath() {
            return path;
        }

        public void setPath(String path) {
            this.path = path;
        }

        public String getDomain() {
            return domain;
        }

        public void setDomain(String domain) {
            this.domain = domain;
        }

        public Duration getMaxAge() {
            return maxAge;
        }

        public void setMaxAge(Duration maxAge) {
            this.maxAge = maxAge;
        }
    }

    /** The servlet filter. */
    public static class Filter {

        /**
         * The filter's order: before Spring Security's filter chain (-100) and every filter that reads the
         * session or writes the response.
         */
        private int order = SatchelAutoConfiguration.DEFAULT_FILTER_ORDER;

        /** The status a request is answered with when the session store fails (unreachable, timed out). */
        private int storeFailureStatus = 503;

        public int getOrder() {
            return order;
        }

        public void setOrder(int order) {
            this.order = order;
        }

        public int getStoreFailureStatus() {
            return storeFailureStatus;
        }

        public void setStoreFailureStatus(int storeFailureStatus) {
            this.storeFailureStatus = storeFailureStatus;
        }
    }

    /** The Spring Security integration. */
    public static class Security {

        /**
         * Whether Satchel's security context repository, CSRF token repository and request cache become the
         * defaults of every HttpSecurity (what an application configures itself still wins).
         */
        private boolean enabled = true;

        public boolean isEnabled() {
            return enabled;
        }

        public void setEnabled(boolean enabled) {
            this.enabled = enabled;
        }
    }
}
