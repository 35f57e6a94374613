package dev.plinth.api.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plinth.datasync.bundles.BundleStore;
import dev.plinth.datasync.model.Json;
import dev.plinth.engine.api.Bundle;
import dev.plinth.engine.api.BundleCheck;
import dev.plinth.engine.api.EngineException;
import io.helidon.http.Method;
import io.helidon.webserver.http.ServerResponse;
import java.io.ByteArrayInputStream;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code /v1/policies}: upload a bundle (as made by {@code opa build -t wasm}), activate it
 * or roll back — data writes that every replica follows. Only t_system admins (route policy:
 * admin kind {@code policies}). A bundle is refused with 400 {@code BUNDLE_INVALID} and the
 * reason unless it unpacks safely, declares every entrypoint Plinth calls, loads on Chicory
 * and passes a smoke evaluation; the active policy is untouched by a refused upload.
 */
final class PolicyRoutes {

    private static final Pattern NAME = Pattern.compile("^[a-z0-9][a-z0-9_.-]{0,62}$");
    private static final int MAX_UPLOAD = 16 * 1024 * 1024;
    private static final int MAX_DIFF_INPUTS = 1_000;

    private final BundleStore bundles;
    private final java.util.function.Supplier<dev.plinth.engine.api.PolicyEngine> active;
    private final java.util.function.Supplier<java.util.Optional<dev.plinth.datasync.model.Snapshot>> snapshots;

    private final dev.plinth.core.policies.BundleTrust trust;

    /** What data lets a bundle's network builtins reach; a malformed setting is a refusal naming it. */
    private dev.plinth.engine.builtins.NetworkAccess network() {
        try {
            return snapshots.get().map(dev.plinth.core.library.Plinth::networkAccess).orElse(dev.plinth.engine.builtins.NetworkAccess.NONE);
        } catch (IllegalArgumentException e) {
            throw new ProblemException(400, "BUNDLE_INVALID", e.getMessage());
        }
    }

    PolicyRoutes(BundleStore bundles, java.util.function.Supplier<dev.plinth.engine.api.PolicyEngine> active,
                 java.util.function.Supplier<java.util.Optional<dev.plinth.datasync.model.Snapshot>> snapshots,
                 dev.plinth.datasync.secrets.SecretResolver secrets) {
        this.trust = new dev.plinth.core.policies.BundleTrust(snapshots, secrets);
        this.bundles = bundles;
        this.active = active;
        this.snapshots = snapshots;
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
        String name = call.param("name");
        if (!NAME.matcher(name).matches()) {
            throw new ProblemException(400, "VALIDATION_FAILED", "bundle name must match " + NAME.pattern());
        }
        byte[] bytes = call.request().content().hasEntity() ? call.request().content().as(byte[].class) : new byte[0];
        if (bytes.length == 0 || bytes.length > MAX_UPLOAD) {
            throw new ProblemException(400, "BUNDLE_INVALID", "the body must be a bundle of 1 to " + MAX_UPLOAD + " bytes");
        }
        Bundle bundle;
        try {
            bundle = Bundle.read(new ByteArrayInputStream(bytes));
            checkSignature(bundle);
            BundleCheck.load(bundle, 1, 0, network());
        } catch (EngineException e) {
            throw new ProblemException(400, "BUNDLE_INVALID", e.getMessage());
        }
        bundles.put(name, bundle.revision(), bundle.entrypoints(), bytes, call.context().userId());
        ObjectNode out = Json.MAPPER.createObjectNode().put("name", name).put("revision", bundle.revision()).put("size", bytes.length);
        out.set("entrypoints", Json.MAPPER.valueToTree(bundle.entrypoints()));
        JsonResponses.send(res, 201, out);
    }

