package dev.plinth.core.resources;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The operations of the resource models, their bodies and answers: the one table that the
 * service's dispatch ({@link ResourceService#OPERATIONS}), the OpenAPI document and
 * {@code docs/resources.md} describe. Bounds named here are {@link ResourceLimits} entries.
 *
 * @param model   the model that offers it
 * @param name    the operation ({@code POST /v1/resources/{kind}/{key}/{name}})
 * @param request body fields: name → "type: meaning" (JSON Schema type first)
 * @param answer  answer fields on success, likewise
 * @param refused the problem codes it answers besides the common ones
 */
public record ModelOperation(String model, String name, Map<String, String> request, Map<String, String> answer, List<String> refused) {

    public static final List<ModelOperation> ALL = List.of(
            op("counter", "increment", fields("by", "integer: added, |by| <= max_amount (default 1)"),
                    fields("value", "integer: the new value"), "INTEGER_OVERFLOW"),
            op("lock", "acquire", fields("owner", "string: who takes the lock (required, 1-200 characters)",
                            "ttl_ms", "integer: the lease, 1..max_lock_ttl_ms (default 30000)"),
                    fields("acquired", "boolean: true", "fencing_token", "integer: grows with every acquisition of the key",
                            "expires_at_ms", "integer: when the lease ends (epoch ms)"), "LOCK_HELD"),
            op("lock", "renew", fields("owner", "string: the holder", "fencing_token", "integer: the holder's token",
                            "ttl_ms", "integer: the new lease (default 30000)"),
                    fields("renewed", "boolean: true", "expires_at_ms", "integer: when the lease now ends"), "LOCK_NOT_HELD"),
            op("lock", "release", fields("owner", "string: the holder", "fencing_token", "integer: the holder's token"),
                    fields("released", "boolean: true"), "LOCK_NOT_HELD"),
            op("budget", "credit", fields("amount", "integer: added, 1..max_amount (required)"),
                    fields("remaining", "integer: the new balance"), "INTEGER_OVERFLOW"),
            op("budget", "debit", fields("amount", "integer: taken only if that much remains, 1..max_amount (required)"),
                    fields("remaining", "integer: the new balance, never below zero"), "INSUFFICIENT_BUDGET"),
            op("event_log", "append", fields("event", "any: the event (required, at most max_value_bytes)"),
                    fields("appended", "boolean: true", "at_ms", "integer: its time (epoch ms)"), "VALUE_TOO_LARGE"),
            op("event_log", "range", fields("from_ms", "integer: from this time, inclusive (default 0)",
                            "to_ms", "integer: to this time, exclusive (default: no end)", "limit", "integer: 1..1000 (default 100)"),
                    fields("events", "array: [{at_ms, event}], oldest first"), null),
            op("rate_limit", "take", fields("capacity", "integer: the bucket's size, 1..max_amount (required)",
                            "refill_per_second", "number: tokens added per second, 0..max_amount (required)",
                            "tokens", "integer: taken if available, 1..capacity (default 1)"),
                    fields("allowed", "boolean: whether they were taken", "remaining", "number: tokens left"), null));

    /** The models and the operations each offers; a document's are the plain PUT and DELETE. */
    public static Map<String, Set<String>> byModel() {
        var out = new LinkedHashMap<String, Set<String>>();
        out.put("document", Set.of());
        for (ModelOperation o : ALL) {
            out.computeIfAbsent(o.model(), m -> new TreeSet<>()).add(o.name());
        }
        out.replaceAll((m, ops) -> Set.copyOf(ops));
        return Map.copyOf(out);
    }

    private static ModelOperation op(String model, String name, Map<String, String> request, Map<String, String> answer, String refused) {
        return new ModelOperation(model, name, request, answer, refused == null ? List.of() : List.of(refused));
    }

    private static Map<String, String> fields(String... pairs) {
        var out = new LinkedHashMap<String, String>();
        for (int i = 0; i < pairs.length; i += 2) {
            out.put(pairs[i], pairs[i + 1]);
        }
        return java.util.Collections.unmodifiableMap(out);
    }
}
