package dev.satchel.servlet;

import dev.satchel.Session;
import jakarta.servlet.http.HttpSessionBindingListener;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import tools.jackson.core.type.TypeReference;

/** The Java type the application declared for one attribute name: how its JSON is read back. Immutable. */
final class AttributeType {

    private final Class<?> type;
    private final TypeReference<?> reference;
    private final Class<?> raw;

    private AttributeType(Class<?> type, TypeReference<?> reference, Class<?> raw) {
        this.type = type;
        this.reference = reference;
        this.raw = raw;
    }

    static AttributeType of(Class<?> type) {
        if (type.isPrimitive()) {
            throw new IllegalArgumentException("declare the boxed type instead of " + type.getName()
                    + ": attribute values are objects");
        }
        return new AttributeType(type, null, type);
    }

    static AttributeType of(TypeReference<?> reference) {
        Type t = reference.getType();
        Type rawType = t instanceof ParameterizedType p ? p.getRawType() : t;
        return new AttributeType(null, reference, rawType instanceof Class<?> c ? c : Object.class);
    }

    /** Reads attribute {@code name} of {@code session} as this type; {@code IllegalArgumentException} if it cannot. */
    Object read(Session session, String name) {
        return type != null ? session.get(name, type) : session.get(name, reference);
    }

    /** Whether {@code value} may be stored under a name declared with this type. */
    boolean accepts(Object value) {
        return raw.isInstance(value);
    }

    /** Whether a value read back as this type can be a binding listener (so unbinding must read it). */
    boolean mayBeBindingListener() {
        return HttpSessionBindingListener.class.isAssignableFrom(raw);
    }

    @Override
    public String toString() {
        return type != null ? type.getName() : reference.getType().getTypeName();
    }
}
