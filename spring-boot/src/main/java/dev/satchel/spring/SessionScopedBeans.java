package dev.satchel.spring;

import dev.satchel.InMemorySessionManager;
import dev.satchel.Session;
import dev.satchel.SessionManager;
import dev.satchel.servlet.SatchelSessionFilter;
import java.lang.annotation.Annotation;
import java.lang.reflect.AnnotatedElement;
import java.lang.reflect.Constructor;
import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.springframework.beans.BeanUtils;
import org.springframework.beans.factory.Aware;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;

/**
 * Declares the type of every session-scoped bean ({@code @SessionScope}, {@code @Scope("session")}) to the
 * filter, so Spring's session scope stores it as JSON under {@code scopedTarget.<bean name>} and reads it
 * back as its class. A bean that cannot work that way fails the startup with what to change: a session-scoped
 * bean is data, written and read by Jackson, so it may have no injected dependencies (what is read back gets
 * none), no destroy callback (Spring would store the callback itself in the session) and must round-trip
 * through JSON (properties to write, a constructor or creator to read them with).
 */
final class SessionScopedBeans {

    /** Annotations that mark an injection point, by name: the annotation libraries need not be present. */
    private static final Set<String> INJECTION = Set.of("org.springframework.beans.factory.annotation.Autowired",
            "org.springframework.beans.factory.annotation.Value", "jakarta.inject.Inject", "jakarta.annotation.Resource");
    private static final Set<String> DESTRUCTION = Set.of("jakarta.annotation.PreDestroy");

    private SessionScopedBeans() {}

    /** Declares each session-scoped bean's type on {@code filter}. */
    static void declare(ConfigurableListableBeanFactory beans, SatchelSessionFilter.Builder filter) {
        List<String> problems = new ArrayList<>();
        try (SessionManager probeStore = InMemorySessionManager.create()) {
            for (String name : beans.getBeanDefinitionNames()) {
                BeanDefinition definition = beans.getBeanDefinition(name);
                if (!"session".equals(definition.getScope())) {
                    continue;
                }
                Class<?> type = beans.getType(name, false);
                String problem = type == null ? "its type cannot be told before it is created" : problem(definition, type, probeStore);
                if (problem != null) {
                    problems.add("'" + name + "'" + (type == null ? "" : " (" + type.getName() + ")") + ": " + problem);
                    continue;
                }
                filter.attribute(name, type);
            }
        }
        if (!problems.isEmpty()) {
            throw new IllegalStateException("Satchel stores session-scoped beans as JSON of their declared class, and "
                    + "these cannot be: " + String.join("; ", problems) + ". Keep a session-scoped bean plain data "
                    + "(fields or getters and setters, a no-argument constructor, nothing injected, no destroy method) and "
                    + "inject the services that use it elsewhere; or store the data under a declared attribute type "
                    + "instead (satchel.attribute-types.<name>=<class>, or a SatchelFilterCustomizer bean)");
        }
    }

    private static String problem(BeanDefinition definition, Class<?> type, SessionManager probeStore) {
        if (definition.getFactoryMethodName() != null) {
            return "it is made by a factory method; declare it as a class with @Component and @SessionScope";
        }
        if (definition.hasConstructorArgumentValues() || definition.hasPropertyValues()) {
            return "it is given constructor arguments or property values, which a copy read back from JSON would not get";
        }
        if (DisposableBean.class.isAssignableFrom(type) || AutoCloseable.class.isAssignableFrom(type)
                || definition.getDestroyMethodName() != null && !definition.getDestroyMethodName().isEmpty()) {
            return "it has a destroy callback, which Spring would store in the session";
        }
        if (Aware.class.isAssignableFrom(type)) {
            return "it is " + Aware.class.getSimpleName() + " (given Spring objects), which a copy read back from JSON would not be";
        }
        Constructor<?> noArgs = null;
        for (Constructor<?> c : type.getDeclaredConstructors()) {
            if (c.getParameterCount() == 0) {
                noArgs = c;
            }
        }
        if (noArgs == null) {
            return "it has no no-argument constructor (Spring would inject the arguments; a copy read back from JSON gets none)";
        }
        for (Class<?> c = type; c != null && c != Object.class; c = c.getSuperclass()) {
            for (Field f : c.getDeclaredFields()) {
                if (marked(f, INJECTION)) {
                    return "field '" + f.getName() + "' is injected, and a copy read back from JSON would have it null";
                }
            }
            for (Method m : c.getDeclaredMethods()) {
                if (marked(m, INJECTION)) {
                    return "method " + m.getName() + "() is an injection point, never called on a copy read back from JSON";
                }
                if (marked(m, DESTRUCTION)) {
                    return "method " + m.getName() + "() is a destroy callback, which Spring would store in the session";
                }
            }
        }
        // What the filter will do with it at every request: write it as JSON and read it back as its class.
        Session probe = probeStore.newSession();
        try {
            probe.put("probe", BeanUtils.instantiateClass(noArgs));
            probe.get("probe", type);
        } catch (RuntimeException e) {
            return "a new instance does not round-trip through JSON (" + e.getMessage() + ")";
        }
        return null;
    }

    private static boolean marked(AnnotatedElement element, Set<String> names) {
        for (Annotation a : element.getDeclaredAnnotations()) {
            if (names.contains(a.annotationType().getName())) {
                return true;
            }
        }
        return false;
    }
}
