package dev.plinth.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plinth.core.policies.PolicyLifecycle;
import dev.plinth.datasync.model.Json;
import io.helidon.http.Method;
import io.helidon.webserver.http.ServerResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code /v1/policies}: the core's {@link PolicyLifecycle} over HTTP — upload a bundle (as
 * made by {@code opa build -t wasm}), diff, activate or roll back. Only t_system admins
 * (route policy: admin kind {@code policies}). The checks are the core's; this class reads
 * bodies and renders results.
 */
final class PolicyRoutes {

    private final PolicyLifecycle policies;

    PolicyRoutes(PolicyLifecycle policies) {
        this.policies = policies;
    }

    List<RouteSpec> routes() {
        return List.of(
                new RouteSpec(Method.PUT, "/v1/policies/bundles/{name}", "policies", "write", true, null,
                        "Upload a policy bundle (application/gzip, as made by opa build -t wasm)", RouteSpec.GZIP_BODY, this::upload).created(),
                new RouteSpec(Method.POST, "/v1/policies/bundles/{name}/diff", "policies", "read", true, null,
                        "Impact diff: evaluate an uploaded bundle and the active one on posted inputs "
                                + "({\"inputs\": [{\"entrypoint\": …, \"input\": …}]}) or on a sample of recent decisions; "
                                + "report every decision that would change",
                        "{\"inputs\": [{\"entrypoint\": \"plinth/authz/decision\", \"input\": {}}]}", this::diff),
                new RouteSpec(Method.GET, "/v1/policies/active", "policies", "read", true, null,
                        "The active bundle and the previous one", null, this::active),
                new RouteSpec(Method.POST, "/v1/policies/active", "policies", "write", true, null,
                        "Activate an uploaded bundle ({\"name\": …}), the built-in one ({\"name\": null}) or roll back ({\"rollback\": true})",
                        "{\"rollback\": true}", this::activate).with(ResourceRoutes.IDEMPOTENCY_KEY));
    }

    private void upload(RouteSpec.Call call, ServerResponse res) {
        byte[] bytes = call.request().content().hasEntity() ? call.request().content().as(byte[].class) : new byte[0];
        JsonResponses.send(res, 201, Json.MAPPER.valueToTree(policies.upload(call.param("name"), bytes, call.context().userId())));
    }

    private void diff(RouteSpec.Call call, ServerResponse res) {
        JsonNode body = call.body();
        Optional<List<PolicyLifecycle.Case>> cases = Optional.empty();
        if (body != null && body.has("inputs")) {
            JsonNode inputs = body.get("inputs");
            if (!inputs.isArray()) {
                // How many cases a diff may take is the core's rule (PolicyLifecycle.MAX_DIFF_CASES).
                throw new dev.plinth.core.PlinthException.Invalid("VALIDATION_FAILED",
                        "\"inputs\" must be an array of at most " + PolicyLifecycle.MAX_DIFF_CASES + " cases");
            }
            var posted = new ArrayList<PolicyLifecycle.Case>();
            for (JsonNode i : inputs) {
                if (!i.isObject() || !i.path("entrypoint").isTextual() || !i.has("input")) {
                    throw new dev.plinth.core.PlinthException.Invalid("VALIDATION_FAILED", "every case must be {\"entrypoint\": string, \"input\": any}, was " + i);
                }
                posted.add(new PolicyLifecycle.Case(i.get("entrypoint").asText(), i.get("input")));
            }
            cases = Optional.of(posted);
        }
        JsonResponses.send(res, 200, Json.MAPPER.valueToTree(policies.diff(call.param("name"), cases)));
    }

    private void active(RouteSpec.Call call, ServerResponse res) {
        JsonResponses.send(res, 200, Json.MAPPER.valueToTree(policies.current()));
    }

    private void activate(RouteSpec.Call call, ServerResponse res) {
        JsonNode body = call.body();
        if (body == null || !body.isObject()) {
            throw new dev.plinth.core.PlinthException.Invalid("MALFORMED_REQUEST", "a JSON object body is required");
        }
        Object active;
        if (body.path("rollback").asBoolean(false)) {
            active = policies.rollback(AdminRoutes.idempotency(call));
        } else if (body.has("name")) {
            active = policies.activate(body.get("name").isNull() ? null : body.get("name").asText(), AdminRoutes.idempotency(call));
        } else {
            throw new dev.plinth.core.PlinthException.Invalid("VALIDATION_FAILED", "give \"name\" (null for the built-in bundle) or \"rollback\": true");
        }
        JsonResponses.send(res, 200, Json.MAPPER.valueToTree(active));
    }
}
