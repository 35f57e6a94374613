package dev.plinth.core.resources;

import dev.plinth.core.PlinthException;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plinth.core.context.RequestContext;
import dev.plinth.core.routing.Routing;
import dev.plinth.backends.Partition;
import dev.plinth.backends.ResourceStore;
import dev.plinth.backends.StoreRegistry;
import dev.plinth.datasync.model.Json;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * Reads and writes resources of a kind for a resolved context: the backend comes from the
 * routing spine (never chosen here), the partition from the context's tenant and env.
 *
 * <p>One door per capability: the generic methods serve only kinds that no Plinth service
 * owns (a kind's {@code service} is data) and that are stored here (not {@code external});
 * a service reaches its own kinds through {@link #serviceDoor}. Each model owns its
 * operations: only documents are PUT and DELETEd; every other model changes only through
 * {@link #operate}, whose bounds are data ({@link ResourceLimits}).
 */
public final class ResourceService {

    /** Where an operation went, for response headers. */
    public record Placement(String backendId, String routeId, String scope) {}

    public record Read(Optional<String> json, Placement placement) {}

    public record Deleted(boolean existed, Placement placement) {}

    public record Listing(List<ResourceStore.Item> items, String nextKey, Placement placement) {}

    /** The operations of each model ({@link ModelOperation}); a document's are the plain PUT and DELETE. */
    public static final Map<String, Set<String>> OPERATIONS = ModelOperation.byModel();

    private static final int MAX_RANGE = 1_000;

    private final Routing routing;
    private final StoreRegistry stores;
    private final java.time.Clock clock;

    public ResourceService(Routing routing, StoreRegistry stores, java.time.Clock clock) {
        this.routing = routing;
        this.stores = stores;
        this.clock = clock;
    }

    private record Target(ResourceStore store, Partition partition, Placement placement, String model, ResourceLimits limits) {}

    /** The kind's backend through the generic door: refused for service-owned and external kinds. */
    private Target target(RequestContext context, String kind) {
        Routing.Resolved r = routing.backendFor(context, kind);
        if (r.service() != null) {
            throw new PlinthException.Refused("KIND_NOT_SERVED", "resource kind " + kind + " belongs to the " + r.service()
                    + " service and is reachable only through its API (/v1/" + r.service() + "/…), where its rules apply");
        }
        return resolved(context, kind, r);
    }

    private Target resolved(RequestContext context, String kind, Routing.Resolved r) {
        if ("external".equals(r.model())) {
            throw new PlinthException.Invalid("KIND_NOT_SERVED", "resource kind " + kind
                    + " is stored outside Plinth; ask GET /v1/routes/" + kind + " where it lives");
        }
        return new Target(stores.storeFor(r.backend()), new Partition(context.tenantId(), context.env(), kind),
                new Placement(r.backend().id(), r.route().id(), r.scope()), r.model(), ResourceLimits.of(routing.snapshot()));
    }

    /**
     * The door of a Plinth service to the kinds it owns: the same stores and routing, none of
     * the generic API's refusals, and refused for any kind the service does not own.
     */
    public ServiceDoor serviceDoor(String service) {
        return new ServiceDoor(service);
    }

    /** What a service does with its own kinds; its API applies its rules before calling. */
    public final class ServiceDoor {
        private final String service;

        private ServiceDoor(String service) {
            this.service = service;
        }

        private Target target(RequestContext context, String kind) {
            Routing.Resolved r = routing.backendFor(context, kind);
            if (!service.equals(r.service())) {
                throw new PlinthException.Unavailable("KIND_MISCONFIGURED", "resource kind " + kind + " must be owned by the "
                        + service + " service (resource_kinds/" + kind + ".service), is " + r.service());
            }
            return resolved(context, kind, r);
        }

        public Optional<String> get(RequestContext context, String kind, String key) {
            Target t = target(context, kind);
            return t.store().get(t.partition(), key);
        }

        /** @param idempotencyKey the client's Idempotency-Key, or null */
        public Placement put(RequestContext context, String kind, String key, String json, String idempotencyKey) {
            Target t = requireModel(target(context, kind), kind, "document");
            t.store().put(t.partition(), key, checkSize(t, json), idempotency(context, t, idempotencyKey, "PUT " + kind + "/" + key + " " + json));
            return t.placement();
        }

        /** @param idempotencyKey the client's Idempotency-Key, or null */
        public Placement append(RequestContext context, String kind, String key, String json, String idempotencyKey) {
            Target t = requireModel(target(context, kind), kind, "event_log");
            t.store().append(t.partition(), key, checkSize(t, json), clock.millis(),
                    idempotency(context, t, idempotencyKey, "APPEND " + kind + "/" + key + " " + json));
            return t.placement();
        }

        public AutoCloseable subscribe(RequestContext context, String kind, String key, long fromMillis,
                                       Consumer<ResourceStore.Event> onEvent) {
            Target t = requireModel(target(context, kind), kind, "event_log");
            return t.store().subscribe(t.partition(), key, fromMillis, onEvent);
        }
    }

    private static Target requireModel(Target t, String kind, String model) {
        if (!model.equals(t.model())) {
            throw new PlinthException.Unavailable("KIND_MISCONFIGURED", "resource kind " + kind + " must have model " + model + ", has " + t.model());
        }
        return t;
    }

    private static String checkSize(Target t, String json) {
        int bytes = json.getBytes(StandardCharsets.UTF_8).length;
        if (bytes > t.limits().maxValueBytes()) {
            throw new PlinthException.TooLarge("VALUE_TOO_LARGE", "the value is " + bytes + " bytes; "
                    + ResourceLimits.PATH + ".max_value_bytes allows " + t.limits().maxValueBytes());
        }
        return json;
    }

    /** The idempotency record of a request, or null without a key; scoped to the caller, tenant and env. */
    private static ResourceStore.Idempotency idempotency(RequestContext context, Target t, String clientKey, String request) {
        if (clientKey == null) {
            return null;
        }
        String id = Idempotency.scopedId(context, clientKey);
        return new ResourceStore.Idempotency(id, Idempotency.sha256(request), t.limits().idempotencyTtlSeconds() * 1000);
    }

    /**
     * Runs a model operation atomically on the routed backend and answers its outcome.
     *
     * @param idempotencyKey the client's Idempotency-Key, or null
     * @throws PlinthException {@code OPERATION_NOT_SUPPORTED} when the kind's model has no such
     *                          operation, {@code VALIDATION_FAILED} for arguments missing or out of
     *                          their bounds (data: {@link ResourceLimits}); {@code LOCK_HELD},
     *                          {@code LOCK_NOT_HELD}, {@code INSUFFICIENT_BUDGET} when the
     *                          operation's condition does not hold
     */
    public Outcome operate(RequestContext context, String kind, String key, Operation op, String idempotencyKey) {
        Target t = target(context, kind);
        Set<String> offered = OPERATIONS.getOrDefault(t.model(), Set.of());
        if (!offered.contains(op.name())) {
            throw new PlinthException.Invalid("OPERATION_NOT_SUPPORTED", "resource kind " + kind + " (model " + t.model()
                    + ") has no operation '" + op.name() + "'; it offers " + (offered.isEmpty() ? "PUT, GET and DELETE" : new TreeSet<>(offered)));
        }
        ResourceLimits limits = t.limits();
        // The typed operation is the request's fingerprint: equal arguments, however the body was written.
        var idem = idempotency(context, t, idempotencyKey, "POST " + kind + "/" + key + "/" + op);
        ResourceStore store = t.store();
        Partition p = t.partition();
        String backend = t.placement().backendId();
        long now = clock.millis();
        return switch (op) {
            case Operation.Increment o -> new Outcome.Value(store.increment(p, key,
                    bounded("by", o.by(), 1L, -limits.maxAmount(), limits.maxAmount()), idem), backend);
            case Operation.Acquire o -> {
                ResourceStore.LockState l = store.acquire(p, key, owner(o.owner()), ttl(o.ttlMs(), limits), now, idem);
                if (!l.acquired()) {
                    throw new PlinthException.Conflict("LOCK_HELD", kind + "/" + key + " is held by " + l.owner()
                            + " until " + java.time.Instant.ofEpochMilli(l.expiresAtMillis()));
                }
                yield new Outcome.Acquired(true, l.fencingToken(), l.expiresAtMillis(), backend);
            }
            case Operation.Renew o -> {
                long ttl = ttl(o.ttlMs(), limits);
                if (!store.renew(p, key, owner(o.owner()), token(o.fencingToken()), ttl, now, idem)) {
                    throw new PlinthException.Conflict("LOCK_NOT_HELD", kind + "/" + key + " is not held by this owner and token");
                }
                yield new Outcome.Renewed(true, now + ttl, backend);
            }
            case Operation.Release o -> {
                if (!store.release(p, key, owner(o.owner()), token(o.fencingToken()), now, idem)) {
                    throw new PlinthException.Conflict("LOCK_NOT_HELD", kind + "/" + key + " is not held by this owner and token");
                }
                yield new Outcome.Released(true, backend);
            }
            case Operation.Debit o -> {
                ResourceStore.Debit d = store.debit(p, key, bounded("amount", o.amount(), null, 1, limits.maxAmount()), idem);
                if (!d.applied()) {
                    throw new PlinthException.Conflict("INSUFFICIENT_BUDGET", kind + "/" + key + " has " + d.remaining() + " remaining");
                }
                yield new Outcome.Remaining(d.remaining(), backend);
            }
            case Operation.Credit o -> new Outcome.Remaining(
                    store.credit(p, key, bounded("amount", o.amount(), null, 1, limits.maxAmount()), idem), backend);
            case Operation.Append o -> {
                if (o.event() == null || o.event().isNull()) {
                    throw new PlinthException.Invalid("VALIDATION_FAILED", "'event' is required (any JSON)");
                }
                store.append(p, key, checkSize(t, o.event().toString()), now, idem);
                yield new Outcome.Appended(true, now, backend);
            }
            case Operation.Range o -> {
                long from = bounded("from_ms", o.fromMs(), 0L, 0, ResourceStore.MAX_EXACT);
                long to = bounded("to_ms", o.toMs(), ResourceStore.MAX_EXACT, 0, ResourceStore.MAX_EXACT);
                int limit = (int) bounded("limit", o.limit(), 100L, 1, MAX_RANGE);
                var events = new java.util.ArrayList<Outcome.Event>();
                for (ResourceStore.Event e : store.range(p, key, from, to, limit)) {
                    events.add(new Outcome.Event(e.atMillis(), eventJson(e.json())));
                }
                yield new Outcome.Events(List.copyOf(events), backend);
            }
            case Operation.Take o -> {
                long capacity = bounded("capacity", o.capacity(), null, 1, limits.maxAmount());
                Double rate = o.refillPerSecond();
                if (rate == null || !Double.isFinite(rate) || rate < 0 || rate > limits.maxAmount()) {
                    throw new PlinthException.Invalid("VALIDATION_FAILED", "'refill_per_second' is required (a number from 0 to "
                            + limits.maxAmount() + ")");
                }
                ResourceStore.Take r = store.take(p, key, capacity, rate, bounded("tokens", o.tokens(), 1L, 1, capacity), now, idem);
                yield new Outcome.Taken(r.allowed(), r.remaining(), backend);
            }
            case Operation.Unknown u -> throw new IllegalStateException("no model offers " + u.name());
        };
    }

    /** An integer argument, its default when absent, checked against its bounds. */
    private static long bounded(String field, Long value, Long fallback, long min, long max) {
        if (value == null) {
            if (fallback == null) {
                throw new PlinthException.Invalid("VALIDATION_FAILED", "'" + field + "' is required (an integer from " + min + " to " + max + ")");
            }
            return fallback;
        }
        if (value < min || value > max) {
            throw new PlinthException.Invalid("VALIDATION_FAILED", "'" + field + "' must be an integer from " + min + " to " + max
                    + ", was " + value);
        }
        return value;
    }

    private static long ttl(Long ttlMs, ResourceLimits limits) {
        return bounded("ttl_ms", ttlMs, Math.min(30_000L, limits.maxLockTtlMillis()), 1, limits.maxLockTtlMillis());
    }

    private static long token(Long fencingToken) {
        return bounded("fencing_token", fencingToken, null, 1, ResourceStore.MAX_EXACT);
    }

    private static String owner(String owner) {
        if (owner == null || owner.isBlank() || owner.length() > 200) {
            throw new PlinthException.Invalid("VALIDATION_FAILED", "'owner' is required (a string of 1 to 200 characters)");
        }
        return owner;
    }

    private static JsonNode eventJson(String json) {
        try {
            return Json.MAPPER.readTree(json);
        } catch (java.io.IOException ex) {
            return Json.MAPPER.getNodeFactory().textNode(json);
        }
    }

    /**
     * Copies a tenant's resources of one kind from backend A to backend B, every allowed env,
     * page by page, so a route can be flipped without losing data. Existing keys on B are
     * overwritten; event-log events are not copied (only the resources' documents).
     *
     * @return keys copied per env
     */
    public Map<String, Integer> copy(String tenantId, String kind, String fromBackend, String toBackend) {
        if (fromBackend.equals(toBackend)) {
            throw new PlinthException.Invalid("VALIDATION_FAILED", "from_backend and to_backend are the same");
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
                    to.put(p, item.key(), item.json(), null);
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

    public Read get(RequestContext context, String kind, String key) {
        Target t = target(context, kind);
        return new Read(t.store().get(t.partition(), key), t.placement());
    }

    /** Writes a document without an idempotency key. */
    public Placement put(RequestContext context, String kind, String key, String json) {
        return put(context, kind, key, json, null);
    }

    /** Writes a document; other models are changed only by their operations. */
    public Placement put(RequestContext context, String kind, String key, String json, String idempotencyKey) {
        Target t = documentsOnly(target(context, kind), kind, "PUT");
        t.store().put(t.partition(), key, checkSize(t, json), idempotency(context, t, idempotencyKey, "PUT " + kind + "/" + key + " " + json));
        return t.placement();
    }

    public Deleted delete(RequestContext context, String kind, String key, String idempotencyKey) {
        Target t = documentsOnly(target(context, kind), kind, "DELETE");
        return new Deleted(t.store().delete(t.partition(), key, idempotency(context, t, idempotencyKey, "DELETE " + kind + "/" + key)),
                t.placement());
    }

    private static Target documentsOnly(Target t, String kind, String method) {
        if (!"document".equals(t.model())) {
            throw new PlinthException.Invalid("OPERATION_NOT_SUPPORTED", "resource kind " + kind + " (model " + t.model()
                    + ") is not a document: " + method + " is refused so its invariants hold; use its operations "
                    + new TreeSet<>(OPERATIONS.get(t.model())) + " (POST /v1/resources/" + kind + "/{key}/{op})");
        }
        return t;
    }

    public Listing list(RequestContext context, String kind, String prefix, String pageToken, long pageSize) {
        if (pageSize < 1 || pageSize > 500) {
            throw new PlinthException.Invalid("MALFORMED_REQUEST", "page_size must be 1..500, was " + pageSize);
        }
        Target t = target(context, kind);
        int size = (int) pageSize;
        List<ResourceStore.Item> items = t.store().list(t.partition(), prefix == null ? "" : prefix, pageToken, size + 1);
        String next = null;
        if (items.size() > size) {
            items = items.subList(0, size);
            next = items.get(size - 1).key();
        }
        return new Listing(items, next, t.placement());
    }
}
