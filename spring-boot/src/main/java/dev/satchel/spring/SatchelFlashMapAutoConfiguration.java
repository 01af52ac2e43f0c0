package dev.satchel.spring;

import dev.satchel.HttpSessions;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.web.servlet.DispatcherServlet;
import org.springframework.web.servlet.FlashMapManager;

/**
 * With Spring MVC: the {@code flashMapManager} bean is a {@link SatchelFlashMapManager}, so flash attributes are
 * stored as plain JSON in the Satchel session (Spring's default stores {@code FlashMap} objects, which JSON does not
 * carry). Runs before Boot's MVC auto-configuration, whose own {@code flashMapManager} then backs off; a
 * {@code flashMapManager} bean of the application's own wins over both.
 */
@AutoConfiguration(after = SatchelAutoConfiguration.class, beforeName = {
        "org.springframework.boot.webmvc.autoconfigure.WebMvcAutoConfiguration", // Boot 4
        "org.springframework.boot.autoconfigure.web.servlet.WebMvcAutoConfiguration"}) // Boot 3.5
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(DispatcherServlet.class)
@ConditionalOnBean(HttpSessions.class)
public class SatchelFlashMapAutoConfiguration {

    /** Created by Spring. */
    public SatchelFlashMapAutoConfiguration() {}

    /**
     * The flash map manager; thread-safe.
     *
     * @return the manager, under the name {@link DispatcherServlet} looks up
     */
    @Bean(name = DispatcherServlet.FLASH_MAP_MANAGER_BEAN_NAME)
    @ConditionalOnMissingBean(name = DispatcherServlet.FLASH_MAP_MANAGER_BEAN_NAME)
    public FlashMapManager flashMapManager() {
        return new SatchelFlashMapManager();
    }
}
