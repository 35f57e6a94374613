package dev.plinth.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plinth.core.auth.TokenVerifier;
import dev.plinth.core.context.ContextResolver;
import dev.plinth.datasync.model.Snapshot;
import dev.plinth.datasync.secrets.ControlPlaneSecretResolver;
import dev.plinth.datasync.secrets.FileSecretProvider;
import dev.plinth.engine.api.Bundle;
import dev.plinth.engine.api.PolicyEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
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
 * The engine alone on one {@code plinth/authz/decision} query: the input Plinth itself
 * builds for a member of a 100-tenant control plane, and the global data it loads. The
 * same query, policy, data and input go to {@code opa bench} (OPA's in-process Go
 * evaluator): setup writes them to {@code target/engine-bench/}, and {@code ./plinth bench
 * engine} runs both.
 *
 * <p>{@code wasm}: every call evaluated on Chicory (compiled or interpreted), through the
 * instance pool; run with {@code -t 2} to see the pool size matter. {@code cached}: the
 * decision cache hit that serves repeated facts in production.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgs = {"--enable-native-access=ALL-UNNAMED"})
public class EngineBenchmark {

    static final Path FILES = Path.of("target/engine-bench");

    @Param({"COMPILED", "INTERPRETED"})
    public PolicyEngine.Execution execution;

    @Param({"1", "2"})
    public int poolSize;

    private PolicyEngine engine;
    private JsonNode input;
    private final Object key = new Object();

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        Snapshot snapshot = AuthzDecisionBenchmark.world(100, 10);
        input = capturedInput(snapshot);
        engine = new PolicyEngine(Bundle.builtin(), poolSize, 1_000, execution);
        engine.replaceData(1, snapshot.globalData());
        Files.createDirectories(FILES);
        Files.writeString(FILES.resolve("input.json"), input.toString());
        Files.writeString(FILES.resolve("data.json"), snapshot.globalData().toString());
        if (engine.evaluate(ContextResolver.ENTRYPOINT, input).map(d -> d.path("allow").asBoolean()).orElse(false) != true) {
            throw new IllegalStateException("the captured input is not an allowed decision: " + input);
        }
    }

    /** The input ContextResolver builds for one member's request (read back from the engine's decision sample). */
    static JsonNode capturedInput(Snapshot snapshot) throws Exception {
        Path secrets = Files.createTempFile("plinth-bench", ".json");
        Files.writeString(secrets, "{\"dev_jwt_signing_key\": \"" + AuthzDecisionBenchmark.KEY + "\"}");
        var tokens = new TokenVerifier(new ControlPlaneSecretResolver(() -> snapshot, List.of(new FileSecretProvider(secrets))),
                Clock.systemUTC(), 10);
        var capture = new PolicyEngine(Bundle.builtin(), 1, 10);
        capture.replaceData(1, snapshot.globalData());
        new ContextResolver(() -> Optional.of(snapshot), () -> capture, tokens)
                .resolve(dev.plinth.core.auth.Credentials.bearer(AuthzDecisionBenchmark.token("u_7_3")),
                        dev.plinth.core.context.Scope.of("t_7", "prod"));
        return capture.sample().entries().getFirst().input();
    }

    @Benchmark
    public Object wasm() {
        return engine.evaluate(ContextResolver.ENTRYPOINT, input);
    }

    @Benchmark
    public Object cached() {
        return engine.evaluateCached(ContextResolver.ENTRYPOINT, key, () -> input);
    }
}
