package dev.plinth.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plinth.core.resources.Operation;
import java.lang.reflect.RecordComponent;

/**
 * Reads a model operation's JSON body into its typed {@link Operation}: each record
 * component is the snake_case field of the same name, of the component's JSON type (an
 * integral number for {@code Long}, a finite number for {@code Double}, a string, or any
 * JSON); absent or null fields are null (the service's defaults). A field of the wrong type
 * is 400 {@code VALIDATION_FAILED}; bounds are the service's to check, since they are data.
 * A name no model defines is {@link Operation.Unknown}, refused by the service with what
 * the kind's model offers.
 */
final class OperationBodies {

    private OperationBodies() {}

    static Operation read(String name, JsonNode body) {
        var type = Operation.named(name);
        if (type.isEmpty()) {
            return new Operation.Unknown(name);
        }
        RecordComponent[] components = type.get().getRecordComponents();
        Object[] args = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        for (int i = 0; i < components.length; i++) {
            types[i] = components[i].getType();
            String field = Contract.snake(components[i].getName());
            JsonNode v = body == null || !body.isObject() ? null : body.get(field);
            args[i] = v == null || v.isNull() ? null : value(field, v, types[i]);
        }
        try {
            return type.get().getDeclaredConstructor(types).newInstance(args);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot build " + type.get().getSimpleName(), e);
        }
    }

    private static Object value(String field, JsonNode v, Class<?> type) {
        if (type == Long.class) {
            if (!v.isIntegralNumber() || !v.canConvertToLong()) {
                throw invalid(field, "an integer", v);
            }
            return v.asLong();
        }
        if (type == Double.class) {
            if (!v.isNumber() || !Double.isFinite(v.asDouble())) {
                throw invalid(field, "a number", v);
            }
            return v.asDouble();
        }
        if (type == String.class) {
            if (!v.isTextual()) {
                throw invalid(field, "a string", v);
            }
            return v.asText();
        }
        return v;
    }

    private static dev.plinth.core.PlinthException invalid(String field, String what, JsonNode v) {
        String shown = v.toString();
        return new dev.plinth.core.PlinthException.Invalid("VALIDATION_FAILED", "'" + field + "' must be " + what + ", was "
                + (shown.length() > 80 ? shown.substring(0, 80) + "…" : shown));
    }
}
