package dev.satchel.store.jdbc;

import java.util.ArrayList;
import java.util.List;

/**
 * A statement written with named parameters ({@code :access}), turned once into JDBC's {@code ?} form and
 * the parameter at each position, so a statement that uses a value several times binds it from one place
 * and nobody counts question marks. Names are ASCII letters; a {@code :} inside a quoted literal or after
 * another {@code :} (a PostgreSQL cast {@code ::jsonb}) is left alone. Immutable.
 */
final class NamedSql {

    /** The statement as written, with named parameters. */
    final String text;
    /** The statement with every parameter replaced by {@code ?}. */
    final String sql;
    /** The parameter bound at each position, 1-based position {@code i + 1}. */
    final Param[] positions;

    /** The values a statement of this store may bind. */
    enum Param {
        ID, RANDVAL, CREATED, ACCESS, IDLE, DEADLINE_CHANGED, DEADLINE, EXPIRES_AT, PRINCIPAL_CHANGED, PRINCIPAL,
        VERSION, BASE_VERSION, FORMAT, SET_ATTRIBUTES, REMOVED_ATTRIBUTES, PATCH, NOW, LIMIT
    }

    private NamedSql(String text, String sql, Param[] positions) {
        this.text = text;
        this.sql = sql;
        this.positions = positions;
    }

    /**
     * Parses {@code text}, where each parameter is {@code :name} with {@code name} the lowercase camel-case
     * form of a {@link Param} ({@code :baseVersion} is {@link Param#BASE_VERSION}).
     *
     * @throws IllegalArgumentException if a name is not a {@link Param}
     */
    static NamedSql of(String text) {
        StringBuilder sql = new StringBuilder(text.length());
        List<Param> params = new ArrayList<>();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\'') {
                quoted = !quoted;
            }
            boolean starts = !quoted && c == ':' && i + 1 < text.length() && isLetter(text.charAt(i + 1))
                    && (i == 0 || text.charAt(i - 1) != ':');
            if (!starts) {
                sql.append(c);
                continue;
            }
            int end = i + 1;
            while (end < text.length() && isLetter(text.charAt(end))) {
                end++;
            }
            params.add(param(text.substring(i + 1, end)));
            sql.append('?');
            i = end - 1;
        }
        return new NamedSql(text, sql.toString(), params.toArray(new Param[0]));
    }

    private static Param param(String camel) {
        StringBuilder constant = new StringBuilder();
        for (int i = 0; i < camel.length(); i++) {
            char c = camel.charAt(i);
            if (Character.isUpperCase(c)) {
                constant.append('_');
            }
            constant.append(Character.toUpperCase(c));
        }
        try {
            return Param.valueOf(constant.toString());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("unknown statement parameter :" + camel, e);
        }
    }

    private static boolean isLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }
}
