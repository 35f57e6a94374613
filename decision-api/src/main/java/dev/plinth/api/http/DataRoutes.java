package dev.plinth.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plinth.datasync.ControlPlane;
import dev.plinth.datasync.model.Json;
import dev.plinth.engine.api.EngineException;
import dev.plinth.engine.api.PolicyEngine;
import io.helidon.http.Method;
import io.helidon.webserver.http.ServerResponse;
import java.util.List;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * OPA's Data API over the active bundle: {@code POST /v1/data/<path>} with
 * {@code {"input": …}} answers {@code {"result": …}}, or no {@code result} when the path is
 * undefined for that input (as OPA does), plus a {@code decision_id} and provenance (bundle
 * and data revision). The path must be one of the bundle's wasm entrypoints, e.g.
 * {@code plinth/authz/decision}; a package prefix is undefined (wasm evaluates entrypoints).
 */
final class DataRoutes {

    private final Supplier<PolicyEngine> engine;
    private final ControlPlane controlPlane;

    DataRoutes(Supplier<PolicyEngine> engine, ControlPlane controlPlane) {
        this.engine = engine;
        this.controlPlane = controlPlane;
    }

    /**
     * OPA clients may ask for pretty output; the answer is the same JSON either way. OPA's
     * other options (explain, metrics, instrument) are not served here, and a request for
     * them is refused rather than answered without them.
     */
    private static final RouteSpec.Param PRETTY = RouteSpec.Param.query("pretty", "boolean",
            "accepted for OPA compatibility; has no effect");

    List<RouteSpec> routes() {
        return List.of(
                new RouteSpec(Method.POST, "/v1/data/*", null, "read", false, null,
                        "OPA Data API: evaluate a bundle entrypoint (e.g. plinth/authz/decision) with {\"input\": …}",
                        "{\"input\": {}}", this::evaluate).with(PRETTY),
                new RouteSpec(Method.GET, "/v1/data/*", null, "read", false, null,
                        "OPA Data API without input", null, this::evaluate).with(PRETTY));
    }

    private void evaluate(RouteSpec.Call call, ServerResponse res) {
        String full = call.request().path().path();
        // "/v1/data" itself (no document path) is the root: never an entrypoint, so undefined.
        String path = full.length() <= "/v1/data/".length() ? "" : full.substring("/v1/data/".length());
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        JsonNode body = call.body();
        if (body != null && !body.isObject()) {
            throw new dev.plinth.core.PlinthException.Invalid("MALFORMED_REQUEST", "the body must be an object like {\"input\": …}");
        }
        JsonNode input = body == null ? null : body.get("input");
        PolicyEngine policy = engine.get();
        ObjectNode out = Json.MAPPER.createObjectNode();
        try {
            if (policy.bundle().entrypoints().contains(path)) {
                // Its own pool: any caller's input cannot starve request authorization.
                policy.evaluateIsolated(path, input).ifPresent(result -> out.set("result", result));
            }
        } catch (EngineException e) {
            throw dev.plinth.core.context.Decisions.failed(path, e);
        }
        String decisionId = UUID.randomUUID().toString();
        dev.plinth.api.logging.RequestIds.decision(decisionId);
        out.put("decision_id", decisionId);
        out.putObject("provenance").put("bundle_revision", policy.bundleRevision())
                .put("data_revision", controlPlane.snapshot().map(s -> s.revision()).orElse(0L));
        JsonResponses.send(res, 200, out);
    }
}
