package dev.plinth.api;

import static dev.plinth.api.TestPlinth.admin;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The small side doors of issue 14's point 11, each a regression test: permanent input errors
 * are 4xx (an over-long id was 503), the Data API's root is not a 500, the impact diff
 * refuses malformed cases, and a backend cannot carry a secret in its settings (they are shown
 * to every member through /v1/routes).
 */
class SmallSideDoorsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestPlinth plinth;

    @BeforeAll
    static void start() throws Exception {
        plinth = TestPlinth.start(SmallSideDoorsTest.class);
    }

    @AfterAll
    static void stop() throws Exception {
        plinth.close();
    }

    private static String code(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body()).path("code").asText();
    }

    @Test
    void anOverLongIdIsAClientError() throws Exception {
        var r = plinth.send("POST", "/v1/admin/tenants", admin(), "{\"id\": \"t_" + "a".repeat(2000) + "\", \"allowed_envs\": [\"dev\"]}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(code(r)).isEqualTo("VALIDATION_FAILED");
        var header = plinth.get("/v1/context", TestPlinth.with(admin(), "X-Tenant-Id", "t_" + "a".repeat(63)));
        assertThat(header.statusCode()).isEqualTo(400);
        assertThat(code(header)).isEqualTo("MALFORMED_CONTEXT");
    }

    @Test
    void theDataApiRootIsUndefinedNotAnError() throws Exception {
        for (String path : new String[] {"/v1/data", "/v1/data/"}) {
            var r = plinth.get(path, admin());
            assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
            assertThat(JSON.readTree(r.body()).has("result")).isFalse();
        }
    }

    @Test
    void theImpactDiffRefusesMalformedCases() throws Exception {
        for (String body : new String[] {"{\"inputs\": {}}", "{\"inputs\": [42]}", "{\"inputs\": [{\"entrypoint\": \"plinth/authz/decision\"}]}",
                "{\"inputs\": [{\"entrypoint\": \"nowhere/at/all\", \"input\": {}}]}"}) {
            var r = plinth.send("POST", "/v1/policies/bundles/none/diff", admin(), body);
            assertThat(r.statusCode()).as(body + " -> " + r.body()).isIn(400, 404);
        }
    }

    @Test
    void backendSettingsCannotHoldSecrets() throws Exception {
        var r = plinth.send("POST", "/v1/admin/backends", admin(), "{\"id\": \"leaky\", \"type\": \"redis\", \"settings\": "
                + "{\"host\": \"127.0.0.1\", \"port\": 6379, \"auth\": \"hunter2\"}}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(400);
        assertThat(r.body()).contains("'auth'").doesNotContain("hunter2");
    }

    @Test
    void anAdminWriteRetriedWithItsIdempotencyKeyAnswersTheFirstOutcome() throws Exception {
        var keyed = TestPlinth.with(admin(), "Idempotency-Key", "create-t-idem");
        String body = "{\"id\": \"t_idem\", \"allowed_envs\": [\"dev\"]}";
        var first = plinth.send("POST", "/v1/admin/tenants", keyed, body);
        var retry = plinth.send("POST", "/v1/admin/tenants", keyed, body);
        assertThat(first.statusCode()).as(first.body()).isEqualTo(201);
        assertThat(retry.statusCode()).as("not 409 ALREADY_EXISTS: " + retry.body()).isEqualTo(201);
        assertThat(JSON.readTree(retry.body()).path("revision").asText()).isEqualTo(JSON.readTree(first.body()).path("revision").asText());
        var other = plinth.send("POST", "/v1/admin/tenants", keyed, "{\"id\": \"t_idem2\", \"allowed_envs\": [\"dev\"]}");
        assertThat(other.statusCode()).as(other.body()).isEqualTo(422);
        assertThat(code(other)).isEqualTo("IDEMPOTENCY_KEY_REUSED");
        assertThat(plinth.get("/v1/admin/tenants/t_idem2", admin()).statusCode()).isEqualTo(404);

        var delete = TestPlinth.with(admin(), "Idempotency-Key", "delete-t-idem");
        assertThat(plinth.send("DELETE", "/v1/admin/tenants/t_idem", delete, null).statusCode()).isEqualTo(200);
        assertThat(plinth.send("DELETE", "/v1/admin/tenants/t_idem", delete, null).statusCode()).as("not 404").isEqualTo(200);
    }

    @Test
    void aRetriedRollbackOrPublishWithItsKeyHappensOnce() throws Exception {
        // The built-in bundle uploaded under a name and activated (so there is a previous), then a
        // keyed rollback and its retry: without the key the retry would swap back.
        byte[] builtin;
        try (var in = dev.plinth.engine.api.Bundle.class.getClassLoader().getResourceAsStream(dev.plinth.engine.api.Bundle.BUILTIN_RESOURCE)) {
            builtin = in.readAllBytes();
        }
        var upload = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + plinth.server.port() + "/v1/policies/bundles/again"))
                .PUT(java.net.http.HttpRequest.BodyPublishers.ofByteArray(builtin)).header("Content-Type", "application/gzip");
        admin().forEach(upload::header);
        assertThat(java.net.http.HttpClient.newHttpClient().send(upload.build(), HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(201);
        assertThat(plinth.send("POST", "/v1/policies/active", admin(), "{\"name\": \"again\"}").statusCode()).isEqualTo(200);
        var keyed = TestPlinth.with(admin(), "Idempotency-Key", "rollback-once");
        var first = plinth.send("POST", "/v1/policies/active", keyed, "{\"rollback\": true}");
        var retry = plinth.send("POST", "/v1/policies/active", keyed, "{\"rollback\": true}");
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        assertThat(retry.body()).as("the retry answers the first rollback instead of swapping back").isEqualTo(first.body());

        var writer = TestPlinth.with(admin(), "Idempotency-Key", "acl-once");
        assertThat(plinth.send("PUT", "/v1/realtime/threads/once", writer, "{\"readers\": [], \"writers\": [\"u_admin\"]}").statusCode())
                .isEqualTo(200);
        var message = TestPlinth.with(admin(), "Idempotency-Key", "message-once");
        for (int i = 0; i < 2; i++) {
            assertThat(plinth.send("POST", "/v1/realtime/threads/once/messages", message, "{\"message\": \"hi\"}").statusCode()).isEqualTo(200);
        }
        String events = plinth.get("/v1/realtime/threads/once/events?max_ms=1000", admin()).body();
        assertThat(events.lines().filter(l -> l.equals("event:message")).count()).as(events).isEqualTo(1);
    }
}
