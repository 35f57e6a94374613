package dev.plinth.api;

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
            ObjectNode system = (ObjectNode) JSON.readTree(plinth.get("/v1/admin/tenants/t_system", admin()).body());
            system.remove("id");
            ((ObjectNode) system.path("defaults")).putObject("realtime").put("recheck_ms", 200).put("max_stream_ms", 60_000)
                    .put("max_buffered_events", 5).put("max_streams_per_user", 2);
            plinth.send("PUT", "/v1/admin/tenants/t_system", admin(), system.toString());
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
