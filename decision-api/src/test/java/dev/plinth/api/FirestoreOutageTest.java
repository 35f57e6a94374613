package dev.plinth.api;

import static dev.plinth.api.TestPlinth.admin;
import static dev.plinth.api.TestPlinth.as;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plinth.testing.RestartableFirestore;
import dev.plinth.testing.TestInfra;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Firestore stopped and restarted under a running replica: decisions continue on the last
 * snapshot, writes are refused with 503, health says DEGRADED; once Firestore is back,
 * writes succeed and new data decides — without restarting the replica.
 */
class FirestoreOutageTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void decisionsContinueWritesAre503AndEverythingResumes() throws Exception {
        String project = TestInfra.newProjectId(FirestoreOutageTest.class);
        try (var firestore = new RestartableFirestore(project);
             var plinth = TestPlinth.startOn(project, Files.createTempDirectory("plinth-outage"), firestore.host())) {
            assertThat(plinth.get("/v1/context", admin()).statusCode()).isEqualTo(200);

            firestore.stop();
            await(plinth, "/health/ready", r -> r.body().contains("\"DEGRADED\""));
            assertThat(plinth.get("/v1/context", admin()).statusCode()).as("fail-static decision").isEqualTo(200);
            var write = plinth.send("POST", "/v1/admin/modes", admin(), "{\"id\": \"during\"}");
            assertThat(write.statusCode()).isEqualTo(503);
            assertThat(JSON.readTree(write.body()).path("code").asText()).isEqualTo("CONTROL_PLANE_UNAVAILABLE");

            firestore.start();
            await(plinth, "/health/ready", r -> r.body().contains("\"UP\""));
            // The first write after a restart may meet UNAVAILABLE inside the client; it is retried.
            var after = plinth.send("POST", "/v1/admin/tenants", admin(), "{\"id\": \"t_after\", \"allowed_envs\": [\"dev\"]}");
            assertThat(after.statusCode()).as(after.body()).isEqualTo(201);
            // References are checked in Firestore, in the write's transaction: no need to wait for the snapshot.
            var member = plinth.send("POST", "/v1/admin/tenants/t_after/members", admin(),
                    "{\"id\": \"u_admin\", \"roles\": [\"owner\"]}");
            assertThat(member.statusCode()).as(member.body()).isEqualTo(201);
            // The replica re-subscribes when Firestore answers again and catches up.
            await(plinth, "/v1/context", TestPlinth.as("u_admin", "t_after", "dev"), r -> r.statusCode() == 200);
        }
    }

    /**
     * Firestore frozen (SIGSTOP: connections stay open, nothing answers) just as an admin write
     * is sent: the write answers 503 within its bound, which is data
     * ({@code t_system.defaults.write_timeout_ms}), instead of holding the request (it held it
     * ~30 s before). The client gives up after 8 s, so a write that waited the old 30 s fails the test.
     */
    @Test
    void aControlPlaneWriteInFlightWhenFirestoreFreezesAnswersWithinItsDataBound() throws Exception {
        String project = TestInfra.newProjectId(FirestoreOutageTest.class);
        try (var firestore = new RestartableFirestore(project);
             var plinth = TestPlinth.startOn(project, Files.createTempDirectory("plinth-freeze"), firestore.host());
             var db = plinth.firestore()) {
            db.document("tenants/t_system").update("defaults.write_timeout_ms", 1000).get();
            org.awaitility.Awaitility.await("the bound applied").atMost(java.time.Duration.ofSeconds(10))
                    .until(() -> plinth.server.controlPlane().snapshot().orElseThrow().platform().writeTimeout().toMillis() == 1000);
            var client = java.net.http.HttpClient.newHttpClient();
            var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + plinth.server.port()
                            + "/v1/admin/modes")).timeout(java.time.Duration.ofSeconds(8))
                    .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{\"id\": \"frozen\"}"))
                    .header("Content-Type", "application/json");
            admin().forEach(request::header);
            firestore.pause();
            try {
                var write = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
                assertThat(write.statusCode()).as(write.body()).isEqualTo(503);
                assertThat(JSON.readTree(write.body()).path("code").asText()).isEqualTo("CONTROL_PLANE_UNAVAILABLE");
                assertThat(JSON.readTree(write.body()).path("detail").asText()).as("refused by the bound, not by the heartbeat")
                        .contains("within 1000 ms").contains("write_timeout_ms").contains("Idempotency-Key");
            } finally {
                firestore.resume();
            }
        }
    }

    /**
     * The same for everything else that waits on Firestore: a Firestore-routed resource read
     * and write (bound: {@code store_timeout_ms}) and an admin read (bound: {@code write_timeout_ms})
     * answer 503 naming their bound while Firestore is frozen, all attempts included: a read
     * used to retry three (resources) or six (admin) times at 10 s each. The client gives up
     * after 8 s, so the old waits fail the test.
     */
    @Test
    void readsAndResourceWritesInFlightWhenFirestoreFreezesAnswerWithinTheirDataBounds() throws Exception {
        String project = TestInfra.newProjectId(FirestoreOutageTest.class);
        try (var firestore = new RestartableFirestore(project);
             var plinth = TestPlinth.startOn(project, Files.createTempDirectory("plinth-freeze"), firestore.host());
             var db = plinth.firestore()) {
            db.document("tenants/t_system").update("defaults.write_timeout_ms", 1000, "defaults.store_timeout_ms", 1200).get();
            org.awaitility.Awaitility.await("the bounds applied").atMost(java.time.Duration.ofSeconds(10))
                    .until(() -> plinth.server.controlPlane().snapshot().orElseThrow().platform().storeTimeout().toMillis() == 1200);
            var h = as("u_admin", "t_system", "dev");
            assertThat(plinth.send("PUT", "/v1/resources/memory/k", h, "{\"n\": 1}").statusCode()).isEqualTo(200);
            var client = java.net.http.HttpClient.newHttpClient();
            firestore.pause();
            try {
                // The admin read first: a second later the heartbeat has noticed, and the admin API refuses at once.
                for (String[] call : new String[][] {{"GET", "/v1/admin/modes", "write_timeout_ms", "within 1000 ms"},
                        {"GET", "/v1/resources/memory/k", "store_timeout_ms", "within 1200 ms"},
                        {"PUT", "/v1/resources/memory/k2", "store_timeout_ms", "1200 ms"}}) {
                    var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + plinth.server.port()
                            + call[1])).timeout(java.time.Duration.ofSeconds(8))
                            .method(call[0], call[0].equals("PUT") ? java.net.http.HttpRequest.BodyPublishers.ofString("{\"n\": 2}")
                                    : java.net.http.HttpRequest.BodyPublishers.noBody())
                            .header("Content-Type", "application/json");
                    (call[1].startsWith("/v1/admin") ? admin() : h).forEach(request::header);
                    var answer = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
                    assertThat(answer.statusCode()).as(call[0] + " " + call[1] + ": " + answer.body()).isEqualTo(503);
                    assertThat(JSON.readTree(answer.body()).path("detail").asText()).as(call[0] + " " + call[1])
                            .contains(call[3]).contains(call[2]);
                }
            } finally {
                firestore.resume();
            }
        }
    }

    private static void await(TestPlinth plinth, String path, Predicate<HttpResponse<String>> condition) throws Exception {
        await(plinth, path, java.util.Map.of(), condition);
    }

    private static void await(TestPlinth plinth, String path, java.util.Map<String, String> headers,
                              Predicate<HttpResponse<String>> condition) throws Exception {
        // Up to 60 s: the emulator's listener reconnect takes 5–15 s.
        org.awaitility.Awaitility.await(path + " meets the condition").atMost(java.time.Duration.ofSeconds(60)).pollInterval(java.time.Duration.ofMillis(100))
                .until(() -> plinth.get(path, headers), condition);
    }
}
