package dev.plinth.datasync.primitive;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a request body field by field, collecting every error at once and producing the
 * normalized document to store. Fields it was not asked about are reported as unknown.
 */
final class Body {
    private final Map<String, Object> in;
    private final Map<String, Object> out = new LinkedHashMap<>();
    private final List<String> errors = new ArrayList<>();

    Body(Map<String, Object> in) {
        this.in = in == null ? Map.of() : in;
    }

    Map<String, Object> out() {
        return out;
    }

    List<String> errors() {
        return errors;
    }

    /** Reports fields nobody read, so typos are errors rather than silently dropped data. */
    void rejectUnknown(Set<String> alsoAllowed) {
        for (String key : in.keySet()) {
            if (!out.containsKey(key) && !alsoAllowed.contains(key) && !read.contains(key)) {
                errors.add("unknown field '" + key + "'");
            }
        }
    }

    private final java.util.Set<String> read = new java.util.HashSet<>();

    /** Every field validation asked for, present or not. */
    Set<String> fieldsRead() {
        return java.util.Collections.unmodifiableSet(read);
    }

    private Object raw(String field) {
        read.add(field);
        return in.get(field);
    }

    void error(String message) {
        errors.add(message);
    }

    String string(String field, boolean required, int maxLength) {
        Object v = raw(field);
        if (v == null) {
            if (required) {
                errors.add("'" + field + "' is required");
            }
            return null;
        }
        if (!(v instanceof String s) || s.isBlank()) {
            errors.add("'" + field + "' must be a non-empty string");
            return null;
        }
        if (s.length() > maxLength) {
            errors.add("'" + field + "' must be at most " + maxLength + " characters");
            return null;
        }
        out.put(field, s);
        return s;
    }

    /** An optional integral number within [min, max]. */
    Long integer(String field, long min, long max) {
        Object v = raw(field);
        if (v == null) {
            return null;
        }
        if (!(v instanceof Number n) || n.doubleValue() != n.longValue() || n.longValue() < min || n.longValue() > max) {
            errors.add("'" + field + "' must be an integer from " + min + " to " + max + ", was " + v);
            return null;
        }
        out.put(field, n.longValue());
        return n.longValue();
    }

    String matching(String field, boolean required, Pattern pattern) {
        String s = string(field, required, 200);
        if (s != null && !pattern.matcher(s).matches()) {
            errors.add("'" + field + "' must match " + pattern.pattern() + ", was '" + s + "'");
            out.remove(field);
            return null;
        }
        return s;
    }

    String oneOf(String field, Set<String> allowed, String fallback) {
        Object v = raw(field);
        if (v == null) {
            if (fallback != null) {
                out.put(field, fallback);
            }
            return fallback;
        }
        if (!(v instanceof String s) || !allowed.contains(s)) {
            errors.add("'" + field + "' must be one of " + new java.util.TreeSet<>(allowed) + ", was '" + v + "'");
            return null;
        }
        out.put(field, s);
        return s;
    }

    Boolean bool(String field, Boolean fallback) {
        Object v = raw(field);
        if (v == null) {
            if (fallback != null) {
                out.put(field, fallback);
            }
            return fallback;
        }
        if (!(v instanceof Boolean b)) {
            errors.add("'" + field + "' must be true or false");
            return null;
        }
        out.put(field, b);
        return b;
    }

    List<String> strings(String field, boolean required, Pattern each, int min, int max) {
        Object v = raw(field);
        if (v == null) {
            if (required) {
                errors.add("'" + field + "' is required");
            } else {
                out.put(field, List.of());
            }
            return List.of();
        }
        if (!(v instanceof List<?> list)) {
            errors.add("'" + field + "' must be an array of strings");
            return List.of();
        }
        if (list.size() < min || list.size() > max) {
            errors.add("'" + field + "' must have " + min + " to " + max + " entries, has " + list.size());
            return List.of();
        }
        var result = new ArrayList<String>();
        for (Object o : list) {
            if (!(o instanceof String s) || (each != null && !each.matcher(s).matches())) {
                errors.add("'" + field + "' entry '" + o + "' must match " + (each == null ? "a string" : each.pattern()));
                return List.of();
            }
            if (result.contains(s)) {
                errors.add("'" + field + "' lists '" + s + "' twice");
                return List.of();
            }
            result.add(s);
        }
        out.put(field, List.copyOf(result));
        return result;
    }

    @SuppressWarnings("unchecked")
    Map<String, Object> object(String field) {
        Object v = raw(field);
        if (v == null) {
            return null;
        }
        if (!(v instanceof Map<?, ?> m)) {
            errors.add("'" + field + "' must be an object");
            return null;
        }
        out.put(field, m);
        return (Map<String, Object>) m;
    }

    Map<String, String> stringMap(String field) {
        Object v = raw(field);
        if (v == null) {
            out.put(field, Map.of());
            return Map.of();
        }
        if (!(v instanceof Map<?, ?> m) || !m.values().stream().allMatch(String.class::isInstance)) {
            errors.add("'" + field + "' must be an object of string values");
            return Map.of();
        }
        var result = new LinkedHashMap<String, String>();
        m.forEach((k, val) -> result.put(String.valueOf(k), (String) val));
        out.put(field, result);
        return result;
    }

    @SuppressWarnings("unchecked")
    List<Map<String, Object>> objects(String field) {
        Object v = raw(field);
        if (v == null) {
            out.put(field, List.of());
            return List.of();
        }
        if (!(v instanceof List<?> list) || !list.stream().allMatch(Map.class::isInstance)) {
            errors.add("'" + field + "' must be an array of objects");
            return List.of();
        }
        out.put(field, list);
        return (List<Map<String, Object>>) list;
    }
}
