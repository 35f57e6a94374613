package dev.plinth.api;

import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A membership written to Firestore decides on a live replica, and both the seeded and the
 * added data still decide after the service is stopped and started again on the same data.
 */
class RestartTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void seededAndAddedDataStillDecideAfterARestart() throws Exception {
        String project = dev.plinth.testing.TestInfra.newProjectId(RestartTest.class);
        Path home = Files.createTempDirectory("plinth-restart");
        var ana = Map.of("Authorization", "Bearer " + TestPlinth.token("u_ana"), "X-Tenant-Id", "t_acme", "X-Env", "prod");
        var admin = Map.of("Authorization", "Bearer " + TestPlinth.token("u_admin"), "X-Tenant-Id", "t_system", "X-Env", "dev");

        try (var first = TestPlinth.startOn(project, home); var db = first.firestore()) {
            assertThat(first.get("/v1/context", ana).statusCode()).isEqualTo(403);
            db.document("tenants/t_acme").set(Map.of("status", "active", "allowed_envs", List.of("prod"), "mode", "lab")).get();
            db.document("users/u_ana").set(Map.of("status", "active",
                    "identities", List.of(Map.of("issuer", TestPlinth.DEV_ISSUER, "subject", "u_ana")))).get();
            db.document("tenants/t_acme/members/u_ana").set(Map.of("roles", List.of("member"), "status", "active")).get();
            awaitStatus(first, ana, 200);
        }

        try (var second = TestPlinth.startOn(project, home)) {
            var response = second.get("/v1/context", ana);
            assertThat(response.statusCode()).isEqualTo(200);
            assertThat(JSON.readTree(response.body()).path("mode").asText()).isEqualTo("lab");
            assertThat(second.get("/v1/context", admin).statusCode()).isEqualTo(200);
        }
    }

    /** Listener propagation is asynchronous: poll (bounded) until the replica has applied the write. */
    private static void awaitStatus(TestPlinth plinth, Map<String, String> headers, int status) {
        await("/v1/context answers " + status).atMost(java.time.Duration.ofSeconds(10)).pollInterval(java.time.Duration.ofMillis(50))
                .until(() -> plinth.get("/v1/context", headers).statusCode() == status);
    }
}
