package dev.satchel.store.redis;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The version part of what apply.lua publishes: {@code <id>:<version>}; anything else carries none. */
class InvalidationMessageTest {

    private static final String ID = "AAAAAAAAAAAAAAAAAAAAAA";

    @Test
    void versionOfAChange() {
        assertEquals(0, InvalidationFeed.versionOf(ID + ":0"));
        assertEquals(42, InvalidationFeed.versionOf(ID + ":42"));
        assertEquals(999_999_999_999_999_999L, InvalidationFeed.versionOf(ID + ":" + "9".repeat(18)));
    }

    @Test
    void noVersionOtherwise() {
        for (String m : new String[] {ID, ID + ":", ID + ":-1", ID + ":1a", ID + " 1", ID + ":" + "9".repeat(19),
                ID + "A:1", "short:1", ""}) {
            assertEquals(InvalidationFeed.REMOVED, InvalidationFeed.versionOf(m), m);
        }
    }
}
