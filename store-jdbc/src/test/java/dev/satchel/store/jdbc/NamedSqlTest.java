package dev.satchel.store.jdbc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.satchel.store.jdbc.NamedSql.Param;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class NamedSqlTest {

    @Test
    @DisplayName("named parameters become ? in order; casts and quoted colons stay")
    void parses() {
        NamedSql q = NamedSql.of("SELECT ':id', x::jsonb FROM t WHERE id = :id AND v = :baseVersion::bigint + :id");
        assertEquals("SELECT ':id', x::jsonb FROM t WHERE id = ? AND v = ?::bigint + ?", q.sql);
        assertArrayEquals(new Param[] {Param.ID, Param.BASE_VERSION, Param.ID}, q.positions);
    }

    @Test
    @DisplayName("an unknown name is refused")
    void unknownName() {
        assertEquals("unknown statement parameter :nope",
                assertThrows(IllegalArgumentException.class, () -> NamedSql.of("SELECT :nope")).getMessage());
    }

    @Test
    @DisplayName("every statement of both dialects parses")
    void everyStatementParses() {
        for (JdbcSessionManager.Dialect d : JdbcSessionManager.Dialect.values()) {
            SqlDialect.of(d, TableName.of("t"));
        }
    }
}
