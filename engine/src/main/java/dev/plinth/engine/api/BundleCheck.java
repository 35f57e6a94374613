package dev.plinth.engine.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.util.List;

/**
 * Decides whether an uploaded bundle may become active: it has every entrypoint Plinth
 * calls, its wasm module loads on Chicory, and a smoke evaluation of the authz decision
 * with empty input answers a defined, fail-closed denial.
 */
public final class BundleCheck {

    /** The entrypoints Plinth's code evaluates; a bundle without any of them cannot serve. */
    public static final List<String> REQUIRED = List.of(
            "plinth/authz/decision", "plinth/authz/route", "plinth/routing/backend", "plinth/realtime/acl");

    private BundleCheck() {}

    /** @throws EngineException.InvalidBundle naming what is wrong */
    public static PolicyEngine load(Bundle bundle, int poolSize, long decisionCacheSize) {
        var missing = REQUIRED.stream().filter(e -> !bundle.entrypoints().contains(e)).toList();
        if (!missing.isEmpty()) {
            throw new EngineException.InvalidBundle("bundle lacks the entrypoints " + missing);
        }
        PolicyEngine engine = new PolicyEngine(bundle, poolSize, decisionCacheSize);
        JsonNode smoke;
        try {
            smoke = engine.evaluate("plinth/authz/decision", JsonNodeFactory.instance.objectNode()).orElse(null);
        } catch (EngineException e) {
            throw new EngineException.InvalidBundle("smoke evaluation failed: " + e.getMessage(), e);
        }
        if (smoke == null || !smoke.path("allow").isBoolean() || smoke.path("allow").asBoolean()) {
            throw new EngineException.InvalidBundle("smoke evaluation of plinth/authz/decision with empty input must be a denial, was " + smoke);
        }
        return engine;
    }
}
