package dev.plinth.core.metrics;

import dev.plinth.backends.ResourceStore;
import dev.plinth.backends.StoreException;
import dev.plinth.core.health.Readiness;
import dev.plinth.engine.api.DecisionObserver;
import dev.plinth.engine.api.PolicyEngine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Plinth's meters, on the registry the embedder gives (a server: Prometheus; a library user:
 * theirs, or Micrometer's global one). Names are dotted here and follow Prometheus'
 * conventions once a Prometheus registry renders them ({@code plinth.decision.duration} →
 * {@code plinth_decision_duration_seconds}); {@code docs/operations.md} lists them.
 *
 * <p>Counts and durations are recorded where they happen (the engine's evaluations through
 * a {@link DecisionObserver}, each routed store's calls through {@link #meter}); states
 * (health, listeners, pools) are read when the registry is scraped, from one readiness
 * report per scrape.
 */
public final class PlinthMetrics implements AutoCloseable {

    /** Decision buckets: an evaluation takes tens of microseconds, a busy pool up to the deadline. */
    private static final Duration[] DECISION_BUCKETS = durations(0.000_025, 0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001,
            0.002_5, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5);
    /** Store and HTTP buckets: a Redis call takes a few hundred microseconds, Firestore milliseconds, a bound 10 s. */
    public static final Duration[] REQUEST_BUCKETS = durations(0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.05,
            0.1, 0.25, 0.5, 1, 2.5, 5, 10);

    private final MeterRegistry registry;
    private final Map<String, Timer[]> decisionTimers = new ConcurrentHashMap<>();
    private final Map<String, Counter[]> cacheCounters = new ConcurrentHashMap<>();
    private final Map<String, Timer> storeTimers = new ConcurrentHashMap<>();
    private final Map<String, Counter> storeErrors = new ConcurrentHashMap<>();
    private final MultiGauge bundle;
    /** What this instance registered, removed at {@link #close} (a registry may outlive a Plinth). */
    private final java.util.Queue<io.micrometer.core.instrument.Meter> registered = new java.util.concurrent.ConcurrentLinkedQueue<>();

    public PlinthMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.bundle = MultiGauge.builder("plinth.policy.bundle.info")
                .description("The active policy bundle: 1, labelled with its revision").register(registry);
    }

    /** The registry these meters are on. */
    public MeterRegistry registry() {
        return registry;
    }

    /** Tells the engine's evaluations and decision-cache look-ups to these meters. */
    public DecisionObserver decisions() {
        return new DecisionObserver() {
            @Override
            public void evaluated(String entrypoint, long nanos, Outcome outcome) {
                decisionTimers.computeIfAbsent(entrypoint, this::timers)[outcome.ordinal()]
                        .record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
            }

            @Override
            public void cache(String entrypoint, boolean hit) {
                cacheCounters.computeIfAbsent(entrypoint, this::counters)[hit ? 0 : 1].increment();
            }

            private Timer[] timers(String entrypoint) {
                var outcomes = DecisionObserver.Outcome.values();
                var timers = new Timer[outcomes.length];
                for (var o : outcomes) {
                    timers[o.ordinal()] = Timer.builder("plinth.decision.duration")
                            .description("Policy evaluations, waiting for a wasm instance included")
                            .tags("entrypoint", entrypoint, "outcome", o.label())
                            .serviceLevelObjectives(DECISION_BUCKETS).register(registry);
                    registered.add(timers[o.ordinal()]);
                }
                return timers;
            }

            private Counter[] counters(String entrypoint) {
                return new Counter[] {cacheCounter(entrypoint, "hit"), cacheCounter(entrypoint, "miss")};
            }

            private Counter cacheCounter(String entrypoint, String result) {
                return kept(Counter.builder("plinth.decision.cache.requests")
                        .description("Decision-cache look-ups (only where the active bundle's decisions are cacheable)")
                        .tags("entrypoint", entrypoint, "result", result).register(registry));
            }
        };
    }

    /** The active bundle's revision (the info metric moves to the new label). */
    public void activeBundle(String revision) {
        bundle.register(List.of(MultiGauge.Row.of(Tags.of("revision", revision), 1)), true);
    }

    /**
     * The store of {@code backendId}, timing every call by operation and counting failures by
     * their stable code. A dynamic proxy because a store has a dozen operations and every one is
     * measured the same way; a subscription is timed up to its registration.
     */
    public ResourceStore meter(String backendId, ResourceStore store) {
        return (ResourceStore) Proxy.newProxyInstance(ResourceStore.class.getClassLoader(), new Class<?>[] {ResourceStore.class},
                (proxy, method, args) -> {
                    if (method.getDeclaringClass() == Object.class || "close".equals(method.getName())) {
                        return invoke(store, method, args);
                    }
                    String operation = method.getName();
                    long start = System.nanoTime();
                    String outcome = "error";
                    try {
                        Object result = invoke(store, method, args);
                        outcome = "ok";
                        return result;
                    } catch (StoreException e) {
                        storeErrors.computeIfAbsent(backendId + '\0' + operation + '\0' + e.code(), k -> kept(Counter.builder("plinth.store.errors")
                                .description("Routed-store operations that failed, by the failure's stable code")
                                .tags("backend", backendId, "operation", operation, "code", e.code()).register(registry))).increment();
                        throw e;
                    } finally {
                        String o = outcome;
                        storeTimers.computeIfAbsent(backendId + '\0' + operation + '\0' + o, k -> kept(Timer.builder("plinth.store.operation.duration")
                                .description("Routed-store operations, by backend id and operation")
                                .tags("backend", backendId, "operation", operation, "outcome", o)
                                .serviceLevelObjectives(REQUEST_BUCKETS).register(registry)))
                                .record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
                    }
                });
    }

    private static Object invoke(ResourceStore store, java.lang.reflect.Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(store, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /**
     * The states read at scrape time: health status, the control plane's staleness and revision,
     * each listener's read time, age and liveness (one per listener the report names), both
     * instance pools.
     */
    public void bindHealth(Supplier<Readiness.Report> readiness, Supplier<PolicyEngine> engine, Clock clock) {
        var report = new OncePerScrape<>(readiness);
        var listeners = List.copyOf(readiness.get().listeners().keySet());
        for (String status : List.of("UP", "DEGRADED", "DOWN")) {
            gauge("plinth.health.status", "1 for the replica's readiness status (DEGRADED: serving its last snapshot)",
                    Tags.of("status", status), report, r -> status.equals(r.status()) ? 1 : 0);
        }
        gauge("plinth.control.plane.reachable", "1 when Firestore answers", Tags.empty(), report, r -> r.firestoreReachable() ? 1 : 0);
        kept(Gauge.builder("plinth.control.plane.staleness", report, r -> r.get().stalenessMs() / 1000.0).baseUnit("seconds")
                .description("How far the mirror may be behind Firestore").strongReference(true).register(registry));
        gauge("plinth.control.plane.revision", "The mirrored control plane's data revision", Tags.empty(), report,
                r -> r.dataRevision() == null ? Double.NaN : r.dataRevision());
        for (String name : listeners) {
            Tags tags = Tags.of("listener", name);
            gauge("plinth.listener.live", "1 when the listener's stream is live", tags, report,
                    r -> listener(r, name) != null && "live".equals(listener(r, name).state()) ? 1 : 0);
            kept(Gauge.builder("plinth.listener.read.time", report, r -> {
                Readiness.Listener l = listener(r.get(), name);
                return l == null || l.readTimeMicros() <= 0 ? Double.NaN : l.readTimeMicros() / 1e6;
            }).tags(tags).baseUnit("seconds").description("The listener's snapshot revision: its read time, as Unix time")
                    .strongReference(true).register(registry));
            kept(Gauge.builder("plinth.listener.snapshot.age", report, r -> {
                Readiness.Listener l = listener(r.get(), name);
                return l == null || l.readTimeMicros() <= 0 ? Double.NaN : Math.max(0, clock.millis() / 1e3 - l.readTimeMicros() / 1e6);
            }).tags(tags).baseUnit("seconds").description("How old the listener's snapshot is (now minus its read time)")
                    .strongReference(true).register(registry));
        }
        for (String pool : List.of("decision", "data")) {
            Tags tags = Tags.of("pool", pool);
            poolGauge("plinth.engine.pool.instances", "wasm instances made", tags, engine, pool, PolicyEngine.PoolStatus::created);
            poolGauge("plinth.engine.pool.limit", "the most wasm instances the pool makes", tags, engine, pool, PolicyEngine.PoolStatus::max);
            poolGauge("plinth.engine.pool.in.use", "wasm instances evaluating now", tags, engine, pool, PolicyEngine.PoolStatus::inUse);
            poolGauge("plinth.engine.pool.waiters", "evaluations waiting for an instance", tags, engine, pool, PolicyEngine.PoolStatus::waiting);
        }
    }

    private <M extends io.micrometer.core.instrument.Meter> M kept(M meter) {
        registered.add(meter);
        return meter;
    }

    /** Removes every meter this instance registered. */
    @Override
    public void close() {
        bundle.register(List.of(), true);
        for (var meter : registered) {
            registry.remove(meter);
        }
        registered.clear();
    }

    private static Readiness.Listener listener(Readiness.Report r, String name) {
        return r.listeners().get(name);
    }

    private void gauge(String name, String description, Tags tags, OncePerScrape<Readiness.Report> report,
                       ToDoubleFunction<Readiness.Report> value) {
        kept(Gauge.builder(name, report, r -> value.applyAsDouble(r.get())).tags(tags).description(description)
                .strongReference(true).register(registry));
    }

    private void poolGauge(String name, String description, Tags tags, Supplier<PolicyEngine> engine, String pool,
                           java.util.function.ToIntFunction<PolicyEngine.PoolStatus> value) {
        kept(Gauge.builder(name, engine, e -> value.applyAsInt("decision".equals(pool) ? e.get().decisionPool() : e.get().isolatedPool()))
                .tags(tags).description(description).strongReference(true).register(registry));
    }

    /**
     * One readiness report for all the gauges of a scrape: a scrape reads them within
     * milliseconds, so a report younger than a second is the same scrape's.
     */
    private static final class OncePerScrape<T> {
        private final Supplier<T> source;
        private T value;
        private long at;

        OncePerScrape(Supplier<T> source) {
            this.source = source;
        }

        synchronized T get() {
            long now = System.nanoTime();
            if (value == null || now - at > 1_000_000_000L) {
                value = source.get();
                at = now;
            }
            return value;
        }
    }

    private static Duration[] durations(double... seconds) {
        var out = new Duration[seconds.length];
        for (int i = 0; i < seconds.length; i++) {
            out[i] = Duration.ofNanos(Math.round(seconds[i] * 1e9));
        }
        return out;
    }
}
