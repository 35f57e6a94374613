package dev.plinth.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plinth.engine.api.Bundle;
import dev.plinth.engine.api.PolicyEngine;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Raw wasm evaluation of {@code plinth/authz/decision} through the instance pool (no decision
 * cache), to be run with {@code -t 1}, {@code -t 2} and {@code -t 8} threads: the pool has one
 * instance per core, so beyond two threads callers queue for an instance.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 5)
@Measurement(iterations = 5, time = 5)
@Fork(value = 1, jvmArgs = {"--enable-native-access=ALL-UNNAMED"})
public class PoolBenchmark {

    private PolicyEngine engine;
    private JsonNode input;

    @Setup(Level.Trial)
    public void setUp() throws Exception {
        var json = new ObjectMapper();
        engine = new PolicyEngine(Bundle.builtin(), Runtime.getRuntime().availableProcessors(), 0);
        engine.replaceData(1, json.readTree("{\"plinth\": {\"defaults\": {\"mode\": \"saas\"}}}"));
        input = json.readTree("{\"credentials\": {\"present\": true, \"verified\": true}, \"request\": {\"tenant_id\": \"t_a\", \"env\": \"dev\"},"
                + " \"tenant\": {\"id\": \"t_a\", \"status\": \"active\", \"allowed_envs\": [\"dev\"]}, \"user\": {\"id\": \"u_a\", \"status\": \"active\"},"
                + " \"membership\": {\"roles\": [\"owner\"], \"status\": \"active\"}}");
    }

    @Benchmark
    public Object evaluate() {
        return engine.evaluate("plinth/authz/decision", input);
    }
}
