package dev.plinth.api;

import static dev.plinth.api.TestPlinth.admin;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plinth.api.http.Contract;
import dev.plinth.core.inputs.AclInput;
import dev.plinth.core.inputs.PolicyInputs;
import dev.plinth.datasync.model.Json;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The published input schemas (docs/contract/inputs/) describe what the policies really
 * receive: every field of every input the engine evaluated while a server served real
 * requests is declared in its entrypoint's schema, at every depth the schema describes.
 */
class PolicyInputSchemasTest {

    @Test
    void everyFieldAnEntrypointReceivesIsInItsPublishedSchema() throws Exception {
        var schemas = Contract.inputSchemas();
        assertThat(schemas.keySet()).containsExactly("plinth_authz_decision", "plinth_authz_route", "plinth_routing_backend",
                "plinth_realtime_acl");
        try (var plinth = TestPlinth.start(PolicyInputSchemasTest.class)) {
            // Requests that reach the three cached entrypoints with their optional parts present.
            assertThat(plinth.get("/v1/context", admin()).statusCode()).isEqualTo(200);
            assertThat(plinth.get("/v1/routes/feature_flags", admin()).statusCode()).isEqualTo(200);
            assertThat(plinth.send("POST", "/v1/admin/tenants", admin(), "{\"id\": \"t_schema\", \"allowed_envs\": [\"dev\"]}")
                    .statusCode()).isEqualTo(201);
            assertThat(plinth.send("POST", "/v1/admin/tenants/t_schema/members", admin(),
                    "{\"id\": \"u_admin\", \"roles\": [\"owner\"], \"tenant_id\": \"t_schema\"}").statusCode()).isEqualTo(201);
            var seen = new HashSet<String>();
            for (var entry : plinth.server.core().engine().sample().entries()) {
                String name = entry.entrypoint().replace('/', '_');
                JsonNode schema = schemas.get(name);
                assertThat(schema).as("a schema for " + entry.entrypoint()).isNotNull();
                List<String> undeclared = new ArrayList<>();
                undeclared(entry.input(), schema, schema, "input", undeclared);
                assertThat(undeclared).as(entry.entrypoint() + " receives fields its schema does not declare: " + entry.input()).isEmpty();
                seen.add(name);
            }
            assertThat(seen).as("every cached entrypoint was exercised").contains("plinth_authz_decision", "plinth_authz_route",
                    "plinth_routing_backend");
        }
        // The ACL input is not cached (so not sampled): checked as the service builds it.
        var acl = Json.MAPPER.valueToTree(new AclInput("publish",
                new dev.plinth.core.context.RequestContext("t_x", "dev", "u_x", List.of("member"), "saas", null, null, null, 1, "r"),
                Json.MAPPER.readTree("{\"readers\": [\"u_x\"]}")));
        List<String> undeclared = new ArrayList<>();
        undeclared(acl, schemas.get("plinth_realtime_acl"), schemas.get("plinth_realtime_acl"), "input", undeclared);
        assertThat(undeclared).isEmpty();
        assertThat(PolicyInputs.BY_ENTRYPOINT).hasSize(schemas.size());
    }

    /** Collects the paths of object fields the schema does not declare, following $ref, items and map values. */
    private static void undeclared(JsonNode value, JsonNode schema, JsonNode root, String path, List<String> out) {
        if (schema.has("$ref")) {
            String ref = schema.get("$ref").asText();
            schema = ref.equals("#") ? root : root.at(ref.substring(1));
        }
        if (value.isObject() && schema.has("properties")) {
            Set<String> declared = new HashSet<>();
            schema.get("properties").fieldNames().forEachRemaining(declared::add);
            JsonNode properties = schema.get("properties");
            value.fields().forEachRemaining(f -> {
                if (!declared.contains(f.getKey())) {
                    out.add(path + "." + f.getKey());
                } else {
                    undeclared(f.getValue(), properties.get(f.getKey()), root, path + "." + f.getKey(), out);
                }
            });
        } else if (value.isObject() && schema.path("additionalProperties").isObject()) {
            JsonNode values = schema.get("additionalProperties");
            value.fields().forEachRemaining(f -> undeclared(f.getValue(), values, root, path + "." + f.getKey(), out));
        } else if (value.isArray() && schema.has("items")) {
            for (JsonNode item : value) {
                undeclared(item, schema.get("items"), root, path + "[]", out);
            }
        }
    }
}
