package dev.plinth.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;

/** OPA's Go evaluator as the oracle: {@code opa eval} of a policy on an input, with the pinned OPA CLI. */
final class OpaOracle {

    private static final ObjectMapper JSON = new ObjectMapper();

    private OpaOracle() {}

    /** data.t.results of a policy on an input, from OPA's evaluator and from Plinth's engine. */
    record Both(JsonNode opa, JsonNode plinth) {}

    static Both results(String rego, JsonNode input) throws Exception {
        JsonNode opa = eval(rego, input, "data.t.results");
        var engine = new dev.plinth.engine.api.PolicyEngine(HostBuiltinsTest.build(rego, "t/results"), 1, 0);
        return new Both(opa, engine.evaluate("t/results", input).orElseThrow());
    }

    /** The value of {@code query} (e.g. data.t.results); a missing node when undefined. */
    static JsonNode eval(String rego, JsonNode input, String query) throws Exception {
        Path dir = Files.createTempDirectory("plinth-opa-oracle");
        Files.writeString(dir.resolve("t.rego"), rego);
        Files.writeString(dir.resolve("input.json"), JSON.writeValueAsString(input));
        Process p = new ProcessBuilder(System.getProperty("plinth.opa.bin"), "eval", "-f", "json", "-d", "t.rego", "-i", "input.json", query)
                .directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
        JsonNode answer = JSON.readTree(out);
        assertThat(answer.has("errors")).as(out).isFalse();
        return answer.at("/result/0/expressions/0/value");
    }
}
