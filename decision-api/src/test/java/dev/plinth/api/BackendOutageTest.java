package dev.plinth.api;

import static org.awaitility.Awaitility.await;
import static dev.plinth.api.TestPlinth.admin;
import static dev.plinth.api.TestPlinth.as;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plinth.testing.RestartableRedis;
import org.junit.jupiter.api.Test;

/**
 * Redis stopped under a running replica: kinds routed to it answer 503 BACKEND_UNAVAILABLE
 * (nothing half-written), kinds routed to Firestore keep working, and after Redis is back
 * its data (append-only file) and service return without a restart of Plinth.
 */
class BackendOutageTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void redisDownIs503ForRedisKindsOnly() throws Exception {
        try (var redis = new RestartableRedis(); var plinth = TestPlinth.start(BackendOutageTest.class)) {
            plinth.send("POST", "/v1/admin/backends", admin(), "{\"id\": \"redis_flaky\", \"type\": \"redis\", \"settings\": "
                    + "{\"host\": \"127.0.0.1\", \"port\": " + redis.port() + "}}");
            String revision = JSON.readTree(plinth.send("POST", "/v1/admin/routes", admin(),
                    "{\"id\": \"flaky_memory\", \"kind\": \"memory\", \"backend\": \"redis_flaky\", \"tenant\": \"t_system\"}").body())
                    .path("revision").asText();
            var headers = TestPlinth.with(as("u_admin", "t_system", "dev"), "X-Min-Revision", revision);
            assertThat(plinth.send("PUT", "/v1/resources/memory/before", headers, "{\"n\": 1}").statusCode()).isEqualTo(200);

            redis.stop();
            var down = plinth.send("PUT", "/v1/resources/memory/during", headers, "{\"n\": 2}");
            assertThat(down.statusCode()).as(down.body()).isEqualTo(503);
            assertThat(JSON.readTree(down.body()).path("code").asText()).isEqualTo("BACKEND_UNAVAILABLE");
            assertThat(plinth.send("PUT", "/v1/resources/feature_flags/still-fine", headers, "{\"on\": true}").statusCode())
                    .as("firestore-routed kinds keep working").isEqualTo(200);

            redis.start();
            // Lettuce reconnects by itself.
            await("redis reads answer again").atMost(java.time.Duration.ofSeconds(5)).pollInterval(java.time.Duration.ofMillis(100))
                    .until(() -> plinth.get("/v1/resources/memory/before", headers).statusCode() == 200);
            assertThat(plinth.get("/v1/resources/memory/during", headers).statusCode()).as("the refused write left nothing").isEqualTo(404);
        }
    }
}
