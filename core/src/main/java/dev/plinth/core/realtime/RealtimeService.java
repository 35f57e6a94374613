package dev.plinth.core.realtime;

import dev.plinth.core.PlinthException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plinth.core.context.Decisions;
import dev.plinth.core.context.RequestContext;
import dev.plinth.core.inputs.AclInput;
import dev.plinth.core.resources.ResourceService;
import dev.plinth.backends.ResourceStore;
import dev.plinth.datasync.model.Json;
import dev.plinth.engine.api.PolicyEngine;
import java.util.function.Consumer;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * Threads (with readers and writers) live in the {@code realtime_registry} kind, so their
 * ACLs are as durable as its routed backend (Firestore by default) and survive restarts.
 * Messages go to the {@code chat_bus} kind's event log on its routed backend. The ACL
 * decision is the policy's. Both kinds are owned by this service ({@code service: realtime}
 * in their kind records), so the generic resource API cannot reach around the ACL.
 */
public final class RealtimeService {

    public static final String ENTRYPOINT = AclInput.ENTRYPOINT;
    private static final Pattern THREAD_ID = Pattern.compile("^[a-z0-9][a-z0-9_-]{0,62}$");
    private static final Pattern USER_ID = Pattern.compile("^u_[a-z0-9_-]+$");

    private final ResourceService.ServiceDoor resources;
    private final Supplier<PolicyEngine> engine;
    private final Supplier<java.util.Optional<dev.plinth.datasync.model.Snapshot>> snapshots;
    /** Open streams per tenant and user on this replica. */
    private final java.util.concurrent.ConcurrentHashMap<String, Integer> open = new java.util.concurrent.ConcurrentHashMap<>();

    public RealtimeService(ResourceService resources, Supplier<PolicyEngine> engine,
                           Supplier<java.util.Optional<dev.plinth.datasync.model.Snapshot>> snapshots) {
        this.resources = resources.serviceDoor("realtime");
        this.engine = engine;
        this.snapshots = snapshots;
    }

    /** The streams' bounds, from data. */
    public StreamLimits limits() {
        return StreamLimits.of(snapshots.get().orElseThrow(() -> new PlinthException.NotReady("NOT_READY", "the control plane is not loaded yet")));
    }

    /**
     * Counts a stream the caller opens, refusing one beyond {@code max_streams_per_user}
     * (429 {@code TOO_MANY_STREAMS}); closing the handle releases it.
     */
    public AutoCloseable admitStream(RequestContext context) {
        int max = limits().maxStreamsPerUser();
        String who = context.tenantId() + "/" + context.userId();
        boolean[] admitted = {false};
        open.compute(who, (k, n) -> {
            int current = n == null ? 0 : n;
            if (current >= max) {
                return n;
            }
            admitted[0] = true;
            return current + 1;
        });
        if (!admitted[0]) {
            throw new PlinthException.TooMany("TOO_MANY_STREAMS", context.userId() + " already has " + max
                    + " streams open (" + StreamLimits.PATH + ".max_streams_per_user)");
        }
        return () -> open.computeIfPresent(who, (k, n) -> n <= 1 ? null : n - 1);
    }

    private static String key(String threadId) {
        if (threadId == null || !THREAD_ID.matcher(threadId).matches()) {
            throw new PlinthException.Invalid("VALIDATION_FAILED", "thread id must match " + THREAD_ID.pattern());
        }
        return "thread-" + threadId;
    }

    /** Creates or replaces a thread's ACL. Only writers of an existing thread, or tenant managers, may change it. */
    public ObjectNode putThread(RequestContext context, String threadId, JsonNode body, String idempotencyKey) {
        ObjectNode acl = Json.MAPPER.createObjectNode();
        for (String field : new String[] {"readers", "writers"}) {
            var list = acl.putArray(field);
            JsonNode v = body == null ? null : body.get(field);
            if (v != null && !v.isArray()) {
                throw new PlinthException.Invalid("VALIDATION_FAILED", "'" + field + "' must be an array of user ids");
            }
            if (v != null) {
                for (JsonNode u : v) {
                    if (!u.isTextual() || !USER_ID.matcher(u.asText()).matches()) {
                        throw new PlinthException.Invalid("VALIDATION_FAILED", "'" + field + "' entry " + u + " is not a user id");
                    }
                    list.add(u.asText());
                }
            }
        }
        JsonNode existing = thread(context, threadId);
        if (existing != null) {
            decide(context, "publish", existing);
        } else {
            decide(context, "publish", acl); // the creator must be able to write the thread it creates
        }
        resources.put(context, "realtime_registry", key(threadId), acl.toString(), idempotencyKey);
        return acl;
    }

    /** The thread's ACL, or null when it does not exist. */
    public JsonNode thread(RequestContext context, String threadId) {
        return resources.get(context, "realtime_registry", key(threadId)).map(json -> {
            try {
                return Json.MAPPER.readTree(json);
            } catch (java.io.IOException e) {
                throw new PlinthException.Internal("INTERNAL", "thread " + threadId + " has an unreadable ACL");
            }
        }).orElse(null);
    }

    /** The thread's ACL, if the context may do {@code action} on it; otherwise throws the policy's denial. */
    public JsonNode authorize(RequestContext context, String threadId, String action) {
        JsonNode thread = thread(context, threadId);
        decide(context, action, thread);
        return thread;
    }

    private void decide(RequestContext context, String action, JsonNode thread) {
        JsonNode input = Json.MAPPER.valueToTree(new AclInput(action, context, thread));
        Decisions.enforce(ENTRYPOINT, () -> engine.get().evaluate(ENTRYPOINT, input));
    }

    public ResourceService.Placement publish(RequestContext context, String threadId, JsonNode message, String idempotencyKey) {
        if (message == null || message.isNull()) {
            throw new PlinthException.Invalid("VALIDATION_FAILED", "'message' is required (any JSON)");
        }
        authorize(context, threadId, "publish");
        ObjectNode envelope = Json.MAPPER.createObjectNode().put("from", context.userId());
        envelope.set("message", message);
        return resources.append(context, "chat_bus", key(threadId), envelope.toString(), idempotencyKey);
    }

    public AutoCloseable subscribe(RequestContext context, String threadId, long fromMillis, Consumer<ResourceStore.Event> onEvent) {
        authorize(context, threadId, "subscribe");
        return resources.subscribe(context, "chat_bus", key(threadId), fromMillis, onEvent);
    }
}
