package dev.plinth.api;

import static org.awaitility.Awaitility.await;
import static dev.plinth.api.TestPlinth.admin;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * One heavy decision cannot stall everyone: an evaluation that runs past the deadline (data:
 * {@code evaluation_deadline_ms}) is stopped inside the wasm execution and answered 503
 * EVALUATION_DEADLINE, the next evaluation works; and while the Data API's pool is saturated
 * by such evaluations (health shows it), request authorization has its own instances and
 * keeps answering.
 */
class EvaluationBoundsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** Four million iterations: seconds of wasm work, little memory. */
    private static final String SPIN = "\nspin := count([i | some i in numbers.range(1, 2000); some j in numbers.range(1, 2000); i == j])\n";

    @Test
    void aSlowEvaluationIsStoppedAtItsDeadlineAndCannotStarveAuthorization() throws Exception {
        try (var plinth = TestPlinth.start(EvaluationBoundsTest.class)) {
            byte[] bundle = OpaBuild.build("spin", rego -> rego.contains("package plinth.realtime") ? rego + SPIN : rego,
                    "-e", "plinth/realtime/spin");
            var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + plinth.server.port() + "/v1/policies/bundles/spin"))
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(bundle)).header("Content-Type", "application/gzip");
            admin().forEach(request::header);
            var uploaded = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            assertThat(uploaded.statusCode()).as(uploaded.body()).isEqualTo(201);
            String revision = JSON.readTree(uploaded.body()).path("revision").asText();
            assertThat(plinth.send("POST", "/v1/policies/active", admin(), "{\"name\": \"spin\"}").statusCode()).isEqualTo(200);

            ObjectNode system = (ObjectNode) JSON.readTree(plinth.get("/v1/admin/tenants/t_system", admin()).body());
            system.remove("id");
            ((ObjectNode) system.path("defaults")).put("evaluation_deadline_ms", 300);
            plinth.send("PUT", "/v1/admin/tenants/t_system", admin(), system.toString());
            awaitHealth(plinth, h -> h.path("bundle_revision").asText().equals(revision) && h.at("/evaluation/deadline_ms").asLong() == 300);

            var stopped = plinth.send("POST", "/v1/data/plinth/realtime/spin", admin(), "{\"input\": {}}");
            assertThat(stopped.statusCode()).as(stopped.body()).isEqualTo(503);
            assertThat(JSON.readTree(stopped.body()).path("code").asText()).isEqualTo("EVALUATION_DEADLINE");
            var after = plinth.send("POST", "/v1/data/plinth/authz/decision", admin(), "{\"input\": {}}");
            assertThat(after.statusCode()).as("the stopped instance was replaced: " + after.body()).isEqualTo(200);

            // Saturate the Data API's pool (one instance on two cores) with slow evaluations...
            var slow = new ArrayList<CompletableFuture<HttpResponse<String>>>();
            for (int i = 0; i < 3; i++) {
                var r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + plinth.server.port() + "/v1/data/plinth/realtime/spin"))
                        .POST(HttpRequest.BodyPublishers.ofString("{\"input\": {}}")).header("Content-Type", "application/json");
                admin().forEach(r::header);
                slow.add(HTTP.sendAsync(r.build(), HttpResponse.BodyHandlers.ofString()));
            }
            awaitHealth(plinth, h -> h.at("/evaluation/data_pool/waiting").asInt() > 0);
            // ...authorization still has its own instances.
            var context = plinth.get("/v1/context", admin());
            assertThat(context.statusCode()).as(context.body()).isEqualTo(200);
            for (var f : slow) {
                assertThat(f.get().statusCode()).as(f.get().body()).isEqualTo(503);
                assertThat(JSON.readTree(f.get().body()).path("code").asText()).isIn("EVALUATION_DEADLINE", "EVALUATION_BUSY");
            }
        }
    }

    private static void awaitHealth(TestPlinth plinth, java.util.function.Predicate<JsonNode> condition) {
        await("health shows the expected state").atMost(java.time.Duration.ofSeconds(10)).pollInterval(java.time.Duration.ofMillis(10))
                .until(() -> JSON.readTree(plinth.get("/health/ready", Map.of()).body()), condition);
    }
}
