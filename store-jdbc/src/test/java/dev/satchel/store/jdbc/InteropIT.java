package dev.satchel.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.zaxxer.hikari.HikariDataSource;
import dev.satchel.Session;
import dev.satchel.spi.SessionCodec;
import dev.satchel.SessionManager;
import dev.satchel.spi.SessionAccess;
import dev.satchel.store.jdbc.JdbcSessionManager.Dialect;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.Parameter;
import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.JsonNode;

/**
 * The README, run as written: its DDL is the shipped DDL and creates the table; its statements are the
 * ones the store issues; its Python reads a session that Java stored, with one {@code SELECT}, and
 * understands it (principal, expiry and every attribute, as Java reads them).
 */
@ParameterizedClass
@EnumSource(Dialect.class)
@ExtendWith(Databases.class)
class InteropIT {

    private static final Path README = Path.of(System.getProperty("basedir", "."), "README.md");
    private static final String TABLE = JdbcSessionManager.DEFAULT_TABLE;

    @Parameter
    Dialect dialect;

    private HikariDataSource pool;
    private TestTable table;

    @BeforeEach
    void open() {
        pool = Databases.server(dialect).pool("interop", 2);
        table = TestTable.existing(dialect, pool, TABLE);
        table.close(); // drop what an earlier run left
    }

    @AfterEach
    void close() {
        table.close();
        pool.close();
    }

    @Test
    @DisplayName("the README's DDL is the shipped DDL, and it creates the table (twice: IF NOT EXISTS)")
    void readmeSchema() {
        String ddl = block("schema: " + dialect);
        assertEquals(JdbcSessionManager.schemaSql(dialect, TABLE).trim(), ddl);
        for (int i = 0; i < 2; i++) {
            for (String statement : SqlDialect.of(dialect, TableName.of(TABLE)).schemaStatements()) {
                table.execute(statement);
            }
        }
        assertEquals(0, table.count("SELECT count(*) FROM {t}"));
    }

    @Test
    @DisplayName("the README's merge statement is the one the store issues")
    void readmeStatement() {
        SqlDialect sql = SqlDialect.of(dialect, TableName.of(TABLE));
        String issued = dialect == Dialect.POSTGRESQL ? ((PostgresDialect) sql).mergeStatement()
                : ((MariaDbDialect) sql).mergeStatement();
        assertEquals(issued, block("statement: " + dialect));
    }

    @Test
    @DisplayName("the README's Python reads a session Java stored, with one SELECT, and sees what Java sees")
    void pythonReadsARow() throws Exception {
        try (SessionManager m = JdbcSessionManager.builder(pool).createSchemaIfMissing().withoutSweeper().build()) {
            Session s = m.newSession();
            s.setPrincipal("alice");
            s.put("cart", Map.of("items", List.of(Map.of("sku", "A-1", "qty", 2))));
            s.put("theme", "dark");
            s.put("ratio", -0.0);
            s.put("text", "quote \" backslash \\ NUL \u0000 é 😀");
            s.putJson("raw", "{\"b\":1,\"a\":[1.0E10]}");
            assertTrue(m.put(s));
            Session stored = m.get(s.id()).orElseThrow();

            JsonNode seen = SessionCodec.jsonMapper().readTree(python(s.id()));
            assertEquals("alice", seen.get("principal").asString());
            assertEquals(SessionAccess.record(stored).expiresAt(), seen.get("expires_at_ms").asLong());
            Map<String, JsonNode> expected = new TreeMap<>();
            for (String name : stored.attributeNames()) {
                expected.put(name, SessionCodec.jsonMapper().readTree(stored.getJson(name)));
            }
            Map<String, JsonNode> actual = new TreeMap<>();
            seen.get("attrs").properties().forEach(e -> actual.put(e.getKey(), e.getValue()));
            assertEquals(expected, actual);

            Session gone = m.newSession();
            gone.setIdleTimeout(Duration.ofMillis(1));
            gone.put("a", 1);
            assertTrue(m.put(gone));
            DatabaseServer.await("the session expired", Duration.ofSeconds(10), () -> !m.exists(gone.id()));
            assertEquals("no such session", python(gone.id()).trim(), "the SELECT skips expired rows");
        }
    }

    /** Runs the README's Python for this dialect with {@code sid}, and returns what it printed. */
    private String python(String sid) throws IOException {
        Path script = Files.createTempFile("satchel-read-", ".py");
        Path options = Files.createTempFile("satchel-", ".cnf");
        try {
            Files.writeString(script, block("read-row: " + dialect) + "\n", StandardCharsets.UTF_8);
            DatabaseServer server = Databases.server(dialect);
            Map<String, String> env = new LinkedHashMap<>();
            if (dialect == Dialect.POSTGRESQL) {
                env.put("SATCHEL_DSN", "host=127.0.0.1 port=" + server.port + " dbname=" + PostgresServer.DATABASE
                        + " user=" + PostgresServer.USER);
            } else {
                Files.writeString(options, "[client]\nhost=127.0.0.1\nport=" + server.port + "\nuser="
                        + MariaDbServer.USER + "\npassword=" + MariaDbServer.PASSWORD + "\ndatabase="
                        + MariaDbServer.DATABASE + "\n", StandardCharsets.UTF_8);
                env.put("SATCHEL_MY_CNF", options.toString());
            }
            Path python = Path.of("/usr/bin/python3");
            List<String> command = new ArrayList<>(List.of(Files.isExecutable(python) ? python.toString() : "python3",
                    script.toString(), sid));
            try {
                return DatabaseServer.run(command, env, Duration.ofSeconds(60));
            } catch (AssertionError e) {
                throw new AssertionError(e.getMessage() + "\n(the README's Python needs the Debian package "
                        + (dialect == Dialect.POSTGRESQL ? "python3-psycopg2" : "python3-pymysql") + ")", e);
            }
        } finally {
            Files.deleteIfExists(script);
            Files.deleteIfExists(options);
        }
    }

    /** The code block after the README's {@code <!-- marker -->} line, without its fences and indentation. */
    static String block(String marker) {
        List<String> lines;
        try {
            lines = Files.readAllLines(README, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AssertionError("cannot read " + README, e);
        }
        for (int i = 0; i < lines.size(); i++) {
            if (lines.get(i).trim().equals("<!-- " + marker + " -->")) {
                String fence = lines.get(i + 1);
                int indent = fence.indexOf("```");
                StringBuilder b = new StringBuilder();
                for (int j = i + 2; !lines.get(j).trim().equals("```"); j++) {
                    String line = lines.get(j);
                    b.append(line.length() >= indent ? line.substring(indent) : line.trim()).append('\n');
                }
                return b.toString().trim();
            }
        }
        throw new AssertionError("README.md has no block marked " + marker);
    }
}
