package dev.plinth.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plinth.engine.api.EngineException;
import dev.plinth.engine.api.PolicyEngine;
import java.util.ArrayList;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The built-in wasm bundle, evaluated on Chicory, decides as the Rego tests say. */
class AuthzDecisionTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static PolicyEngine engine;

    @BeforeAll
    static void load() throws Exception {
        engine = PolicyEngine.builtin();
        engine.replaceData(1, JSON.readTree("{\"plinth\":{\"defaults\":{\"mode\":\"saas\"}}}"));
    }

    static String input(String credentials, String tenantHeader, boolean member) {
        return """
            {"credentials": %s,
             "request": {"tenant_id": %s, "env": "dev"},
             "tenant": {"id": "t_acme", "status": "active", "allowed_envs": ["dev"], "display_name": "Zürich 東京 ✓"},
             "user": {"id": "u_ana", "status": "active"},
             %s
             "revision": 7}
            """.formatted(credentials, tenantHeader, member
                ? "\"membership\": {\"roles\": [\"owner\"], \"status\": \"active\"},"
                : "");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
        valid context                 | {"present": true, "verified": true} | "t_acme"    | true  | 200 | OK
        no credentials                | {"present": false}                  | "t_acme"    | true  | 401 | UNAUTHENTICATED
        bad signature                 | {"present": true, "verified": false, "error": "bad signature"} | "t_acme" | true | 401 | UNAUTHENTICATED
        malformed tenant              | {"present": true, "verified": true} | "Acme Inc"  | true  | 400 | MALFORMED_CONTEXT
        missing tenant                | {"present": true, "verified": true} | null        | true  | 400 | MALFORMED_CONTEXT
        no membership                 | {"present": true, "verified": true} | "t_acme"    | false | 403 | FORBIDDEN
        """)
    void decides(String caseName, String credentials, String tenant, boolean member, int status, String code) throws Exception {
        JsonNode d = engine.evaluate("plinth/authz/decision", JSON.readTree(input(credentials, tenant, member))).orElseThrow();
        assertThat(d.path("status").asInt()).isEqualTo(status);
        assertThat(d.path("code").asText()).isEqualTo(code);
        assertThat(d.path("allow").asBoolean()).isEqualTo(status == 200);
    }

    @Test
    void resolvedContextCarriesModeRolesAndRevision() throws Exception {
        JsonNode d = engine.evaluate("plinth/authz/decision",
                JSON.readTree(input("{\"present\": true, \"verified\": true}", "\"t_acme\"", true))).orElseThrow();
        assertThat(d.path("context")).isEqualTo(JSON.readTree("""
            {"tenant_id": "t_acme", "env": "dev", "user_id": "u_ana", "roles": ["owner"],
             "mode": "saas", "surface_id": null, "app_id": null, "project_id": null}"""));
    }

    @Test
    void multiByteUtf8InDataAndInputSurvivesTheWasmBoundary() throws Exception {
        // Non-ASCII strings longer in UTF-8 bytes than in chars, in both data and input.
        String name = "Zürich 東京 ✓ 🚀".repeat(200);
        engine.replaceData(2, JSON.readTree("{\"plinth\":{\"defaults\":{\"mode\":\"mode-é-" + name + "\"}}}"));
        try {
            JsonNode in = JSON.readTree(input("{\"present\": true, \"verified\": true}", "\"t_acme\"", true));
            ((com.fasterxml.jackson.databind.node.ObjectNode) in.get("user")).put("id", "u_" + name);
            JsonNode d = engine.evaluate("plinth/authz/decision", in).orElseThrow();
            assertThat(d.path("context").path("user_id").asText()).isEqualTo("u_" + name);
            assertThat(d.path("context").path("mode").asText()).isEqualTo("mode-é-" + name);
        } finally {
            engine.replaceData(3, JSON.readTree("{\"plinth\":{\"defaults\":{\"mode\":\"saas\"}}}"));
        }
    }

    @Test
    void concurrentEvaluationsFromManyThreadsAreAllCorrect() throws Exception {
        var tasks = new ArrayList<Callable<Boolean>>();
        for (int i = 0; i < 2_000; i++) {
            boolean member = i % 2 == 0;
            String user = "u_" + i;
            tasks.add(() -> {
                JsonNode in = JSON.readTree(input("{\"present\": true, \"verified\": true}", "\"t_acme\"", member));
                ((com.fasterxml.jackson.databind.node.ObjectNode) in.get("user")).put("id", user);
                JsonNode d = engine.evaluate("plinth/authz/decision", in).orElseThrow();
                return member
                        ? d.path("status").asInt() == 200 && d.path("context").path("user_id").asText().equals(user)
                        : d.path("status").asInt() == 403 && d.path("reason").asText().contains(user);
            });
        }
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Future<Boolean> f : pool.invokeAll(tasks)) {
                assertThat(f.get()).isTrue();
            }
        }
        assertThat(engine.poolSize()).isLessThanOrEqualTo(Runtime.getRuntime().availableProcessors());
    }

    @Test
    void decisionCacheAnswersEqualKeysAndForgetsWhenGlobalDataChanges() throws Exception {
        var cached = new PolicyEngine(dev.plinth.engine.api.Bundle.builtin(), 1, 100);
        cached.replaceData(1, JSON.readTree("{\"plinth\":{\"defaults\":{\"mode\":\"saas\"}}}"));
        JsonNode in = JSON.readTree(input("{\"present\": true, \"verified\": true}", "\"t_acme\"", true));
        int[] built = {0};
        java.util.function.Supplier<JsonNode> input = () -> {
            built[0]++;
            return in;
        };
        assertThat(cached.evaluateCached("plinth/authz/decision", "k", input).orElseThrow().at("/context/mode").asText()).isEqualTo("saas");
        assertThat(cached.evaluateCached("plinth/authz/decision", "k", input).orElseThrow().at("/context/mode").asText()).isEqualTo("saas");
        assertThat(built[0]).as("second call is a hit").isEqualTo(1);

        cached.replaceData(2, JSON.readTree("{\"plinth\":{\"defaults\":{\"mode\":\"lab\"}}}"));
        assertThat(cached.evaluateCached("plinth/authz/decision", "k", input).orElseThrow().at("/context/mode").asText()).isEqualTo("lab");
        assertThat(built[0]).isEqualTo(2);
    }

    @Test
    void unknownEntrypointIsANamedFailure() {
        assertThatThrownBy(() -> engine.evaluate("plinth/nope", JSON.createObjectNode()))
                .isInstanceOf(EngineException.UnknownEntrypoint.class)
                .hasMessageContaining("plinth/nope");
    }
}
