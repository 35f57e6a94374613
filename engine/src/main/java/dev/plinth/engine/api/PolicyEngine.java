package dev.plinth.engine.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.styra.opa.wasm.OpaPolicy;
import dev.plinth.engine.builtins.Evaluation;
import dev.plinth.engine.builtins.HostBuiltins;
import dev.plinth.engine.builtins.ValueText;
import dev.plinth.engine.internal.InstancePool;
import dev.plinth.engine.internal.ModuleBuiltins;
import dev.plinth.engine.internal.ValueEvaluation;
import java.time.Duration;
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
 *
 * <p>Host builtins. The builtins OPA's wasm target leaves to the host are Plinth's
 * {@link HostBuiltins}; each evaluation opens an {@link Evaluation} on its thread, so
 * {@code time.now_ns} reads the engine's clock once per evaluation and {@code rand.intn} /
 * {@code uuid.rfc4122} are memoized per evaluation.
 *
 * <p>Decision cache. A module that imports no impure builtin is a pure function of (bundle,
 * global data, input), so {@link #evaluateCached} keeps recent results keyed by the
 * caller's key and the global data version; a wasm evaluation costs ~20 µs, a hit well
 * under that. A module that imports one ({@link #impureBuiltins}) is never answered from
 * the cache, and {@link #cachesDecisions} says so to callers that keep derived decisions.
 */
public final class PolicyEngine {

    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * Plinth's host builtins, and the binding's own for the names Plinth does not define. The
     * binding would let its defaults override a custom builtin of the same name, so its
     * defaults are off and merged here, Plinth's winning (its sprintf is Go's).
     */
    private static final com.styra.opa.wasm.OpaBuiltin.Builtin[] HOST_BUILTINS = hostBuiltins();

    private static com.styra.opa.wasm.OpaBuiltin.Builtin[] hostBuiltins() {
        var all = new java.util.ArrayList<com.styra.opa.wasm.OpaBuiltin.Builtin>(HostBuiltins.all());
        for (var provided : com.styra.opa.wasm.builtins.Provided.all()) {
            if (HostBuiltins.get(provided.name()) == null) {
                all.add(provided);
            }
        }
        return all.toArray(new com.styra.opa.wasm.OpaBuiltin.Builtin[0]);
    }

    /**
     * How Chicory runs the module. {@code COMPILED} (production) translates it to JVM
     * bytecode when an instance is made (~120 ms each) and then evaluates ~100× faster;
     * {@code INTERPRETED} starts instantly and is kept for comparison and for suites that
     * load thousands of one-shot modules.
     */
    public enum Execution { COMPILED, INTERPRETED }

    private record DataVersion(long version, String json) {}

    private record CacheKey(String entrypoint, long dataVersion, Object key) {}

    private final Bundle bundle;
    private final InstancePool pool;
    private final java.util.function.Supplier<OpaPolicy> factory;
    private volatile InstancePool isolatedPool;
    private volatile Duration deadline = Duration.ofSeconds(1);
    private volatile java.time.Clock clock = java.time.Clock.systemUTC();
    private volatile dev.plinth.engine.builtins.NetworkAccess network = dev.plinth.engine.builtins.NetworkAccess.NONE;
    private volatile DecisionObserver observer = DecisionObserver.NONE;
    private final java.util.Set<String> impureBuiltins;
    private final java.util.Set<String> importedBuiltins;
    private final AtomicReference<DataVersion> data;
    private final Cache<CacheKey, Optional<JsonNode>> decisions;
    private final DecisionSample sample = new DecisionSample(256);

    public PolicyEngine(Bundle bundle, int poolSize) {
        this(bundle, poolSize, 0);
    }

    /**
     * @param decisionCacheSize how many decisions {@link #evaluateCached} keeps (0 disables it)
     */
    public PolicyEngine(Bundle bundle, int poolSize, long decisionCacheSize) {
        this(bundle, poolSize, decisionCacheSize, Execution.COMPILED);
    }

    /**
     * @param decisionCacheSize how many decisions {@link #evaluateCached} keeps (0 disables it)
     * @param execution         compiled (production) or interpreted
     */
    public PolicyEngine(Bundle bundle, int poolSize, long decisionCacheSize, Execution execution) {
        this(bundle, poolSize, decisionCacheSize, execution, java.util.List.of());
    }

    /**
     * @param extraBuiltins builtins of the embedder's own, beside the engine's (a name the engine
     *                      defines cannot be replaced); impure ones keep the module out of the caches
     */
    public PolicyEngine(Bundle bundle, int poolSize, long decisionCacheSize, Execution execution,
            java.util.List<dev.plinth.engine.builtins.Builtin> extraBuiltins) {
        Objects.requireNonNull(execution, "execution");
        if (decisionCacheSize < 0) {
            throw new IllegalArgumentException("decision cache size must not be negative, was " + decisionCacheSize);
        }
        this.decisions = decisionCacheSize == 0 ? null : Caffeine.newBuilder().maximumSize(decisionCacheSize).build();
        this.bundle = Objects.requireNonNull(bundle, "bundle");
        this.data = new AtomicReference<>(new DataVersion(0, bundle.data().toString()));
        for (var extra : extraBuiltins) {
            if (HostBuiltins.get(extra.name()) != null) {
                throw new IllegalArgumentException("builtin " + extra.name() + " is the engine's own and cannot be replaced");
            }
        }
        var builtins = new java.util.ArrayList<com.styra.opa.wasm.OpaBuiltin.Builtin>(java.util.List.of(HOST_BUILTINS));
        builtins.addAll(extraBuiltins);
        var impure = new java.util.TreeSet<>(HostBuiltins.impure());
        extraBuiltins.stream().filter(dev.plinth.engine.builtins.Builtin::impure).forEach(b -> impure.add(b.name()));
        try {
            this.factory = () -> {
                var builder = OpaPolicy.builder().withPolicy(bundle.wasm()).withDefaultBuiltins(false)
                        .addBuiltins(builtins.toArray(new com.styra.opa.wasm.OpaBuiltin.Builtin[0]));
                if (execution == Execution.INTERPRETED) {
                    builder.disableCompiler();
                }
                return builder.build();
            };
            this.pool = new InstancePool(factory, poolSize);
            var imported = ModuleBuiltins.imported(bundle.wasm());
            this.importedBuiltins = java.util.Collections.unmodifiableSet(new java.util.TreeSet<>(imported));
            imported.retainAll(impure);
            this.impureBuiltins = java.util.Collections.unmodifiableSet(imported);
        } catch (RuntimeException e) {
            throw new EngineException.InvalidBundle("policy.wasm does not load: " + e.getMessage(), e);
        }
    }

    /** An engine for the built-in bundle with one instance per core at most and a 100,000-entry decision cache. */
    public static PolicyEngine builtin() {
        return new PolicyEngine(Bundle.builtin(), Runtime.getRuntime().availableProcessors(), 100_000);
    }

    /**
     * Like {@link #evaluate}, through the decision cache: {@code key} must determine the
     * input completely (equal keys, equal inputs). The input is built only on a miss. The
     * returned node is shared: callers must not modify it.
     */
    public Optional<JsonNode> evaluateCached(String entrypoint, Object key, java.util.function.Supplier<JsonNode> input) {
        if (!cachesDecisions()) {
            return evaluate(entrypoint, input.get());
        }
        var cacheKey = new CacheKey(entrypoint, data.get().version(), key);
        Optional<JsonNode> hit = decisions.getIfPresent(cacheKey);
        observer.cache(entrypoint, hit != null);
        if (hit != null) {
            return hit;
        }
        JsonNode in = input.get();
        Optional<JsonNode> result = evaluate(entrypoint, in);
        decisions.put(cacheKey, result);
        sample.add(entrypoint, in); // distinct inputs only: hits are not sampled again
        return result;
    }

    /**
     * Whether decisions are cached: a size above 0 and a module that imports no impure
     * builtin. Callers keeping derived decisions (the context cache) follow the same answer.
     */
    public boolean cachesDecisions() {
        return decisions != null && impureBuiltins.isEmpty();
    }

    /** Every host builtin the module imports. */
    public java.util.Set<String> importedBuiltins() {
        return importedBuiltins;
    }

    /** The impure host builtins the module imports (time.now_ns, rand.intn, uuid.rfc4122); empty for a pure policy. */
    public java.util.Set<String> impureBuiltins() {
        return impureBuiltins;
    }

    /** What http.send and net.lookup_ip_addr may reach; none unless the owner sets it from data. */
    public void network(dev.plinth.engine.builtins.NetworkAccess network) {
        this.network = Objects.requireNonNull(network, "network");
    }

    public dev.plinth.engine.builtins.NetworkAccess network() {
        return network;
    }

    /** The clock {@code time.now_ns} reads (once per evaluation); the system's UTC clock unless injected. */
    /** Who is told about each evaluation (metrics); {@link DecisionObserver#NONE} by default. */
    public void observer(DecisionObserver observer) {
        this.observer = Objects.requireNonNull(observer, "observer");
    }

    public void clock(java.time.Clock clock) {
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** The version of the global data now loaded (0 for the bundle's own), as given to {@link #replaceData}. */
    public long dataVersion() {
        return data.get().version();
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
        ArrayNode set = resultSet(evaluate(pool, entrypoint, ValueEvaluation.Input.json(input == null ? "null" : input.toString())), entrypoint);
        return set.isEmpty() || !set.get(0).has("result") ? Optional.empty() : Optional.of(set.get(0).get("result"));
    }

    /**
     * Evaluates an entrypoint and answers OPA's whole result set: an array of
     * {@code {"result": …}} for a rule entrypoint, or of variable bindings for a module
     * compiled from a query (as OPA's own test cases are). {@code input} empty means no
     * input at all ({@code input} is undefined in the policy), which differs from JSON null.
     */
    public ArrayNode evaluateResultSet(String entrypoint, Optional<JsonNode> input) {
        // The binding parses "" as "no input document". An input holding a set (a Rego value
        // JSON cannot carry) goes in as Rego value text.
        if (input.isPresent() && ValueText.hasSet(input.get())) {
            return resultSet(evaluate(pool, entrypoint, ValueEvaluation.Input.value(ValueText.write(input.get()))), entrypoint);
        }
        return resultSet(evaluate(pool, entrypoint, ValueEvaluation.Input.json(input.map(JsonNode::toString).orElse(""))), entrypoint);
    }

    /**
     * Like {@link #evaluate}, on a separate, smaller pool of instances: what any caller can
     * ask for with any input (the OPA Data API) cannot take the instances request
     * authorization needs (a bulkhead).
     */
    public Optional<JsonNode> evaluateIsolated(String entrypoint, JsonNode input) {
        ArrayNode set = resultSet(evaluate(isolated(), entrypoint, ValueEvaluation.Input.json(input == null ? "null" : input.toString())), entrypoint);
        return set.isEmpty() || !set.get(0).has("result") ? Optional.empty() : Optional.of(set.get(0).get("result"));
    }

    private InstancePool isolated() {
        InstancePool p = isolatedPool;
        if (p == null) {
            synchronized (this) {
                if (isolatedPool == null) {
                    isolatedPool = new InstancePool(factory, Math.max(1, pool.maxSize() / 2));
                }
                p = isolatedPool;
            }
        }
        return p;
    }

    /**
     * How long one evaluation may run before it is stopped inside the wasm execution (and,
     * separately, how long a caller waits for a free instance): Chicory's compiled code checks the thread's
     * interrupt flag, so a watchdog interrupts the evaluating thread at the deadline. The
     * stopped instance is discarded. Set from data by the owner ({@code evaluation_deadline_ms}).
     */
    public void deadline(Duration deadline) {
        if (deadline.isNegative() || deadline.isZero()) {
            throw new IllegalArgumentException("the evaluation deadline must be positive, was " + deadline);
        }
        this.deadline = deadline;
    }

    public Duration deadline() {
        return deadline;
    }

    /** What health shows of a pool: its bound, instances made, borrowed and waiting callers. */
    public record PoolStatus(int max, int created, int inUse, int waiting) {
        public boolean saturated() {
            return waiting > 0;
        }
    }

    public PoolStatus decisionPool() {
        return new PoolStatus(pool.maxSize(), pool.size(), pool.inUse(), pool.waiting());
    }

    /** The Data API's pool; all zeros until it is first used. */
    public PoolStatus isolatedPool() {
        InstancePool p = isolatedPool;
        return p == null ? new PoolStatus(Math.max(1, pool.maxSize() / 2), 0, 0, 0)
                : new PoolStatus(p.maxSize(), p.size(), p.inUse(), p.waiting());
    }

    private String evaluate(InstancePool from, String entrypoint, ValueEvaluation.Input input) {
        DecisionObserver o = observer;
        if (o == DecisionObserver.NONE) {
            return evaluateOn(from, entrypoint, input);
        }
        long start = System.nanoTime();
        DecisionObserver.Outcome outcome = DecisionObserver.Outcome.ERROR;
        try {
            String raw = evaluateOn(from, entrypoint, input);
            outcome = DecisionObserver.Outcome.OK;
            return raw;
        } catch (EngineException.UnknownEntrypoint e) {
            outcome = null;
            throw e;
        } catch (EngineException.DeadlineExceeded e) {
            outcome = DecisionObserver.Outcome.DEADLINE;
            throw e;
        } catch (EngineException.Busy e) {
            outcome = DecisionObserver.Outcome.BUSY;
            throw e;
        } finally {
            if (outcome != null) {
                o.evaluated(entrypoint, System.nanoTime() - start, outcome);
            }
        }
    }

    private String evaluateOn(InstancePool from, String entrypoint, ValueEvaluation.Input input) {
        long budget = deadline.toNanos();
        InstancePool.Instance instance;
        try {
            instance = from.borrow(budget);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EngineException.EvaluationFailed("interrupted while waiting for a wasm instance", e);
        }
        if (instance == null) {
            throw new EngineException.Busy("no wasm instance for " + entrypoint + " became free within " + deadline.toMillis() + " ms");
        }
        // The evaluation gets the whole deadline: making a new instance (compiling the module)
        // is the engine's cost, not the caller's input's.
        Watchdog watchdog = Watchdog.arm(Thread.currentThread(), budget);
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
            String raw;
            try (var evaluation = Evaluation.open(clock, network)) {
                raw = ValueEvaluation.evaluate(instance.policy(), id, input);
            }
            healthy = !watchdog.disarm();
            return raw;
        } catch (EngineException e) {
            throw e;
        } catch (RuntimeException e) {
            if (watchdog.disarm()) {
                throw new EngineException.DeadlineExceeded(entrypoint + " ran past its deadline of " + deadline.toMillis()
                        + " ms and was stopped", e);
            }
            throw new EngineException.EvaluationFailed("evaluating " + entrypoint + " failed: " + e.getMessage(), e);
        } finally {
            watchdog.disarm();
            from.giveBack(instance, healthy);
        }
    }

    private static final java.util.concurrent.ScheduledExecutorService WATCHDOGS =
            java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "plinth-evaluation-deadline");
                t.setDaemon(true);
                return t;
            });

    /**
     * Interrupts a thread at a deadline unless disarmed first. {@link #disarm} answers whether
     * it fired, and clears the interrupt it caused, so a deadline that passes just as the
     * evaluation ends never leaks an interrupt into the caller's next blocking call.
     */
    private static final class Watchdog {
        private final Thread thread;
        private boolean done;
        private boolean fired;
        private java.util.concurrent.ScheduledFuture<?> timer;

        private Watchdog(Thread thread) {
            this.thread = thread;
        }

        static Watchdog arm(Thread thread, long nanos) {
            var w = new Watchdog(thread);
            w.timer = WATCHDOGS.schedule(w::fire, Math.max(0, nanos), java.util.concurrent.TimeUnit.NANOSECONDS);
            return w;
        }

        private synchronized void fire() {
            if (!done) {
                fired = true;
                thread.interrupt();
            }
        }

        synchronized boolean disarm() {
            if (!done) {
                done = true;
                timer.cancel(false);
                if (fired) {
                    Thread.interrupted();
                }
            }
            return fired;
        }
    }

    /** The result set, read as a Rego value so that sets come out in OPA's order (see {@link ValueEvaluation}). */
    private static ArrayNode resultSet(String raw, String entrypoint) {
        JsonNode value;
        try {
            value = ValueText.json(ValueText.parse(raw));
        } catch (RuntimeException e) {
            throw new EngineException.EvaluationFailed(entrypoint + " answered an unreadable result: " + e.getMessage(), e);
        }
        if (!(value instanceof ArrayNode set)) {
            throw new EngineException.EvaluationFailed(entrypoint + " answered a non-array result set", null);
        }
        return set;
    }

    /** Recent distinct inputs evaluated through the cache, for comparing bundles before activation. */
    public DecisionSample sample() {
        return sample;
    }

    public int poolSize() {
        return pool.size();
    }
}
