package dev.plinth.bench;

import dev.plinth.core.context.RequestContext;
import dev.plinth.core.routing.Routing;
import dev.plinth.datasync.model.PersistentMap;
import dev.plinth.datasync.model.Records;
import dev.plinth.datasync.model.Snapshot;
import dev.plinth.engine.api.Bundle;
import dev.plinth.engine.api.PolicyEngine;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * In-process routing decision ({@code Routing.backendFor}): candidate routes found by ≤ 16
 * look-ups, then {@code plinth/routing/backend} through the decision cache or in wasm every
 * call. 10,000 tenants, every tenth with its own route for the kind, 15 kinds with defaults.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgs = {"-Xmx2g", "--enable-native-access=ALL-UNNAMED"})
public class RoutingBenchmark {

    @Param({"true", "false"})
    public boolean decisionCache;

    private Routing routing;
    private RequestContext[] contexts;
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        var routes = new HashMap<String, Records.Route>();
        var kinds = new HashMap<String, Records.ResourceKind>();
        for (String kind : List.of("feature_flags", "memory", "kpi", "budgets", "strategy_lock", "maybes", "seo", "firearms",
                "page_content", "analytics_events", "rate_limits", "realtime_registry", "chat_bus", "raw_storage", "vector_index")) {
            kinds.put(kind, new Records.ResourceKind(kind, "document", null, null));
            routes.put("default_" + kind, new Records.Route("default_" + kind, kind, "*", "*", "*", "*", "fs"));
        }
        for (int t = 0; t < 10_000; t += 10) {
            routes.put("r" + t, new Records.Route("r" + t, "feature_flags", "t_" + t, "*", "*", "*", "redis"));
        }
        var backends = Map.of(
                "fs", new Records.Backend("fs", "firestore", Map.of("database", "(default)"), Map.of(), "active"),
                "redis", new Records.Backend("redis", "redis", Map.of("host", "127.0.0.1", "port", 6379), Map.of(), "active"));
        var e = new Snapshot.Entities(Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), Map.of(), Map.of(),
                Map.of(), backends, PersistentMap.from(routes), kinds);
        Snapshot snapshot = Snapshot.of(1, Map.of(), e);
        PolicyEngine engine = new PolicyEngine(Bundle.builtin(), Runtime.getRuntime().availableProcessors(),
                decisionCache ? 100_000 : 0);
        routing = new Routing(() -> Optional.of(snapshot), () -> engine);
        contexts = new RequestContext[1024];
        var random = new java.util.Random(7);
        for (int i = 0; i < contexts.length; i++) {
            contexts[i] = new RequestContext("t_" + random.nextInt(10_000), "dev", "u_x", List.of("member"), "saas",
                    null, null, null, 1, "b");
        }
    }

    @Benchmark
    public Routing.Resolved backendFor() {
        next = (next + 1) & 1023;
        return routing.backendFor(contexts[next], "feature_flags");
    }
}
