package dev.plinth.core.routing;

import dev.plinth.core.PlinthException;
import dev.plinth.core.inputs.BackendInput;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plinth.core.context.Decisions;
import dev.plinth.core.context.RequestContext;
import dev.plinth.datasync.model.Json;
import dev.plinth.datasync.model.Records.Backend;
import dev.plinth.datasync.model.Records.Route;
import dev.plinth.datasync.model.Snapshot;
import dev.plinth.engine.api.PolicyEngine;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Answers "which backend serves this kind for this context" from data, through the policy.
 * Java gathers the candidate routes (those whose scope matches the context: at most 16
 * look-ups) and the backends they name; {@code plinth/routing/backend} picks the most
 * specific, or says why there is none ({@code ROUTE_MISSING} naming the kind and the
 * scopes tried, {@code UNKNOWN_KIND}, {@code BACKEND_UNAVAILABLE}).
 */
public final class Routing {

    public static final String ENTRYPOINT = BackendInput.ENTRYPOINT;

    /**
     * A routing answer: the backend and the route that chose it.
     *
     * @param service the Plinth service that owns the kind's data, or null for a kind served by the resource API
     */
    public record Resolved(String kind, String model, String service, Backend backend, Route route, String scope, long dataRevision) {}

    private final Supplier<Optional<Snapshot>> snapshots;
    private final Supplier<PolicyEngine> engine;

    public Routing(Supplier<Optional<Snapshot>> snapshots, Supplier<PolicyEngine> engine) {
        this.snapshots = snapshots;
        this.engine = engine;
    }

    /** @throws PlinthException with the policy's status and code when no backend can serve */
    public Resolved backendFor(RequestContext context, String kind) {
        Snapshot s = snapshots.get().orElseThrow(() -> new PlinthException.NotReady("NOT_READY", "the control plane is not loaded yet"));
        List<Route> candidates = s.matchingRoutes(kind, context.tenantId(), context.surfaceId(), context.appId(), context.projectId());
        var named = new java.util.LinkedHashMap<String, Backend>();
        for (Route r : candidates) {
            Backend b = s.entities().backends().get(r.backend());
            if (b != null) {
                named.put(b.id(), b);
            }
        }
        // Everything the decision depends on: equal inputs, equal decisions (the decision cache key).
        var input = new BackendInput(kind, s.entities().resourceKinds().get(kind),
                new BackendInput.Context(context.tenantId(), context.surfaceId(), context.appId(), context.projectId()),
                candidates, named);
        JsonNode decision = Decisions.enforce(ENTRYPOINT, () -> engine.get().evaluateCached(ENTRYPOINT, input, () -> Json.MAPPER.valueToTree(input)));
        Route route = s.entities().routes().get(decision.path("route_id").asText());
        Backend backend = s.entities().backends().get(decision.path("backend_id").asText());
        String service = decision.path("service").isTextual() ? decision.path("service").asText() : null;
        return new Resolved(kind, decision.path("model").asText(), service, backend, route, decision.path("scope").asText(), s.revision());
    }

    /** A backend record by id, for operations that name backends explicitly (copy). */
    public Backend backend(String id) {
        Snapshot s = snapshots.get().orElseThrow(() -> new PlinthException.NotReady("NOT_READY", "the control plane is not loaded yet"));
        Backend b = s.entities().backends().get(id);
        if (b == null) {
            throw new PlinthException.NotFound("NOT_FOUND", "backends/" + id + " does not exist");
        }
        return b;
    }

    /** The control-plane snapshot routing decides on. */
    public Snapshot snapshot() {
        return snapshots.get().orElseThrow(() -> new PlinthException.NotReady("NOT_READY", "the control plane is not loaded yet"));
    }

    /** The envs a tenant allows. */
    public List<String> allowedEnvs(String tenantId) {
        Snapshot s = snapshots.get().orElseThrow(() -> new PlinthException.NotReady("NOT_READY", "the control plane is not loaded yet"));
        return s.tenant(tenantId).map(t -> t.allowedEnvs())
                .orElseThrow(() -> new PlinthException.NotFound("NOT_FOUND", "tenants/" + tenantId + " does not exist"));
    }
}
