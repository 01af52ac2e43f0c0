package dev.satchel.spring;

import dev.satchel.servlet.SatchelSessionFilter;

/**
 * A bean that adds to the configuration of the auto-configured {@link SatchelSessionFilter}: most often the
 * declared type of an attribute holding a class of the application, so it is read back as that class and not
 * as a {@code Map}.
 *
 * <pre>{@code
 * @Bean
 * SatchelFilterCustomizer cartType() {
 *     return filter -> filter.attribute("cart", Cart.class);
 * }
 * }</pre>
 *
 * <p>Called once, at startup, in the beans' order.
 */
@FunctionalInterface
public interface SatchelFilterCustomizer {

    /** Adds to {@code filter}; a name declared twice fails the startup. */
    void customize(SatchelSessionFilter.Builder filter);
}
