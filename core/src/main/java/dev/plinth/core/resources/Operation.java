package dev.plinth.core.resources;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * A model operation, typed: what {@link ResourceService#operate} runs atomically on the
 * routed backend. A null argument takes its default; bounds (which are data,
 * {@link ResourceLimits}) are checked by the service, which also refuses an operation the
 * kind's model does not offer. The arguments are the request fields {@link ModelOperation}
 * documents (snake_case of the component names; {@code ModelOperationsTest} keeps the two in step).
 */
public sealed interface Operation {

    /** The operation's name, as in {@code POST /v1/resources/{kind}/{key}/{name}}. */
    String name();

    /** counter: adds {@code by} (default 1; may be negative). */
    record Increment(Long by) implements Operation {
        public String name() {
            return "increment";
        }
    }

    /** lock: takes the lock for {@code owner} for {@code ttlMs} (default 30 s). */
    record Acquire(String owner, Long ttlMs) implements Operation {
        public String name() {
            return "acquire";
        }
    }

    /** lock: extends the holder's lease. */
    record Renew(String owner, Long fencingToken, Long ttlMs) implements Operation {
        public String name() {
            return "renew";
        }
    }

    /** lock: lets the holder's lock go. */
    record Release(String owner, Long fencingToken) implements Operation {
        public String name() {
            return "release";
        }
    }

    /** budget: adds {@code amount}. */
    record Credit(Long amount) implements Operation {
        public String name() {
            return "credit";
        }
    }

    /** budget: takes {@code amount} only if that much remains. */
    record Debit(Long amount) implements Operation {
        public String name() {
            return "debit";
        }
    }

    /** event_log: appends an event (any JSON). */
    record Append(JsonNode event) implements Operation {
        public String name() {
            return "append";
        }
    }

    /** event_log: the events from {@code fromMs} (inclusive) to {@code toMs} (exclusive), oldest first. */
    record Range(Long fromMs, Long toMs, Long limit) implements Operation {
        public String name() {
            return "range";
        }
    }

    /** rate_limit: takes {@code tokens} (default 1) from a bucket of {@code capacity} refilled at {@code refillPerSecond}. */
    record Take(Long capacity, Double refillPerSecond, Long tokens) implements Operation {
        public String name() {
            return "take";
        }
    }

    /** A name no model defines: refused by the service with what the kind's model offers. */
    record Unknown(String name) implements Operation {}

    /** The operation records by name (not {@link Unknown}). */
    Map<String, Class<? extends Operation>> BY_NAME = byName();

    /** The record of an operation name, if one exists. */
    static Optional<Class<? extends Operation>> named(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }

    private static Map<String, Class<? extends Operation>> byName() {
        var m = new LinkedHashMap<String, Class<? extends Operation>>();
        m.put("increment", Increment.class);
        m.put("acquire", Acquire.class);
        m.put("renew", Renew.class);
        m.put("release", Release.class);
        m.put("credit", Credit.class);
        m.put("debit", Debit.class);
        m.put("append", Append.class);
        m.put("range", Range.class);
        m.put("take", Take.class);
        return java.util.Collections.unmodifiableMap(m);
    }
}
