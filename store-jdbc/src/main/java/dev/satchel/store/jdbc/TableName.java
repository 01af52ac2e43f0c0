package dev.satchel.store.jdbc;

/**
 * A validated table name, optionally qualified ({@code schema.table}). It becomes part of SQL text, so
 * only plain identifiers pass: {@code [a-z_][a-z0-9_]*}, at most {@value #MAX_PART} characters a part.
 * Lowercase only, so the quoted name the store uses and the unquoted name a person types in {@code psql}
 * or {@code mariadb} are the same table. Immutable.
 */
final class TableName {

    /** Longest part: PostgreSQL's identifier limit (63) less the longest index-name suffix added to it. */
    static final int MAX_PART = 48;

    /** The schema or database, or {@code null}. */
    final String qualifier;
    /** The table itself, unqualified: the stem of its index names. */
    final String name;

    private TableName(String qualifier, String name) {
        this.qualifier = qualifier;
        this.name = name;
    }

    /**
     * Validates {@code text}.
     *
     * @throws IllegalArgumentException naming the rule it breaks, if it is not a plain, optionally qualified
     *     lowercase identifier
     */
    static TableName of(String text) {
        if (text == null) {
            throw new NullPointerException("tableName");
        }
        int dot = text.indexOf('.');
        if (dot < 0) {
            return new TableName(null, checked(text, text));
        }
        return new TableName(checked(text.substring(0, dot), text), checked(text.substring(dot + 1), text));
    }

    /** The name as SQL text, each part quoted with {@code quote} (so even a reserved word works). */
    String quoted(char quote) {
        String q = quote + name + quote;
        return qualifier == null ? q : quote + qualifier + quote + '.' + q;
    }

    private static String checked(String part, String whole) {
        if (part.isEmpty() || part.length() > MAX_PART) {
            throw new IllegalArgumentException("table name must be an identifier of 1 to " + MAX_PART
                    + " characters, optionally qualified as schema.table; was " + describe(whole));
        }
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            boolean letter = (c >= 'a' && c <= 'z') || c == '_';
            if (!letter && (i == 0 || c < '0' || c > '9')) {
                throw new IllegalArgumentException("table name may hold only lowercase letters a-z, digits and _, "
                        + "and may not start with a digit; was " + describe(whole));
            }
        }
        return part;
    }

    /** The rejected name for the message, quoted and cut short: it may be anything. */
    private static String describe(String text) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < text.length() && i < 64; i++) {
            char c = text.charAt(i);
            b.append(c >= 0x20 && c < 0x7f ? String.valueOf(c) : String.format("\\u%04x", (int) c));
        }
        return b.append(text.length() > 64 ? "…\"" : "\"").toString();
    }

    @Override
    public String toString() {
        return qualifier == null ? name : qualifier + '.' + name;
    }
}
