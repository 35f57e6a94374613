package dev.plinth.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plinth.api.http.RouteSpec;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every protected route, enumerated from the route table the server registers (a new route
 * is covered without touching this test), answers the context contract: 401 without or
 * with a bad token, 400 for a missing or malformed tenant, 403 without membership, 403
 * CONTEXT_MISMATCH for a body naming another tenant, 400 for a query parameter the route
 * does not declare, and no context error when everything is valid (and, when it succeeds,
 * the success status the route declares).
 */
class RouteMatrixTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Set<String> CONTEXT_ERRORS = Set.of("UNAUTHENTICATED", "MALFORMED_CONTEXT", "FORBIDDEN", "CONTEXT_MISMATCH");
    private static TestPlinth plinth;

    @BeforeAll
    static void start() throws Exception {
        plinth = TestPlinth.start(RouteMatrixTest.class);
        try (var db = plinth.firestore()) {
            // A tenant the admin is not a member of.
            db.document("tenants/t_matrix").set(Map.of("status", "active", "allowed_envs", java.util.List.of("dev"))).get();
        }
    }

    @AfterAll
    static void stop() throws Exception {
        plinth.close();
    }

    static Stream<RouteSpec> routes() {
        var routes = PlinthServer.routeTable();
        assertThat(routes).hasSizeGreaterThan(40);
        return routes.stream();
    }

    private static String path(RouteSpec r) {
        return concrete(r, "t_system");
    }

    /**
     * A route's path with its parameters filled in for a tenant: ids that do not exist (or are
     * protected), so calls that succeed cannot delete what the next route needs (the admin,
     * its membership, the dev identity provider); an event stream bounded so the call returns.
     */
    static String concrete(RouteSpec r, String tenant) {
        String id = r.kind() == null ? "x" : switch (r.kind()) {
            case "tenants" -> tenant;
            case "users", "members" -> "u_matrix";
            case "modes" -> "matrix";
            case "identity_providers" -> "idp-matrix";
            case "surfaces" -> "s_matrix";
            case "apps", "subscriptions" -> "a_matrix";
            case "projects" -> "p_matrix";
            case "policies" -> "matrix-bundle";
            default -> "x";
        };
        String query = r.path().endsWith("/events") ? "?max_ms=100" : "";
        return r.path().replace("*", "plinth/authz/decision").replace("{tenant}", tenant).replace("{id}", id)
                .replace("{kind}", "feature_flags").replace("{key}", "matrix-key").replace("{op}", "increment").replace("{name}", id) + query;
    }

    private static String body(RouteSpec r) {
        return r.jsonExample();
    }

    private static String code(java.net.http.HttpResponse<String> response) throws Exception {
        if (!response.headers().firstValue("Content-Type").orElse("").contains("problem+json")) {
            return null;
        }
        return JSON.readTree(response.body()).path("code").asText();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("routes")
    void answersTheContextContract(RouteSpec r) throws Exception {
        String method = r.method().text();
        String path = path(r);
        String token = TestPlinth.token("u_admin");
        String label = method + " " + path;

        var none = plinth.send(method, path, Map.of("X-Tenant-Id", "t_system", "X-Env", "dev"), body(r));
        assertThat(none.statusCode()).as(label + " without token").isEqualTo(401);
        assertThat(code(none)).isEqualTo("UNAUTHENTICATED");

        var bad = plinth.send(method, path, Map.of("Authorization", "Bearer not.a.token", "X-Tenant-Id", "t_system", "X-Env", "dev"), body(r));
        assertThat(bad.statusCode()).as(label + " with a bad token").isEqualTo(401);

        var missing = plinth.send(method, path, Map.of("Authorization", "Bearer " + token, "X-Env", "dev"), body(r));
        assertThat(missing.statusCode()).as(label + " without tenant").isEqualTo(400);
        assertThat(code(missing)).isEqualTo("MALFORMED_CONTEXT");

        var malformed = plinth.send(method, path, Map.of("Authorization", "Bearer " + token, "X-Tenant-Id", "Tenant 1", "X-Env", "dev"), body(r));
        assertThat(malformed.statusCode()).as(label + " with a malformed tenant").isEqualTo(400);

        var stranger = plinth.send(method, path, Map.of("Authorization", "Bearer " + token, "X-Tenant-Id", "t_matrix", "X-Env", "dev"), body(r));
        assertThat(stranger.statusCode()).as(label + " without membership").isEqualTo(403);
        assertThat(code(stranger)).isEqualTo("FORBIDDEN");

        ObjectNode foreign = r.jsonExample() == null ? JSON.createObjectNode() : (ObjectNode) JSON.readTree(r.jsonExample());
        foreign.put("tenant_id", "t_matrix");
        var mismatch = plinth.send(method, path, TestPlinth.admin(), foreign.toString());
        assertThat(mismatch.statusCode()).as(label + " with a body of another tenant").isEqualTo(403);
        assertThat(code(mismatch)).as(mismatch.body()).isEqualTo("CONTEXT_MISMATCH");

        // A query parameter the route does not declare is refused, not ignored.
        var unknown = plinth.send(method, path + (path.contains("?") ? "&" : "?") + "limit=2", TestPlinth.admin(), body(r));
        assertThat(unknown.statusCode()).as(label + " with an unknown query parameter").isEqualTo(400);
        assertThat(code(unknown)).isEqualTo("MALFORMED_REQUEST");
        assertThat(unknown.body()).contains("'limit'");

        var valid = plinth.send(method, path, TestPlinth.admin(), body(r));
        assertThat(code(valid)).as(label + " valid: " + valid.body()).isNotIn(CONTEXT_ERRORS);
        assertThat(valid.statusCode()).as(label + " valid: " + valid.body()).isLessThan(500);
        if (valid.statusCode() / 100 == 2) {
            // The status the contract (OpenAPI) promises.
            assertThat(valid.statusCode()).as(label + " valid: the declared success status").isEqualTo(r.success());
        }
    }
}
