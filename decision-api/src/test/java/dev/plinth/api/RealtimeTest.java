package dev.plinth.api;

import static dev.plinth.api.TestPlinth.admin;
import static dev.plinth.api.TestPlinth.as;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plinth.testing.TestInfra;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The realtime substrate on both chat-bus backends: ACL-checked publishing, Server-Sent
 * Events to ACL-allowed subscribers, an ACL change ending an open stream, and ACLs and
 * messages intact after the service restarts.
 */
class RealtimeTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @ParameterizedTest
    @ValueSource(strings = {"firestore", "redis"})
    void aclDecidesPublishAndSubscribeAndSurvivesARestart(String bus) throws Exception {
        String project = TestInfra.newProjectId(RealtimeTest.class);
        var home = Files.createTempDirectory("plinth-realtime");
        String tenant = "t_" + bus;
        try (var plinth = TestPlinth.startOn(project, home)) {
            String rev = world(plinth, tenant, bus);
            var writer = TestPlinth.with(as("u_writer", tenant, "dev"), "X-Min-Revision", rev);
            var reader = TestPlinth.with(as("u_reader", tenant, "dev"), "X-Min-Revision", rev);
            var stranger = TestPlinth.with(as("u_stranger", tenant, "dev"), "X-Min-Revision", rev);

            var acl = plinth.send("PUT", "/v1/realtime/threads/general", writer, "{\"readers\": [\"u_reader\"], \"writers\": [\"u_writer\"]}");
            assertThat(acl.statusCode()).as(acl.body()).isEqualTo(200);

            var published = plinth.send("POST", "/v1/realtime/threads/general/messages", writer, "{\"message\": {\"text\": \"hello\"}}");
            assertThat(published.statusCode()).as(published.body()).isEqualTo(200);
            assertThat(JSON.readTree(published.body()).path("backend").asText()).isEqualTo(bus.equals("redis") ? "redis_bus" : "firestore_default");
            assertThat(plinth.send("POST", "/v1/realtime/threads/general/messages", reader, "{\"message\": \"nope\"}").statusCode()).isEqualTo(403);
            assertThat(plinth.get("/v1/realtime/threads/general/events?max_ms=200", stranger).statusCode()).isEqualTo(403);

            // A live subscriber gets the backlog, then a message published while it listens: the
            // backlog's first message proves the subscription is open before "live" is sent.
            var live = openStream(plinth, reader, "max_events=2&max_ms=10000");
            var lines = new java.util.ArrayList<String>(untilFirstMessage(live));
            plinth.send("POST", "/v1/realtime/threads/general/messages", writer, "{\"message\": {\"text\": \"live\"}}");
            live.forEachRemaining(lines::add);
            assertThat(lines).filteredOn(l -> l.equals("event:message")).hasSize(2);
            assertThat(String.join("\n", lines)).contains("\"reason\":\"max_events\"");
            assertThat(String.join("\n", lines)).contains("hello").contains("live").contains("u_writer");

            // Revoking the reader ends its open stream with a revoked event (the backlog's first
            // message shows the stream is open before the ACL changes).
            var open = openStream(plinth, reader, "max_ms=15000");
            untilFirstMessage(open);
            assertThat(plinth.send("PUT", "/v1/realtime/threads/general", writer, "{\"readers\": [], \"writers\": [\"u_writer\"]}").statusCode())
                    .isEqualTo(200);
            var rest = new java.util.ArrayList<String>();
            open.forEachRemaining(rest::add);
            String ended = String.join("\n", rest);
            assertThat(ended).contains("event:end").contains("\"reason\":\"revoked\"").contains("\"code\":\"FORBIDDEN\"");
            plinth.send("PUT", "/v1/realtime/threads/general", writer, "{\"readers\": [\"u_reader\"], \"writers\": [\"u_writer\"]}");
        }

        try (var restarted = TestPlinth.startOn(project, home)) {
            var reader = as("u_reader", tenant, "dev");
            assertThat(restarted.send("POST", "/v1/realtime/threads/general/messages", reader, "{\"message\": \"still no\"}").statusCode())
                    .as("the ACL survived the restart").isEqualTo(403);
            List<String> history = stream(restarted, reader, "max_events=2&max_ms=5000").get();
            assertThat(String.join("\n", history)).contains("hello").contains("live");
        }
    }

    /** Tenant, users, memberships and (for redis) the chat_bus route; answers the last revision. */
    private static String world(TestPlinth plinth, String tenant, String bus) throws Exception {
        plinth.send("POST", "/v1/admin/tenants", admin(), "{\"id\": \"" + tenant + "\", \"allowed_envs\": [\"dev\"]}");
        String rev = null;
        for (String user : new String[] {"u_writer", "u_reader", "u_stranger"}) {
            plinth.send("POST", "/v1/admin/users", admin(), "{\"id\": \"" + user + "\", \"identities\": [{\"issuer\": \""
                    + TestPlinth.DEV_ISSUER + "\", \"subject\": \"" + user + "\"}]}");
            rev = JSON.readTree(plinth.send("POST", "/v1/admin/tenants/" + tenant + "/members", admin(),
                    "{\"id\": \"" + user + "\", \"roles\": [\"member\"]}").body()).path("revision").asText();
        }
        if (bus.equals("redis")) {
            plinth.send("POST", "/v1/admin/backends", admin(), "{\"id\": \"redis_bus\", \"type\": \"redis\", \"settings\": "
                    + "{\"host\": \"127.0.0.1\", \"port\": " + TestInfra.shared().redisPort() + "}}");
            rev = JSON.readTree(plinth.send("POST", "/v1/admin/routes", admin(), "{\"id\": \"bus_" + tenant
                    + "\", \"kind\": \"chat_bus\", \"tenant\": \"" + tenant + "\", \"backend\": \"redis_bus\"}").body()).path("revision").asText();
        }
        // Membership and route writes land in two listeners: make sure both are applied.
        plinth.get("/v1/routes/chat_bus", TestPlinth.with(as("u_writer", tenant, "dev"), "X-Min-Revision", rev));
        return rev;
    }

    /** A stream's lines as they arrive (the call returns once the response has begun). */
    private static java.util.Iterator<String> openStream(TestPlinth plinth, Map<String, String> headers, String query) throws Exception {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + plinth.server.port()
                + "/v1/realtime/threads/general/events?" + query));
        headers.forEach(request::header);
        var response = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body().iterator();
    }

    /** Reads up to and including the first message event; answers the lines read. */
    private static List<String> untilFirstMessage(java.util.Iterator<String> lines) {
        var read = new java.util.ArrayList<String>();
        while (lines.hasNext()) {
            String line = lines.next();
            read.add(line);
            if (line.equals("event:message")) {
                return read;
            }
        }
        throw new AssertionError("the stream ended before its first message: " + read);
    }

    private static CompletableFuture<List<String>> stream(TestPlinth plinth, Map<String, String> headers, String query) {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + plinth.server.port()
                + "/v1/realtime/threads/general/events?" + query));
        headers.forEach(request::header);
        return HTTP.sendAsync(request.build(), HttpResponse.BodyHandlers.ofLines())
                .thenApply(r -> r.body().toList());
    }
}
