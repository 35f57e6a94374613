package dev.plinth.api.resources;

import dev.plinth.api.context.ProblemException;
import dev.plinth.api.context.RequestContext;
import dev.plinth.api.routing.Routing;
import dev.plinth.backends.Partition;
import dev.plinth.backends.ResourceStore;
import dev.plinth.backends.StoreRegistry;
import java.util.List;
import java.util.Optional;

/**
 * Reads and writes resources of a kind for a resolved context: the backend comes from the
 * routing spine (never chosen here), the partition from the context's tenant and env.
 * Kinds whose model is {@code external} are answered by the spine but not stored here.
 */
public final class ResourceService {

    /** Where an operation went, for response headers. */
    public record Placement(String backendId, String routeId, String scope) {}

    public record Read(Optional<String> json, Placement placement) {}

    public record Deleted(boolean existed, Placement placement) {}

    public record Listing(List<ResourceStore.Item> items, String nextKey, Placement placement) {}

    private final Routing routing;
    private final StoreRegistry stores;
    private final java.time.Clock clock;

    public ResourceService(Routing routing, StoreRegistry stores, java.time.Clock clock) {
        this.routing = routing;
        this.stores = stores;
        this.clock = clock;
    }

    /** Appends an event to a kind whose model is an event log (the chat bus) on its routed backend. */
    public Placement appendEvent(RequestContext context, String kind, String key, String json) {
        Target t = eventLog(context, kind);
        t.store().append(t.partition(), key, json, clock.millis());
        return t.placement();
    }

    /** Follows an event log (the chat bus) on its routed backend until the handle is closed. */
    public AutoCloseable subscribeEvents(RequestContext context, String kind, String key, long fromMillis,
                                         java.util.function.Consumer<ResourceStore.Event> onEvent) {
        Target t = eventLog(context, kind);
        return t.store().subscribe(t.partition(), key, fromMillis, onEvent);
    }

    private Target eventLog(RequestContext context, String kind) {
        Routing.Resolved r = routing.backendFor(context, kind);
        if (!"event_log".equals(r.model())) {
            throw new ProblemException(503, "KIND_MISCONFIGURED", "resource kind " + kind + " must have model event_log, has " + r.model());
        }
        return new Target(stores.storeFor(r.backend()), new Partition(context.tenantId(), context.env(), kind),
                new Placement(r.backend().id(), r.route().id(), r.scope()));
    }

    /** The operations each model offers besides get/put/delete/list. */
    private static final java.util.Map<String, java.util.Set<String>> OPERATIONS = java.util.Map.of(
            "counter", java.util.Set.of("increment"),
            "lock", java.util.Set.of("acquire", "renew", "release"),
            "budget", java.util.Set.of("debit", "credit"),
            "event_log", java.util.Set.of("append", "range"),
            "rate_limit", java.util.Set.of("take"));

    /**
     * Runs a model operation atomically on the routed backend and answers its JSON result.
     *
     * @throws ProblemException 400 {@code OPERATION_NOT_SUPPORTED} when the kind's model has no such
     *                          operation; 409 {@code LOCK_HELD}, {@code LOCK_NOT_HELD},
     *                          {@code INSUFFICIENT_BUDGET} when the operation's condition does not hold
     */
    public com.fasterxml.jackson.databind.node.ObjectNode operate(RequestContext context, String kind, String key, String op,
                                                                  com.fasterxml.jackson.databind.JsonNode body) {
        Routing.Resolved r = routing.backendFor(context, kind);
        if (!OPERATIONS.getOrDefault(r.model(), java.util.Set.of()).contains(op)) {
            throw new ProblemException(400, "OPERATION_NOT_SUPPORTED", "resource kind " + kind + " (model " + r.model()
                    + ") has no operation '" + op + "'; it offers " + new java.util.TreeSet<>(OPERATIONS.getOrDefault(r.model(), java.util.Set.of())));
        }
        ResourceStore store = stores.storeFor(r.backend());
        Partition p = new Partition(context.tenantId(), context.env(), kind);
        var out = dev.plinth.datasync.model.Json.MAPPER.createObjectNode();
        long now = clock.millis();
        switch (op) {
            case "increment" -> out.put("value", store.increment(p, key, number(body, "by", 1, false)));
            case "acquire" -> {
                ResourceStore.LockState l = store.acquire(p, key, text(body, "owner"), number(body, "ttl_ms", 30_000, true), now);
                if (!l.acquired()) {
                    throw new ProblemException(409, "LOCK_HELD", kind + "/" + key + " is held by " + l.owner()
                            + " until " + java.time.Instant.ofEpochMilli(l.expiresAtMillis()));
                }
                out.put("acquired", true).put("fencing_token", l.fencingToken()).put("expires_at_ms", l.expiresAtMillis());
            }
            case "renew" -> {
                long ttl = number(body, "ttl_ms", 30_000, true);
                if (!store.renew(p, key, text(body, "owner"), number(body, "fencing_token", -1, true), ttl, now)) {
                    throw new ProblemException(409, "LOCK_NOT_HELD", kind + "/" + key + " is not held by this owner and token");
                }
                out.put("renewed", true).put("expires_at_ms", now + ttl);
            }
            case "release" -> {
                if (!store.release(p, key, text(body, "owner"), number(body, "fencing_token", -1, true), now)) {
                    throw new ProblemException(409, "LOCK_NOT_HELD", kind + "/" + key + " is not held by this owner and token");
                }
                out.put("released", true);
            }
            case "debit" -> {
                ResourceStore.Debit d = store.debit(p, key, number(body, "amount", 0, true));
                if (!d.applied()) {
                    throw new ProblemException(409, "INSUFFICIENT_BUDGET", kind + "/" + key + " has " + d.remaining() + " remaining");
                }
                out.put("remaining", d.remaining());
            }
            case "credit" -> out.put("remaining", store.credit(p, key, number(body, "amount", 0, true)));
            case "append" -> {
                var event = body == null ? null : body.get("event");
                if (event == null || event.isNull()) {
                    throw new ProblemException(400, "VALIDATION_FAILED", "'event' is required (any JSON)");
                }
                store.append(p, key, event.toString(), now);
                out.put("appended", true).put("at_ms", now);
            }
            case "range" -> {
                long from = number(body, "from_ms", 0, false);
                long to = number(body, "to_ms", Long.MAX_VALUE / 2, false);
                int limit = (int) Math.min(1_000, number(body, "limit", 100, true));
                var events = out.putArray("events");
                for (ResourceStore.Event e : store.range(p, key, from, to, limit)) {
                    var o = events.addObject().put("at_ms", e.atMillis());
                    try {
                        o.set("event", dev.plinth.datasync.model.Json.MAPPER.readTree(e.json()));
                    } catch (java.io.IOException ex) {
                        o.put("event", e.json());
                    }
                }
            }
            case "take" -> {
                long capacity = number(body, "capacity", 0, true);
                var rate = body == null ? null : body.get("refill_per_second");
                if (rate == null || !rate.isNumber() || rate.asDouble() < 0) {
                    throw new ProblemException(400, "VALIDATION_FAILED", "'refill_per_second' is required (a number >= 0)");
                }
                ResourceStore.Take t = store.take(p, key, capacity, rate.asDouble(), number(body, "tokens", 1, true), now);
                out.put("allowed", t.allowed()).put("remaining", t.remaining());
            }
            default -> throw new IllegalStateException(op);
        }
        out.put("backend", r.backend().id());
        return out;
    }

