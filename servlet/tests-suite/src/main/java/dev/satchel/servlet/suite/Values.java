package dev.satchel.servlet.suite;

import jakarta.servlet.http.HttpSessionBindingEvent;
import jakarta.servlet.http.HttpSessionBindingListener;
import java.util.ArrayList;
import java.util.List;

/** The attribute values the suite stores. */
public final class Values {

    private Values() {}

    /** A declared type: {@code .attribute("cart", Cart.class)}. */
    public static final class Cart {
        public List<String> items = new ArrayList<>();

        public Cart() {}

        public Cart(String... items) {
            this.items.addAll(List.of(items));
        }
    }

    /** Never declared: comes back as a Map. */
    public static final class Gift {
        public String to = "ann";
    }

    /** A declared type that hears itself bound and unbound. */
    public static final class Badge implements HttpSessionBindingListener {
        public String level;

        public Badge() {}

        public Badge(String level) {
            this.level = level;
        }

        @Override
        public void valueBound(HttpSessionBindingEvent event) {
            EventLog.record("bound " + event.getName() + " " + level);
        }

        @Override
        public void valueUnbound(HttpSessionBindingEvent event) {
            EventLog.record("unbound " + event.getName() + " " + level);
        }
    }

    /** Jackson writes it, but cannot read it back (no usable constructor). */
    public static final class Frozen {
        private final String value;

        public Frozen(String value) {
            this.value = value;
        }

        public String getValue() {
            return value;
        }
    }

    /** Cannot be written as JSON at all: it contains itself. */
    public static final class Loop {
        public Loop self = this;
    }
}
