package dev.plinth.engine.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.dylibso.chicory.runtime.ByteArrayMemory;
import com.dylibso.chicory.wasm.types.MemoryLimits;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.styra.opa.wasm.OpaBuiltin;
import com.styra.opa.wasm.OpaWasm;
import com.styra.opa.wasm.builtins.Provided;
import dev.plinth.engine.builtins.NetworkAccess;
import java.io.ByteArrayInputStream;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Decides whether an uploaded bundle may become active: it has every entrypoint Plinth
 * calls, its wasm module loads on Chicory, every builtin it needs from the host is
 * provided, and a smoke evaluation of the authz decision with empty input answers a
 * defined, fail-closed denial.
 */
public final class BundleCheck {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** The entrypoints Plinth's code evaluates; a bundle without any of them cannot serve. */
    public static final List<String> REQUIRED = List.of(
            "plinth/authz/decision", "plinth/authz/route", "plinth/routing/backend", "plinth/realtime/acl");

    /** The builtins the host provides: the binding's own (json, yaml, sprintf, a few strings) and Plinth's. */
    public static final Set<String> HOST_BUILTINS = hostBuiltins();

    private static Set<String> hostBuiltins() {
        var names = Arrays.stream(Provided.all()).map(OpaBuiltin.Builtin::name).collect(Collectors.toCollection(TreeSet::new));
        names.addAll(dev.plinth.engine.builtins.HostBuiltins.names());
        return java.util.Collections.unmodifiableSet(names);
    }

    private BundleCheck() {}

    /**
     * The host builtins the module imports that nobody implements. The binding maps those to
     * a stub that throws when called, so such a bundle would pass the smoke evaluation and
     * then fail, closed, on the first decision that reaches the call (an outage for
     * everyone that decision serves).
     */
    static Set<String> unservedBuiltins(PolicyEngine engine) {
        var unserved = new java.util.TreeSet<>(engine.importedBuiltins()); // read once, when the engine was made
        unserved.removeAll(HOST_BUILTINS);
        return unserved;
    }

    /** Like {@link #load(Bundle, int, long, NetworkAccess)} with the network builtins off. */
    public static PolicyEngine load(Bundle bundle, int poolSize, long decisionCacheSize) {
        return load(bundle, poolSize, decisionCacheSize, NetworkAccess.NONE);
    }

    /**
     * @param network what data allows http.send and net.lookup_ip_addr to reach; a module
     *                importing one that is off is refused, naming the setting
     * @throws EngineException.InvalidBundle naming what is wrong
     */
    public static PolicyEngine load(Bundle bundle, int poolSize, long decisionCacheSize, NetworkAccess network) {
        var missing = REQUIRED.stream().filter(e -> !bundle.entrypoints().contains(e)).toList();
        if (!missing.isEmpty()) {
            throw new EngineException.InvalidBundle("bundle lacks the entrypoints " + missing);
        }
        PolicyEngine engine = new PolicyEngine(bundle, poolSize, decisionCacheSize);
        var unserved = unservedBuiltins(engine);
        if (!unserved.isEmpty()) {
            throw new EngineException.InvalidBundle("the policy calls builtins this engine does not provide: " + unserved
                    + " (the host provides " + HOST_BUILTINS + "; every other builtin must be compiled into the wasm module)");
        }
        var off = network.refused(engine.importedBuiltins());
        if (!off.isEmpty()) {
            throw new EngineException.InvalidBundle("the policy calls network builtins that are off: " + off
                    + "; data must list the hosts they may reach");
        }
        engine.network(network);
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
