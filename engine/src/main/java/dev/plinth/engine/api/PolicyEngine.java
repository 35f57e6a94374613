package dev.plinth.engine.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.styra.opa.wasm.OpaPolicy;
import dev.plinth.engine.internal.InstancePool;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Evaluates one bundle's entrypoints against global data and a per-call input.
 *
 * <p>Thread-safe. Each evaluation borrows a wasm instance from a bounded pool (sized to
 * the cores by default), so concurrent callers never share an instance. Global data is
 * swapped with {@link #replaceData}; instances reload it lazily on their next borrow.
 * Uses Chicory's runtime compiler (the binding's default), ~100× its interpreter.
 */
public final class PolicyEngine {

    private static final ObjectMapper JSON = new ObjectMapper();

    private record DataVersion(long version, String json) {}

    private final Bundle bundle;
    private final InstancePool pool;
    private final AtomicReference<DataVersion> data;

    public PolicyEngine(Bundle bundle, int poolSize) {
        this.bundle = Objects.requireNonNull(bundle, "bundle");
        this.data = new AtomicReference<>(new DataVersion(0, bundle.data().toString()));
        try {
            this.pool = new InstancePool(() -> OpaPolicy.builder().withPolicy(bundle.wasm()).build(), poolSize);
        } catch (RuntimeException e) {
            throw new EngineException.InvalidBundle("policy.wasm does not load: " + e.getMessage(), e);
        }
    }

    /** An engine for the built-in bundle with one instance per core at most. */
    public static PolicyEngine builtin() {
        return new PolicyEngine(Bundle.builtin(), Runtime.getRuntime().availableProcessors());
    }

    public String bundleRevision() {
        return bundle.revision();
    }

    public Bundle bundle() {
        return bundle;
    }

    /**
     * Replaces the global data (merged over the bundle's own {@code data.json} at the top
     * level). {@code version} must increase; instances reload on their next borrow.
     */
    public void replaceData(long version, JsonNode globalData) {
        ObjectNode merged = ((ObjectNode) bundle.data().deepCopy());
        if (globalData != null && globalData.isObject()) {
            merged.setAll((ObjectNode) globalData);
        }
        String json = merged.toString();
        data.updateAndGet(current -> version > current.version ? new DataVersion(version, json) : current);
    }

    /**
     * Evaluates an entrypoint (e.g. {@code plinth/authz/decision}).
     *
     * @return the result, or empty when the rule is undefined for this input
     * @throws EngineException.UnknownEntrypoint when the bundle lacks the entrypoint
     * @throws EngineException.EvaluationFailed  when the module traps or answers garbage
     */
    public Optional<JsonNode> evaluate(String entrypoint, JsonNode input) {
        String inputJson = input == null ? "null" : input.toString();
        InstancePool.Instance instance;
        try {
            instance = pool.borrow();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineException.EvaluationFailed("interrupted while waiting for a wasm instance", e);
        }
        boolean healthy = false;
        try {
            Integer id = instance.entrypointId(entrypoint);
            if (id == null) {
                healthy = true;
                throw new EngineException.UnknownEntrypoint(entrypoint);
            }
            DataVersion current = data.get();
            if (instance.dataVersion() != current.version()) {
                instance.policy().data(current.json());
                instance.dataVersion(current.version());
            }
            String raw = instance.policy().entrypoint(id).evaluate(inputJson);
            healthy = true;
            return firstResult(raw, entrypoint);
        } catch (EngineException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new EngineException.EvaluationFailed("evaluating " + entrypoint + " failed: " + e.getMessage(), e);
        } finally {
            pool.giveBack(instance, healthy);
        }
    }

    private static Optional<JsonNode> firstResult(String raw, String entrypoint) {
        try {
            JsonNode set = JSON.readTree(raw);
            if (!set.isArray()) {
                throw new EngineException.EvaluationFailed(entrypoint + " answered a non-array result set", null);
            }
            if (set.isEmpty() || !set.get(0).has("result")) {
                return Optional.empty();
            }
            return Optional.of(set.get(0).get("result"));
        } catch (java.io.IOException e) {
            throw new EngineException.EvaluationFailed(entrypoint + " answered invalid JSON", e);
        }
    }

    public int poolSize() {
        return pool.size();
    }
}
