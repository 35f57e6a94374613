package dev.plinth.api;

import static dev.plinth.api.TestPlinth.admin;
import static dev.plinth.api.TestPlinth.as;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plinth.testing.TestInfra;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * Routed resources on both real backends: documents written through the route the spine
 * chose (Firestore by default, Redis after one route write), partitioned by tenant and env,
 * listed by prefix, and still there after the service restarts.
 */
class RoutedResourcesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void documentsFollowTheRouteAndSurviveARestartOnBothBackends() throws Exception {
        String project = TestInfra.newProjectId(RoutedResourcesTest.class);
        var home = Files.createTempDirectory("plinth-resources");
        var acme = as("u_admin", "t_acme", "dev");
        var acmeProd = as("u_admin", "t_acme", "prod");
        try (var plinth = TestPlinth.startOn(project, home)) {
            plinth.send("POST", "/v1/admin/tenants", admin(), "{\"id\": \"t_acme\", \"allowed_envs\": [\"dev\", \"prod\"]}");
            String rev = JSON.readTree(plinth.send("POST", "/v1/admin/tenants/t_acme/members", admin(),
                    "{\"id\": \"u_admin\", \"roles\": [\"owner\"]}").body()).path("revision").asText();
            acme = TestPlinth.with(acme, "X-Min-Revision", rev);

            // Firestore, the t_system default.
            var put = plinth.send("PUT", "/v1/resources/feature_flags/dark-mode", acme, "{\"enabled\": true}");
            assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
            assertThat(put.headers().firstValue("X-Plinth-Backend")).hasValue("firestore_default");
            plinth.send("PUT", "/v1/resources/feature_flags/dark-roast", acme, "{\"enabled\": false}");
            plinth.send("PUT", "/v1/resources/feature_flags/light", acme, "{\"enabled\": true}");
            assertThat(JSON.readTree(plinth.get("/v1/resources/feature_flags/dark-mode", acme).body()).path("enabled").asBoolean()).isTrue();
            assertThat(plinth.get("/v1/resources/feature_flags/dark-mode", acmeProd).statusCode()).as("env partition").isEqualTo(404);
            JsonNode page = JSON.readTree(plinth.get("/v1/resources/feature_flags?prefix=dark&page_size=1", acme).body());
            assertThat(page.path("items")).hasSize(1);
            assertThat(page.at("/items/0/key").asText()).isEqualTo("dark-mode");
            JsonNode next = JSON.readTree(plinth.get("/v1/resources/feature_flags?prefix=dark&page_size=1&page_token="
                    + page.path("next_page_token").asText(), acme).body());
            assertThat(next.at("/items/0/key").asText()).isEqualTo("dark-roast");

            // One route write moves t_acme's memory to Redis.
            plinth.send("POST", "/v1/admin/backends", admin(), "{\"id\": \"redis_test\", \"type\": \"redis\", \"settings\": "
                    + "{\"host\": \"127.0.0.1\", \"port\": " + TestInfra.shared().redisPort() + "}}");
            String routed = JSON.readTree(plinth.send("POST", "/v1/admin/routes", admin(),
                    "{\"id\": \"acme_memory\", \"kind\": \"memory\", \"tenant\": \"t_acme\", \"backend\": \"redis_test\"}").body())
                    .path("revision").asText();
            var toRedis = plinth.send("PUT", "/v1/resources/memory/note-1", TestPlinth.with(acme, "X-Min-Revision", routed),
                    "{\"text\": \"Zürich 東京\"}");
            assertThat(toRedis.statusCode()).as(toRedis.body()).isEqualTo(200);
            assertThat(toRedis.headers().firstValue("X-Plinth-Backend")).hasValue("redis_test");
            assertThat(plinth.get("/v1/resources/memory?prefix=note", acme).body()).contains("note-1");

            // Copy before the flip: t_acme's feature flags move to Redis without losing any.
            var copy = plinth.send("POST", "/v1/admin/tenants/t_acme/copy", admin(),
                    "{\"kind\": \"feature_flags\", \"from_backend\": \"firestore_default\", \"to_backend\": \"redis_test\"}");
            assertThat(copy.statusCode()).as(copy.body()).isEqualTo(200);
            assertThat(JSON.readTree(copy.body()).path("copied").path("dev").asInt()).isEqualTo(3);
            assertThat(JSON.readTree(copy.body()).path("total").asInt()).isEqualTo(3);
            String flipped = JSON.readTree(plinth.send("POST", "/v1/admin/routes", admin(),
                    "{\"id\": \"acme_flags\", \"kind\": \"feature_flags\", \"tenant\": \"t_acme\", \"backend\": \"redis_test\"}").body())
                    .path("revision").asText();
            var afterFlip = plinth.get("/v1/resources/feature_flags/dark-mode", TestPlinth.with(acme, "X-Min-Revision", flipped));
            assertThat(afterFlip.headers().firstValue("X-Plinth-Backend")).hasValue("redis_test");
            assertThat(JSON.readTree(afterFlip.body()).path("enabled").asBoolean()).isTrue();

            var external = plinth.get("/v1/resources/raw_storage/x", acme);
            assertThat(JSON.readTree(external.body()).path("code").asText()).isEqualTo("KIND_NOT_SERVED");
            var badKey = plinth.send("PUT", "/v1/resources/memory/a%20b", acme, "{}");
            assertThat(badKey.statusCode()).as(badKey.body()).isEqualTo(400);
            assertThat(JSON.readTree(badKey.body()).path("code").asText()).isEqualTo("INVALID_KEY");
        }

        try (var restarted = TestPlinth.startOn(project, home)) {
            var flags = restarted.get("/v1/resources/feature_flags/dark-mode", acme);
            assertThat(flags.statusCode()).isEqualTo(200);
            assertThat(flags.headers().firstValue("X-Plinth-Backend")).hasValue("redis_test");
            var fromRedis = restarted.get("/v1/resources/memory/note-1", acme);
            assertThat(fromRedis.statusCode()).as(fromRedis.body()).isEqualTo(200);
            assertThat(fromRedis.headers().firstValue("X-Plinth-Backend")).hasValue("redis_test");
            assertThat(JSON.readTree(fromRedis.body()).path("text").asText()).isEqualTo("Zürich 東京");
            var deleted = restarted.send("DELETE", "/v1/resources/memory/note-1", acme, null);
            assertThat(deleted.statusCode()).isEqualTo(200);
            assertThat(restarted.get("/v1/resources/memory/note-1", acme).statusCode()).isEqualTo(404);
        }
    }

}
