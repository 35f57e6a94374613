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
}
