package dev.plinth.api;

import static org.awaitility.Awaitility.await;
import static dev.plinth.api.TestPlinth.admin;
import static dev.plinth.api.TestPlinth.as;
import static dev.plinth.api.TestPlinth.with;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * Open streams re-resolve the caller's whole context, not only the thread's ACL: suspending
 * the member ends its open stream with a revoked reason although the ACL still lists it; a
 * stream's length and the streams per user are bounded by data (400 beyond max_stream_ms,
 * 429 beyond max_streams_per_user); a backlog larger than a subscriber's buffer ends the
 * stream as slow_consumer instead of being held.
 */
class StreamBoundsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void streamsEndWhenTheCallerIsSuspendedAndAreBoundedByData() throws Exception {
        try (var plinth = TestPlinth.start(StreamBoundsTest.class)) {
            setRealtime(plinth, 60_000, 5, 2, 10_000);
            plinth.send("POST", "/v1/admin/tenants", admin(), "{\"id\": \"t_streams\", \"allowed_envs\": [\"dev\"]}");
            plinth.send("POST", "/v1/admin/users", admin(), "{\"id\": \"u_listener\", \"identities\": [{\"issuer\": \""
                    + TestPlinth.DEV_ISSUER + "\", \"subject\": \"u_listener\"}]}");
            plinth.send("POST", "/v1/admin/tenants/t_streams/members", admin(), "{\"id\": \"u_admin\", \"roles\": [\"owner\"]}");
            String rev = JSON.readTree(plinth.send("POST", "/v1/admin/tenants/t_streams/members", admin(),
                    "{\"id\": \"u_listener\", \"roles\": [\"member\"]}").body()).path("revision").asText();
            var owner = with(as("u_admin", "t_streams", "dev"), "X-Min-Revision", rev);
            var listener = with(as("u_listener", "t_streams", "dev"), "X-Min-Revision", rev);
            assertThat(plinth.send("PUT", "/v1/realtime/threads/room", owner, "{\"readers\": [\"u_listener\"], \"writers\": [\"u_admin\"]}")
                    .statusCode()).isEqualTo(200);

            var tooLong = plinth.get("/v1/realtime/threads/room/events?max_ms=60001", listener);
            assertThat(tooLong.statusCode()).as(tooLong.body()).isEqualTo(400);

            // A backlog beyond the subscriber's buffer of 5 is not held: the stream ends.
            for (int i = 0; i < 20; i++) {
                plinth.send("POST", "/v1/realtime/threads/room/messages", owner, "{\"message\": " + i + "}");
            }
            String flooded = String.join("\n", stream(plinth, listener, "max_ms=10000").get());
            assertThat(flooded).contains("\"reason\":\"slow_consumer\"");

            // Two streams are allowed, a third is 429; then suspending the member ends the open ones.
            long now = System.currentTimeMillis();
            var first = opened(plinth, listener, "max_ms=30000&from_ms=" + now).get(); // headers: it was admitted
            var second = opened(plinth, listener, "max_ms=30000&from_ms=" + now).get();
            assertThat(first.statusCode()).isEqualTo(200);
            assertThat(second.statusCode()).isEqualTo(200);
            var third = plinth.get("/v1/realtime/threads/room/events?max_ms=100&from_ms=" + now, listener);
            assertThat(third.statusCode()).as(third.body()).isEqualTo(429);
            assertThat(JSON.readTree(third.body()).path("code").asText()).isEqualTo("TOO_MANY_STREAMS");

            assertThat(plinth.send("PUT", "/v1/admin/tenants/t_streams/members/u_listener", admin(),
                    "{\"roles\": [\"member\"], \"status\": \"suspended\"}").statusCode()).isEqualTo(200);
            for (var open : List.of(first, second)) {
                String ended = String.join("\n", open.body().toList());
                assertThat(ended).as("the ACL still lists the reader; the membership does not").contains("\"reason\":\"revoked\"")
                        .contains("\"code\":\"FORBIDDEN\"");
            }
        }
    }

    @Test
    void aSubscriberThatStopsReadingIsDisconnected() throws Exception {
        try (var plinth = TestPlinth.start(StreamBoundsTest.class)) {
            // A buffer large enough to hold the whole history: only the stalled write can end this stream.
            setRealtime(plinth, 600_000, 1000, 1, 500);
            plinth.send("POST", "/v1/admin/tenants", admin(), "{\"id\": \"t_stall\", \"allowed_envs\": [\"dev\"]}");
            String rev = JSON.readTree(plinth.send("POST", "/v1/admin/tenants/t_stall/members", admin(),
                    "{\"id\": \"u_admin\", \"roles\": [\"owner\"]}").body()).path("revision").asText();
            var owner = with(as("u_admin", "t_stall", "dev"), "X-Min-Revision", rev);
            assertThat(plinth.send("PUT", "/v1/realtime/threads/room", owner, "{\"readers\": [], \"writers\": [\"u_admin\"]}")
                    .statusCode()).isEqualTo(200);
            String big = "x".repeat(200_000);
            for (int i = 0; i < 40; i++) { // 8 MB of history: more than the sockets' buffers hold
                assertThat(plinth.send("POST", "/v1/realtime/threads/room/messages", owner, "{\"message\": \"" + big + "\"}")
                        .statusCode()).isEqualTo(200);
            }

            try (var socket = new java.net.Socket()) {
                socket.setReceiveBufferSize(4096);
                socket.connect(new java.net.InetSocketAddress("127.0.0.1", plinth.server.port()));
                var request = new StringBuilder("GET /v1/realtime/threads/room/events?max_ms=600000 HTTP/1.1\r\nHost: x\r\n");
                owner.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
                socket.getOutputStream().write(request.append("\r\n").toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                socket.getOutputStream().flush();
                socket.setSoTimeout(30_000);
                String status0 = new String(socket.getInputStream().readNBytes(12), java.nio.charset.StandardCharsets.US_ASCII);
                assertThat(status0).as("admitted: it holds the caller's only stream slot").isEqualTo("HTTP/1.1 200");
                // Read no more. The slot frees only when the server lets the stream go.
                long now = System.currentTimeMillis();
                // The event waited for is the slot freeing; until then every probe is refused 429.
                await("the stalled stream was disconnected and its slot freed").atMost(java.time.Duration.ofSeconds(30))
                        .pollInterval(java.time.Duration.ofMillis(50))
                        .until(() -> {
                            var probe = plinth.get("/v1/realtime/threads/room/events?max_ms=100&from_ms=" + now, owner);
                            assertThat(probe.statusCode()).as(probe.body()).isIn(200, 429);
                            return probe.statusCode() == 200;
                        });
                String received = new String(socket.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                assertThat(received).as("cut off mid-write, without an end event").doesNotContain("event:end").doesNotContain("event: end");
            }
        }
    }

    /** Replaces {@code t_system.defaults.realtime} (re-checked every 200 ms). */
    private static void setRealtime(TestPlinth plinth, long maxStreamMs, int maxBuffered, int perUser, long maxStallMs) throws Exception {
        ObjectNode system = (ObjectNode) JSON.readTree(plinth.get("/v1/admin/tenants/t_system", admin()).body());
        system.remove("id");
        ((ObjectNode) system.path("defaults")).putObject("realtime").put("recheck_ms", 200).put("max_stream_ms", maxStreamMs)
                .put("max_buffered_events", maxBuffered).put("max_streams_per_user", perUser).put("max_write_stall_ms", maxStallMs);
        assertThat(plinth.send("PUT", "/v1/admin/tenants/t_system", admin(), system.toString()).statusCode()).isEqualTo(200);
    }

    /** A stream whose response headers have arrived (the server admitted and authorized it). */
    private static CompletableFuture<HttpResponse<java.util.stream.Stream<String>>> opened(TestPlinth plinth, Map<String, String> headers,
                                                                                           String query) {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + plinth.server.port() + "/v1/realtime/threads/room/events?" + query));
        headers.forEach(request::header);
        return HTTP.sendAsync(request.build(), HttpResponse.BodyHandlers.ofLines());
    }

    private static CompletableFuture<List<String>> stream(TestPlinth plinth, Map<String, String> headers, String query) {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + plinth.server.port() + "/v1/realtime/threads/room/events?" + query));
        headers.forEach(request::header);
        return HTTP.sendAsync(request.build(), HttpResponse.BodyHandlers.ofLines()).thenApply(r -> r.body().toList());
    }
}
