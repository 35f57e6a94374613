package dev.plinth.api;

import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plinth.core.bootstrap.BootstrapConfig;
import dev.plinth.core.library.Plinth;
import dev.plinth.testing.RestartableFirestore;
import dev.plinth.testing.TestInfra;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * A replica opens its port before its control plane is loaded: while Firestore has not
 * answered the listeners, health is observable (live 200, ready 503) and decisions answer
 * 503 NOT_READY; once Firestore answers, the same process becomes ready. Firestore is made
 * slow deterministically by freezing the emulator (SIGSTOP) right after the seed check.
 */
class ServesWhileLoadingTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void healthAnswersAndDecisionsAreNotReadyUntilTheControlPlaneIsLoaded() throws Exception {
        String project = TestInfra.newProjectId(ServesWhileLoadingTest.class);
        Path home = Files.createTempDirectory("plinth-loading");
        int port;
        try (var socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Logger plinthLog = Logger.getLogger(Plinth.class.getName());
        try (var firestore = new RestartableFirestore(project)) {
            // Freeze Firestore once the seed is checked, before the listeners subscribe.
            var frozen = new AtomicBoolean();
            Handler freeze = new Handler() {
                @Override
                public void publish(LogRecord record) {
                    if (String.valueOf(record.getMessage()).contains("seed version") && frozen.compareAndSet(false, true)) {
                        firestore.pause();
                    }
                }

                @Override
                public void flush() {}

                @Override
                public void close() {}
            };
            plinthLog.addHandler(freeze);
            BootstrapConfig config = TestPlinth.config(project, home, firestore.host(), port);
            CompletableFuture<PlinthServer> starting = CompletableFuture.supplyAsync(() -> {
                try {
                    return PlinthServer.start(config);
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            try {
                HttpResponse<String> live = awaitAnswer(port, "/health/live");
                assertThat(frozen).isTrue();
                assertThat(live.statusCode()).isEqualTo(200);
                var ready = get(port, "/health/ready", Map.of());
                assertThat(ready.statusCode()).isEqualTo(503);
                assertThat(JSON.readTree(ready.body()).path("status").asText()).isEqualTo("DOWN");
                var decision = get(port, "/v1/context", TestPlinth.admin());
                assertThat(decision.statusCode()).isEqualTo(503);
                assertThat(JSON.readTree(decision.body()).path("code").asText()).isEqualTo("NOT_READY");
                assertThat(starting).as("start returns only once ready").isNotDone();

                firestore.resume();
                try (PlinthServer server = starting.get(120, TimeUnit.SECONDS)) {
                    assertThat(server.port()).isEqualTo(port);
                    assertThat(get(port, "/health/ready", Map.of()).statusCode()).isEqualTo(200);
                    assertThat(get(port, "/v1/context", TestPlinth.admin()).statusCode()).isEqualTo(200);
                }
            } finally {
                plinthLog.removeHandler(freeze);
                firestore.resume();
                if (!starting.isDone()) {
                    starting.cancel(true);
                }
            }
        }
    }

    private static HttpResponse<String> awaitAnswer(int port, String path) {
        // Not listening yet is an IOException: ignored until the port answers, up to 60 s.
        return await("port " + port + path + " answers").atMost(java.time.Duration.ofSeconds(60))
                .pollInterval(java.time.Duration.ofMillis(100)).ignoreExceptionsInstanceOf(java.io.IOException.class)
                .until(() -> get(port, path, Map.of()), java.util.Objects::nonNull);
    }

    private static HttpResponse<String> get(int port, String path, Map<String, String> headers) throws Exception {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET();
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
