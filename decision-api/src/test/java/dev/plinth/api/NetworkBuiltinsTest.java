package dev.plinth.api;

import static dev.plinth.api.TestPlinth.admin;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * http.send is off unless data lists the hosts it may reach: a bundle calling it is refused
 * at upload naming the setting; once enabled, calls go to a local HTTP server the test
 * starts, a host outside the list answers OPA's error shape, a response over the size bound
 * and a server that never answers are errors within the bounds, and force_cache keeps a
 * response across evaluations.
 */
class NetworkBuiltinsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static final String RULE = """

            fetched := http.send(object.union({"method": "get", "raise_error": false}, input.request))
            """;

    @Test
    void httpSendIsOffUntilDataListsTheHostThenBounded() throws Exception {
        var hits = new AtomicInteger();
        var never = new CountDownLatch(1);
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/ok", ex -> {
            hits.incrementAndGet();
            byte[] body = "{\"allowed\": true}".getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.createContext("/big", ex -> {
            byte[] body = "x".repeat(5_000).getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.createContext("/stall", ex -> {
            try {
                never.await(); // never answers: the call's timeout must end it
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
        String base = "http://127.0.0.1:" + server.getAddress().getPort();
        try (var plinth = TestPlinth.start(NetworkBuiltinsTest.class)) {
            byte[] bundle = OpaBuild.build("network", rego -> rego.contains("package plinth.realtime") ? rego + RULE : rego,
                    "-e", "plinth/realtime/fetched");
            var refused = upload(plinth, bundle);
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(400);
            assertThat(JSON.readTree(refused.body()).path("detail").asText()).contains("http.send")
                    .contains("tenants/t_system.defaults.network_builtins.http_send.allowed_hosts");

            ObjectNode system = (ObjectNode) JSON.readTree(plinth.get("/v1/admin/tenants/t_system", admin()).body());
            system.remove("id");
            ((ObjectNode) system.path("defaults")).putObject("network_builtins").put("timeout_ms", 2_000).put("max_response_bytes", 1_000)
                    .putObject("http_send").putArray("allowed_hosts").add("127.0.0.1");
            var put = plinth.send("PUT", "/v1/admin/tenants/t_system", admin(), system.toString());
            assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
            String dataRevision = JSON.readTree(put.body()).path("revision").asText();

            var uploaded = upload(plinth, bundle);
            assertThat(uploaded.statusCode()).as(uploaded.body()).isEqualTo(201);
            String revision = JSON.readTree(uploaded.body()).path("revision").asText();
            assertThat(plinth.send("POST", "/v1/policies/active", admin(), "{\"name\": \"network\"}").statusCode()).isEqualTo(200);
            plinth.awaitBundleRevision(revision);

            JsonNode ok = fetch(plinth, dataRevision, "{\"url\": \"" + base + "/ok\"}");
            assertThat(ok.path("status_code").asInt()).as(ok.toString()).isEqualTo(200);
            assertThat(ok.path("body").path("allowed").asBoolean()).isTrue();

            JsonNode other = fetch(plinth, dataRevision, "{\"url\": \"http://localhost:" + server.getAddress().getPort() + "/ok\"}");
            assertThat(other.path("status_code").asInt()).isZero();
            assertThat(other.path("error").path("message").asText()).contains("disallowed host: localhost");

            JsonNode big = fetch(plinth, dataRevision, "{\"url\": \"" + base + "/big\"}");
            assertThat(big.path("error").path("message").asText()).contains("larger than 1000 bytes");

            JsonNode stalled = fetch(plinth, dataRevision, "{\"url\": \"" + base + "/stall\", \"timeout\": \"300ms\"}");
            assertThat(stalled.path("error").path("code").asText()).isEqualTo("eval_http_send_network_error");
            assertThat(stalled.path("error").path("message").asText()).contains("timed out");

            // Beyond the evaluation deadline (1 s, below the data's 2 s): the evaluation is stopped, not held.
            var held = plinth.send("POST", "/v1/data/plinth/realtime/fetched", TestPlinth.with(admin(), "X-Min-Revision", dataRevision),
                    "{\"input\": {\"request\": {\"url\": \"" + base + "/stall\"}}}");
            assertThat(held.statusCode()).as(held.body()).isEqualTo(503);
            assertThat(JSON.readTree(held.body()).path("code").asText()).isEqualTo("EVALUATION_DEADLINE");

            int before = hits.get();
            String cached = "{\"url\": \"" + base + "/ok?c=1\", \"force_cache\": true, \"force_cache_duration_seconds\": 60}";
            fetch(plinth, dataRevision, cached);
            fetch(plinth, dataRevision, cached);
            assertThat(hits.get() - before).as("force_cache keeps the first response").isEqualTo(1);
        } finally {
            never.countDown();
            server.stop(0);
        }
    }

    private static JsonNode fetch(TestPlinth plinth, String revision, String request) throws Exception {
        var r = plinth.send("POST", "/v1/data/plinth/realtime/fetched", TestPlinth.with(admin(), "X-Min-Revision", revision),
                "{\"input\": {\"request\": " + request + "}}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body()).path("result");
    }

    private static HttpResponse<String> upload(TestPlinth plinth, byte[] bytes) throws Exception {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + plinth.server.port() + "/v1/policies/bundles/network"))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)).header("Content-Type", "application/gzip");
        admin().forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