    private void diff(RouteSpec.Call call, ServerResponse res) {
        var current = active.get();
        dev.plinth.engine.api.PolicyEngine candidate;
        try {
            candidate = BundleCheck.load(Bundle.read(new ByteArrayInputStream(bundles.read(call.param("name")))), 1, 0, network());
        } catch (EngineException e) {
            throw new ProblemException(400, "BUNDLE_INVALID", e.getMessage());
        }
        snapshots.get().ifPresent(s -> candidate.replaceData(s.generation(), s.globalData()));
        List<dev.plinth.engine.api.DecisionSample.Entry> cases = new java.util.ArrayList<>();
        var body = call.body();
        if (body != null && body.has("inputs")) {
            var inputs = body.get("inputs");
            if (!inputs.isArray() || inputs.size() > MAX_DIFF_INPUTS) {
                throw new ProblemException(400, "VALIDATION_FAILED", "\"inputs\" must be an array of at most " + MAX_DIFF_INPUTS + " cases");
            }
            for (var i : inputs) {
                if (!i.isObject() || !i.path("entrypoint").isTextual() || !i.has("input")) {
                    throw new ProblemException(400, "VALIDATION_FAILED", "every case must be {\"entrypoint\": string, \"input\": any}, was " + i);
                }
                String entrypoint = i.get("entrypoint").asText();
                if (!candidate.bundle().entrypoints().contains(entrypoint) && !current.bundle().entrypoints().contains(entrypoint)) {
                    throw new ProblemException(400, "VALIDATION_FAILED", "neither bundle has the entrypoint " + entrypoint);
                }
                cases.add(new dev.plinth.engine.api.DecisionSample.Entry(entrypoint, i.get("input")));
            }
        } else {
            cases.addAll(current.sample().entries());
        }
        ObjectNode out = Json.MAPPER.createObjectNode().put("candidate_revision", candidate.bundleRevision())
                .put("active_revision", current.bundleRevision()).put("evaluated", cases.size())
                .put("source", body != null && body.has("inputs") ? "posted" : "recent decisions");
        var changed = out.putArray("changed");
        for (var c : cases) {
            var before = evaluate(current, c);
            var after = evaluate(candidate, c);
            if (!before.equals(after)) {
                ObjectNode d = changed.addObject().put("entrypoint", c.entrypoint());
                d.set("input", c.input());
                d.set("active", before);
                d.set("candidate", after);
                var fields = d.putArray("differs_in");
                for (String f : List.of("allow", "status", "code", "backend_id", "context")) {
                    if (!before.path(f).equals(after.path(f))) {
                        fields.add(f);
                    }
                }
            }
        }
        JsonResponses.send(res, 200, out);
    }

    private static com.fasterxml.jackson.databind.JsonNode evaluate(dev.plinth.engine.api.PolicyEngine engine,
                                                                    dev.plinth.engine.api.DecisionSample.Entry c) {
        try {
            return engine.evaluate(c.entrypoint(), c.input()).orElse(Json.MAPPER.createObjectNode().put("undefined", true));
        } catch (EngineException e) {
            return Json.MAPPER.createObjectNode().put("error", e.code());
        }
    }

    private void checkSignature(Bundle bundle) {
        trust.check(bundle);
    }

    private void active(RouteSpec.Call call, ServerResponse res) {
        JsonResponses.send(res, 200, Json.MAPPER.valueToTree(bundles.current()));
    }

    private void activate(RouteSpec.Call call, ServerResponse res) {
        var body = call.body();
        if (body == null || !body.isObject()) {
            throw new ProblemException(400, "MALFORMED_REQUEST", "a JSON object body is required");
        }
        BundleStore.Active active;
        if (body.path("rollback").asBoolean(false)) {
            String previous = bundles.current().previousName();
            if (previous != null) {
                try {
                    checkSignature(Bundle.read(new ByteArrayInputStream(bundles.read(previous))));
                } catch (EngineException e) {
                    throw new ProblemException(400, "BUNDLE_INVALID", "bundle " + previous + " may not be rolled back to: " + e.getMessage());
                }
            }
            active = bundles.rollback(AdminRoutes.idempotency(call));
        } else if (body.has("name")) {
            String name = body.get("name").isNull() ? null : body.get("name").asText();
            if (name != null) {
                try {
                    checkSignature(Bundle.read(new ByteArrayInputStream(bundles.read(name))));
                } catch (EngineException e) {
                    throw new ProblemException(400, "BUNDLE_INVALID", "bundle " + name + " may not be activated: " + e.getMessage());
                }
            }
            active = bundles.activate(name, AdminRoutes.idempotency(call));
        } else {
            throw new ProblemException(400, "VALIDATION_FAILED", "give \"name\" (null for the built-in bundle) or \"rollback\": true");
        }
        JsonResponses.send(res, 200, Json.MAPPER.valueToTree(active));
    }
}
