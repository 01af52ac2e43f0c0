package dev.satchel.store.jdbc;

import dev.satchel.spi.SessionRecord;
import dev.satchel.testkit.StoreBackdoor;
import java.util.Map;
import java.util.function.IntSupplier;

/** The testkit's backdoor into a session table: rows read and written with plain SQL, bypassing the store. */
final class RowBackdoor implements StoreBackdoor {

    /** The attributes of a planted newer-format row: a field this version does not know. */
    static final String NEWER_ATTRIBUTES = "{\"future\": \"\\\"x\\\"\"}";

    private final TestTable table;
    private final IntSupplier sweep;

    RowBackdoor(TestTable table, IntSupplier sweep) {
        this.table = table;
        this.sweep = sweep;
    }

    @Override
    public boolean isStored(String sid) {
        return table.exists(sid);
    }

    /** A row whose attribute value is an object, not a string of JSON text. */
    @Override
    public boolean plantCorrupt(String sid) {
        table.insertRaw(sid, "AAAAAAAAAAAAAAAAAAAAAA", 1, "{\"a\": {\"not\": \"a string\"}}", Long.MAX_VALUE / 2);
        return true;
    }

    /** Format version 2 and attributes this version does not know, keeping a stored row's principal. */
    @Override
    public boolean plantNewerFormat(String sid) {
        String attributes = table.dialect == JdbcSessionManager.Dialect.POSTGRESQL ? "'" + NEWER_ATTRIBUTES + "'::jsonb"
                : "'" + NEWER_ATTRIBUTES.replace("\\", "\\\\") + "'";
        if (table.exists(sid)) {
            table.execute("UPDATE {t} SET format_version = 2, version = 1000, attributes = " + attributes
                    + " WHERE id = '" + sid + "'");
        } else {
            table.insertRaw(sid, "AAAAAAAAAAAAAAAAAAAAAA", 2, NEWER_ATTRIBUTES, 0);
            table.execute("UPDATE {t} SET version = 1000 WHERE id = '" + sid + "'");
        }
        return true;
    }

    @Override
    public boolean isNewerFormatIntact(String sid) {
        Map<String, Object> row = table.row(sid);
        return row != null && ((Number) row.get("format_version")).intValue() == 2
                && ((Number) row.get("version")).longValue() == 1000
                && String.valueOf(row.get("attributes")).replace(" ", "").equals(NEWER_ATTRIBUTES.replace(" ", ""));
    }

    @Override
    public boolean persist(SessionRecord record) {
        table.insertRecord(record);
        return true;
    }

    @Override
    public int sweepExpired() {
        return sweep.getAsInt();
    }
}
