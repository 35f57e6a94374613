package dev.plinth.api;

import static dev.plinth.api.TestPlinth.admin;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The OPA-compatible Data API answers what the pinned OPA CLI's {@code opa eval} answers on
 * the same policies, data and input (the wasm build against OPA's own evaluator).
 */
class DataApiParityTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestPlinth plinth;
    private static Path data;

    @BeforeAll
    static void start() throws Exception {
        plinth = TestPlinth.start(DataApiParityTest.class);
        data = Files.createTempFile("plinth-data", ".json");
        Files.writeString(data, "{\"plinth\": {\"defaults\": {\"mode\": \"saas\"}}}");
    }

    @AfterAll
    static void stop() throws Exception {
        plinth.close();
    }

    static Stream<Arguments> cases() {
        String ok = "{\"credentials\": {\"present\": true, \"verified\": true}, \"request\": {\"tenant_id\": \"t_a\", \"env\": \"dev\"},"
                + " \"tenant\": {\"id\": \"t_a\", \"status\": \"active\", \"allowed_envs\": [\"dev\"]}, \"user\": {\"id\": \"u_a\", \"status\": \"active\"},"
                + " \"membership\": {\"roles\": [\"owner\"], \"status\": \"active\"}}";
        return Stream.of(
                Arguments.of("plinth/authz/decision", ok),
                Arguments.of("plinth/authz/decision", "{}"),
                Arguments.of("plinth/authz/decision", "{\"credentials\": {\"present\": true, \"verified\": true}, \"request\": {\"tenant_id\": \"T A\", \"env\": \"dev\"}}"),
                Arguments.of("plinth/authz/decision", ok.replace("\"owner\"], \"status\": \"active\"", "\"owner\"], \"status\": \"suspended\"")),
                Arguments.of("plinth/authz/decision", ok.replace("\"t_a\", \"env\": \"dev\"},", "\"t_a\", \"env\": \"dév\"},")),
                Arguments.of("plinth/authz/route", "{\"context\": {\"tenant_id\": \"t_a\", \"env\": \"dev\", \"user_id\": \"u_a\", \"roles\": [\"owner\"]},"
                        + " \"route\": {\"admin\": true, \"kind\": \"members\", \"action\": \"write\"}, \"target\": {\"tenant_id\": \"t_b\"}, \"body\": {}}"),
                Arguments.of("plinth/routing/backend", "{\"kind\": \"kpi\", \"resource_kind\": {\"id\": \"kpi\", \"model\": \"counter\"},"
                        + " \"context\": {\"tenant_id\": \"t_a\"}, \"candidates\": [{\"id\": \"d\", \"kind\": \"kpi\", \"tenant\": \"*\", \"surface\": \"*\","
                        + " \"app\": \"*\", \"project\": \"*\", \"backend\": \"fs\"}], \"backends\": {\"fs\": {\"id\": \"fs\", \"status\": \"active\"}}}"),
                Arguments.of("plinth/routing/backend", "{\"kind\": \"kpi\", \"context\": {\"tenant_id\": \"t_a\"}, \"candidates\": [], \"backends\": {}}"),
                Arguments.of("plinth/realtime/acl", "{\"context\": {\"user_id\": \"u_a\", \"roles\": []}, \"action\": \"publish\", \"thread\": {\"writers\": [\"u_a\"]}}"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("cases")
    void dataApiMatchesOpaEval(String path, String input) throws Exception {
        var response = plinth.send("POST", "/v1/data/" + path, admin(), "{\"input\": " + input + "}");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        JsonNode ours = JSON.readTree(response.body());
        assertThat(ours.path("decision_id").asText()).isNotBlank();
        assertThat(ours.at("/provenance/bundle_revision").asText()).startsWith("builtin-");
        assertThat(ours.path("result")).isEqualTo(opaEval(path, input));
    }

    @ParameterizedTest(name = "undefined: {0}")
    @org.junit.jupiter.params.provider.ValueSource(strings = {"plinth/nothing/here", "plinth/authz"})
    void undefinedPathsAnswer200WithoutResult(String path) throws Exception {
        var response = plinth.send("POST", "/v1/data/" + path, admin(), "{\"input\": {}}");
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(response.body()).has("result")).isFalse();
    }

    /** The value {@code opa eval} computes, or a missing node when undefined. */
    private static JsonNode opaEval(String path, String input) throws Exception {
        Path in = Files.createTempFile("plinth-input", ".json");
        Files.writeString(in, input);
        Process p = new ProcessBuilder(System.getProperty("plinth.opa.bin"), "eval", "--v1-compatible", "--format", "json",
                "-d", System.getProperty("plinth.rego.dir"), "-d", data.toString(), "-i", in.toString(),
                "data." + path.replace('/', '.'))
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
        return JSON.readTree(out).at("/result/0/expressions/0/value");
    }
}
