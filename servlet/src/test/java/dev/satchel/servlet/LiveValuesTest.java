package dev.satchel.servlet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class LiveValuesTest {

    @ParameterizedTest(name = "{0} names")
    @ValueSource(ints = {1, 2, 3, LiveValues.LINEAR, LiveValues.LINEAR + 1, 40})
    void keepsTheVeryObjectsByNameInTheArraysAndPastThemInAMap(int n) {
        LiveValues live = new LiveValues();
        List<Object> kept = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            Object v = new StringBuilder("value " + i);
            kept.add(v);
            live.put(new String("name " + i), v); // an equal name, not the same String, finds it
        }
        for (int i = 0; i < n; i++) {
            assertSame(kept.get(i), live.get("name " + i));
        }
        assertNull(live.get("name " + n));

        Object replaced = new StringBuilder("again");
        live.put("name 0", replaced);
        assertSame(replaced, live.get("name 0"));

        live.remove("name 0");
        live.remove("absent");
        assertNull(live.get("name 0"));
        for (int i = 1; i < n; i++) {
            assertSame(kept.get(i), live.get("name " + i), "the others stay after a remove");
        }
        assertEquals(n > 1, live.anyValue(v -> v == kept.get(n - 1)));
        assertFalse(live.anyValue(v -> v == replaced));
    }

    @Test
    void aRemovedNameCanBeKeptAgainAndAnEmptyOneFindsNothing() {
        LiveValues live = new LiveValues();
        assertNull(live.get("user"));
        assertFalse(live.anyValue(v -> true));
        live.put("user", "ann");
        live.put("visits", 1);
        live.remove("user");
        live.put("user", "bob");
        assertEquals("bob", live.get("user"));
        assertEquals(1, live.get("visits"));
        assertTrue(live.anyValue(v -> v.equals(1)));
    }
}
