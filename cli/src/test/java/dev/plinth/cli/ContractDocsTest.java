package dev.plinth.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/contract is what the code generates: regenerate with ./plinth contract when this fails. */
class ContractDocsTest {

    @Test
    void committedContractMatchesTheGeneratedOne() throws Exception {
        Path docs = Path.of("..", "docs", "contract");
        var expected = ContractCommand.files(docs);
        assertThat(expected).hasSizeGreaterThan(5);
        for (var file : expected.entrySet()) {
            assertThat(file.getKey()).as("run ./plinth contract").exists();
            assertThat(Files.readString(file.getKey())).as(file.getKey() + " is stale: run ./plinth contract")
                    .isEqualTo(ContractCommand.render(file.getValue()));
        }
    }

    @Test
    void openApiStatesWhatTheRoutesTakeAndAnswer() throws Exception {
        var files = ContractCommand.files(Path.of("x"));
        var doc = new com.fasterxml.jackson.databind.ObjectMapper().readTree(ContractCommand.render(files.get(Path.of("x", "openapi.json"))));
        var paths = doc.path("paths");
        assertThat(names(paths.path("/v1/admin/tenants").path("get"))).contains("page_size", "page_token", "X-Min-Revision", "X-Surface-Id");
        assertThat(names(paths.path("/v1/admin/tenants/{id}").path("delete"))).contains("If-Match", "cascade");
        assertThat(names(paths.path("/v1/admin/modes/{id}").path("delete"))).contains("If-Match").doesNotContain("cascade");
        assertThat(names(paths.path("/v1/admin/tenants/{id}").path("put"))).contains("If-Match");
        assertThat(paths.path("/v1/admin/tenants").path("post").path("responses").has("201")).isTrue();
        assertThat(paths.path("/v1/data/*").path("post").path("responses").has("200")).as("a POST that creates nothing").isTrue();
        assertThat(paths.path("/v1/policies/bundles/{name}").path("put").path("responses").has("201")).isTrue();
        assertThat(doc.path("components").path("securitySchemes").path("bearer").path("scheme").asText()).isEqualTo("bearer");
        // Every model operation's body and answer, not just the operation names.
        var operate = paths.path("/v1/resources/{kind}/{key}/{op}").path("post");
        assertThat(operate.at("/requestBody/content/application~1json/schema/oneOf").toString())
                .contains("lock acquire").contains("\"owner\"").contains("\"ttl_ms\"").contains("\"fencing_token\"").contains("\"amount\"");
        assertThat(operate.path("x-plinth-operations").toString()).contains("\"expires_at_ms\"").contains("INSUFFICIENT_BUDGET");
        assertThat(names(operate)).contains("Idempotency-Key");
    }

    private static java.util.List<String> names(com.fasterxml.jackson.databind.JsonNode op) {
        var out = new java.util.ArrayList<String>();
        // Context headers are shared components, referenced by name.
        op.path("parameters").forEach(p -> out.add(p.has("$ref")
                ? p.path("$ref").asText().substring("#/components/parameters/".length()) : p.path("name").asText()));
        return out;
    }

    @Test
    void schemasUseSnakeCaseGrammarsAndDescribeEveryPrimitive() throws Exception {
        var files = ContractCommand.files(Path.of("x"));
        String tenant = ContractCommand.render(files.get(Path.of("x", "schemas", "tenant.json")));
        assertThat(tenant).contains("\"allowed_envs\"").contains("^t_[a-z0-9_-]{1,62}$").doesNotContain("allowedEnvs");
        assertThat(files.keySet()).extracting(p -> p.getFileName().toString())
                .contains("membership.json", "surface.json", "app.json", "project.json", "mode.json", "request_context.json");
    }
}