    /**
     * Copies a tenant's resources of one kind from backend A to backend B, every allowed env,
     * page by page, so a route can be flipped without losing data. Existing keys on B are
     * overwritten; event-log events are not copied (only the resources' documents).
     *
     * @return keys copied per env
     */
    public java.util.Map<String, Integer> copy(String tenantId, String kind, String fromBackend, String toBackend) {
        if (fromBackend.equals(toBackend)) {
            throw new ProblemException(400, "VALIDATION_FAILED", "from_backend and to_backend are the same");
        }
        ResourceStore from = stores.storeFor(routing.backend(fromBackend));
        ResourceStore to = stores.storeFor(routing.backend(toBackend));
        var counts = new java.util.TreeMap<String, Integer>();
        for (String env : routing.allowedEnvs(tenantId)) {
            Partition p = new Partition(tenantId, env, kind);
            int copied = 0;
            String after = null;
            while (true) {
                List<ResourceStore.Item> page = from.list(p, "", after, 500);
                for (ResourceStore.Item item : page) {
                    to.put(p, item.key(), item.json());
                    copied++;
                }
                if (page.size() < 500) {
                    break;
                }
                after = page.get(page.size() - 1).key();
            }
            counts.put(env, copied);
        }
        return counts;
    }

    private static long number(com.fasterxml.jackson.databind.JsonNode body, String field, long fallback, boolean positive) {
        var v = body == null ? null : body.get(field);
        if (v == null || v.isNull()) {
            if (positive && fallback <= 0) {
                throw new ProblemException(400, "VALIDATION_FAILED", "'" + field + "' is required");
            }
            return fallback;
        }
        if (!v.canConvertToLong() || (positive && v.asLong() <= 0)) {
            throw new ProblemException(400, "VALIDATION_FAILED", "'" + field + "' must be a" + (positive ? " positive" : "n") + " integer");
        }
        return v.asLong();
    }

    private static String text(com.fasterxml.jackson.databind.JsonNode body, String field) {
        var v = body == null ? null : body.get(field);
        if (v == null || !v.isTextual() || v.asText().isBlank()) {
            throw new ProblemException(400, "VALIDATION_FAILED", "'" + field + "' is required (a string)");
        }
        return v.asText();
    }

    private record Target(ResourceStore store, Partition partition, Placement placement) {}

    private Target target(RequestContext context, String kind) {
        Routing.Resolved r = routing.backendFor(context, kind);
        if ("external".equals(r.model())) {
            throw new ProblemException(400, "KIND_NOT_SERVED", "resource kind " + kind
                    + " is stored outside Plinth; ask GET /v1/routes/" + kind + " where it lives");
        }
        return new Target(stores.storeFor(r.backend()), new Partition(context.tenantId(), context.env(), kind),
                new Placement(r.backend().id(), r.route().id(), r.scope()));
    }

    public Read get(RequestContext context, String kind, String key) {
        Target t = target(context, kind);
        return new Read(t.store().get(t.partition(), key), t.placement());
    }

    public Placement put(RequestContext context, String kind, String key, String json) {
        Target t = target(context, kind);
        t.store().put(t.partition(), key, json);
        return t.placement();
    }

    public Deleted delete(RequestContext context, String kind, String key) {
        Target t = target(context, kind);
        return new Deleted(t.store().delete(t.partition(), key), t.placement());
    }

    public Listing list(RequestContext context, String kind, String prefix, String pageToken, int pageSize) {
        if (pageSize < 1 || pageSize > 500) {
            throw new ProblemException(400, "MALFORMED_REQUEST", "page_size must be 1..500");
        }
        Target t = target(context, kind);
        List<ResourceStore.Item> items = t.store().list(t.partition(), prefix == null ? "" : prefix, pageToken, pageSize + 1);
        String next = null;
        if (items.size() > pageSize) {
            items = items.subList(0, pageSize);
            next = items.get(pageSize - 1).key();
        }
        return new Listing(items, next, t.placement());
    }
}
