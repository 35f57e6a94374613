package dev.plinth.api;

import static dev.plinth.api.TestPlinth.admin;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * A replica told to stop (what its SIGTERM hook does) turns not-ready at once while it still
 * serves for the drain period, so a load balancer takes it out of rotation; then the
 * listener closes and a request in flight finishes with its own answer instead of a reset
 * connection; after that nothing is accepted.
 */
class GracefulShutdownTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void notReadyFirstThenInFlightRequestsFinishThenClosed() throws Exception {
        var plinth = TestPlinth.startWith(GracefulShutdownTest.class,
                Map.of("PLINTH_SHUTDOWN_DRAIN_SECONDS", "1", "PLINTH_SHUTDOWN_GRACE_SECONDS", "10"));
        int port = plinth.server.port();
        var http = HttpClient.newHttpClient();
        assertThat(plinth.get("/health/ready", Map.of()).statusCode()).isEqualTo(200);

        // In flight across the whole stop: a read held for a revision this replica never reaches
        // (the seed's min_revision_wait_ms, 2 s), answered 503 REVISION_NOT_REACHED when the wait ends.
        var held = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/context")).timeout(Duration.ofSeconds(30));
        TestPlinth.with(admin(), "X-Min-Revision", "members:99999999999999999").forEach(held::header);
        CompletableFuture<HttpResponse<String>> inFlight = http.sendAsync(held.build(), HttpResponse.BodyHandlers.ofString());

        CompletableFuture<Void> stopped = CompletableFuture.runAsync(() -> {
            try {
                plinth.server.close();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
        await("not ready while still serving").atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(20)).until(() -> {
            var ready = plinth.get("/health/ready", Map.of());
            return ready.statusCode() == 503 && JSON.readTree(ready.body()).path("startup").path("not_ready_reason").asText()
                    .contains("the replica is stopping");
        });
        assertThat(stopped).as("draining, not stopped yet").isNotDone();
        assertThat(plinth.get("/v1/context", admin()).statusCode()).as("still serving during the drain").isEqualTo(200);

        HttpResponse<String> answer = inFlight.get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(503);
        assertThat(JSON.readTree(answer.body()).path("code").asText()).as("its own answer, not a reset").isEqualTo("REVISION_NOT_REACHED");
        stopped.get(30, java.util.concurrent.TimeUnit.SECONDS);
        assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health/live")).build(),
                HttpResponse.BodyHandlers.ofString())).as("closed: nothing accepted").isInstanceOf(java.io.IOException.class);
    }
}
