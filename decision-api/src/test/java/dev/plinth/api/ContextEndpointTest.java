package dev.plinth.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** GET /v1/context on a real replica (emulator-backed), through the wasm policy. */
class ContextEndpointTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestPlinth plinth;

    @BeforeAll
    static void start() throws Exception {
        plinth = TestPlinth.start(ContextEndpointTest.class);
    }

    @AfterAll
    static void stop() throws Exception {
        plinth.close();
    }

    private static Map<String, String> headers(String token, String tenant, String env) {
        var h = new HashMap<String, String>();
        if (token != null) {
            h.put("Authorization", "Bearer " + token);
        }
        if (tenant != null) {
            h.put("X-Tenant-Id", tenant);
        }
        if (env != null) {
            h.put("X-Env", env);
        }
        return h;
    }

    @Test
    void seededAdminGetsTheResolvedContext() throws Exception {
        var response = plinth.get("/v1/context", headers(TestPlinth.token("u_admin"), "t_system", "dev"));
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("tenant_id").asText()).isEqualTo("t_system");
        assertThat(body.path("env").asText()).isEqualTo("dev");
        assertThat(body.path("user_id").asText()).isEqualTo("u_admin");
        assertThat(body.path("roles")).extracting(JsonNode::asText).contains("owner", "admin");
        assertThat(body.path("mode").asText()).isEqualTo("enterprise");
        assertThat(body.path("data_revision").asLong()).isPositive();
        assertThat(body.path("bundle_revision").asText()).startsWith("builtin-");
    }

    static Stream<Arguments> refusals() throws Exception {
        String valid = TestPlinth.token("u_admin");
        return Stream.of(
                Arguments.of("no token", headers(null, "t_system", "dev"), 401, "UNAUTHENTICATED"),
                Arguments.of("no token and malformed tenant: 401 first", headers(null, "Nope", "dev"), 401, "UNAUTHENTICATED"),
                Arguments.of("malformed tenant", headers(valid, "System", "dev"), 400, "MALFORMED_CONTEXT"),
                Arguments.of("missing tenant", headers(valid, null, "dev"), 400, "MALFORMED_CONTEXT"),
                Arguments.of("missing env", headers(valid, "t_system", null), 400, "MALFORMED_CONTEXT"),
                Arguments.of("malformed tenant of a non-member: 400 before 403", headers(valid, "T!", "dev"), 400, "MALFORMED_CONTEXT"),
                Arguments.of("no membership", headers(valid, "t_elsewhere", "dev"), 403, "FORBIDDEN"),
                Arguments.of("env not allowed", headers(valid, "t_system", "staging"), 403, "FORBIDDEN"),
                Arguments.of("unknown user", headers(TestPlinth.token("u_nobody"), "t_system", "dev"), 403, "FORBIDDEN"));
    }

    @ParameterizedTest(name = "{0} -> {2}")
    @MethodSource("refusals")
    void refusalsAreProblemJsonWithACode(String name, Map<String, String> headers, int status, String code) throws Exception {
        HttpResponse<String> response = plinth.get("/v1/context", headers);
        assertThat(response.statusCode()).isEqualTo(status);
        assertThat(response.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        JsonNode problem = JSON.readTree(response.body());
        assertThat(problem.path("status").asInt()).isEqualTo(status);
        assertThat(problem.path("code").asText()).isEqualTo(code);
        assertThat(problem.path("detail").asText()).isNotBlank();
    }

    static Stream<Arguments> badTokens() throws Exception {
        Instant now = Instant.now();
        String unsigned = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes())
                + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(
                ("{\"iss\":\"" + TestPlinth.DEV_ISSUER + "\",\"aud\":\"plinth\",\"sub\":\"u_admin\",\"exp\":"
                        + (now.getEpochSecond() + 3600) + "}").getBytes()) + ".";
        return Stream.of(
                Arguments.of("expired", TestPlinth.token(c -> c.expirationTime(Date.from(now.minusSeconds(300))))),
                Arguments.of("not yet valid", TestPlinth.token(c -> c.notBeforeTime(Date.from(now.plusSeconds(600))))),
                Arguments.of("wrong audience", TestPlinth.token(c -> c.audience("someone-else"))),
                Arguments.of("unknown issuer", TestPlinth.token(c -> c.issuer("https://evil.example"))),
                Arguments.of("bad signature", TestPlinth.sign(c -> c, "another-key-0123456789abcdef0123456789abcdef")),
                Arguments.of("alg none", unsigned),
                Arguments.of("garbage", "not.a.jwt"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badTokens")
    void unverifiableTokensAre401(String name, String token) throws Exception {
        var response = plinth.get("/v1/context", headers(token, "t_system", "dev"));
        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(JSON.readTree(response.body()).path("code").asText()).isEqualTo("UNAUTHENTICATED");
        assertThat(response.body()).doesNotContain(TestPlinth.KEY);
    }

    @Test
    void anUnknownRouteIsA404ProblemNotAServerError() throws Exception {
        var response = plinth.get("/v1/no-such-route", headers(TestPlinth.token("u_admin"), "t_system", "dev"));
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(JSON.readTree(response.body()).path("code").asText()).isEqualTo("NOT_FOUND");
    }

    @Test
    void healthIsUnprotectedAndReportsListeners() throws Exception {
        var response = plinth.get("/health/ready", Map.of());
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("listeners").path("members").path("state").asText()).isEqualTo("live");
    }
}
