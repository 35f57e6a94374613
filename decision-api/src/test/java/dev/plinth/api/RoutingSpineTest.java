package dev.plinth.api;

import static dev.plinth.api.TestPlinth.admin;
import static dev.plinth.api.TestPlinth.as;
import static dev.plinth.api.TestPlinth.with;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The routing spine on a real replica: defaults are t_system data, a tenant is switched from
 * backend A to B by one route write, a missing route fails fast naming the kind and the
 * scopes tried, and routes and backends are validated.
 */
class RoutingSpineTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestPlinth plinth;

    @BeforeAll
    static void start() throws Exception {
        plinth = TestPlinth.start(RoutingSpineTest.class);
        created(plinth.send("POST", "/v1/admin/tenants", admin(), "{\"id\": \"t_acme\", \"allowed_envs\": [\"dev\"]}"));
        created(plinth.send("POST", "/v1/admin/tenants", admin(), "{\"id\": \"t_other\", \"allowed_envs\": [\"dev\"]}"));
        created(plinth.send("POST", "/v1/admin/tenants/t_acme/members", admin(), "{\"id\": \"u_admin\", \"roles\": [\"owner\"]}"));
        created(plinth.send("POST", "/v1/admin/tenants/t_other/members", admin(), "{\"id\": \"u_admin\", \"roles\": [\"owner\"]}"));
        created(plinth.send("POST", "/v1/admin/secrets", admin(), "{\"id\": \"redis_b_password\", \"provider\": \"file\", \"reference\": \"redis_b\"}"));
        created(plinth.send("POST", "/v1/admin/backends", admin(), "{\"id\": \"redis_b\", \"type\": \"redis\", "
                + "\"settings\": {\"host\": \"127.0.0.1\", \"port\": 6380}, \"secrets\": {\"password\": \"redis_b_password\"}}"));
    }

    @AfterAll
    static void stop() throws Exception {
        plinth.close();
    }

    private static JsonNode created(HttpResponse<String> r) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
        return JSON.readTree(r.body());
    }

    private static JsonNode route(String tenant, String kind, String minRevision) throws Exception {
        var headers = as("u_admin", tenant, "dev");
        if (minRevision != null) {
            headers = with(headers, "X-Min-Revision", minRevision);
        }
        var r = plinth.get("/v1/routes/" + kind, headers);
        return ((com.fasterxml.jackson.databind.node.ObjectNode) JSON.readTree(r.body())).put("http_status", r.statusCode());
    }

    @Test
    void defaultsAreSeededAsT_systemData() throws Exception {
        JsonNode answer = route("t_acme", "memory", null);
        assertThat(answer.path("http_status").asInt()).isEqualTo(200);
        assertThat(answer.at("/backend/id").asText()).isEqualTo("firestore_default");
        assertThat(answer.at("/backend/type").asText()).isEqualTo("firestore");
        assertThat(answer.path("scope").asText()).isEqualTo("default");
        assertThat(answer.path("model").asText()).isEqualTo("document");
        for (String kind : new String[] {"feature_flags", "strategy_lock", "kpi", "budgets", "maybes", "memory", "raw_storage",
                "vector_index", "realtime_registry", "chat_bus", "analytics_events", "firearms", "page_content", "seo", "rate_limits"}) {
            assertThat(route("t_acme", kind, null).path("http_status").asInt()).as(kind).isEqualTo(200);
        }
    }

    @Test
    void oneRouteWriteSwitchesATenantFromBackendAToB() throws Exception {
        assertThat(route("t_acme", "feature_flags", null).at("/backend/id").asText()).isEqualTo("firestore_default");
        String revision = created(plinth.send("POST", "/v1/admin/routes", admin(),
                "{\"id\": \"acme_flags\", \"kind\": \"feature_flags\", \"tenant\": \"t_acme\", \"backend\": \"redis_b\"}"))
                .path("revision").asText();
        JsonNode switched = route("t_acme", "feature_flags", revision);
        assertThat(switched.at("/backend/id").asText()).isEqualTo("redis_b");
        assertThat(switched.at("/backend/type").asText()).isEqualTo("redis");
        assertThat(switched.path("scope").asText()).isEqualTo("tenant");
        assertThat(switched.at("/route/id").asText()).isEqualTo("acme_flags");
        assertThat(switched.at("/backend/settings/port").asInt()).isEqualTo(6380);
        assertThat(switched.at("/backend/secrets/password").asText()).as("a logical name, never a value").isEqualTo("redis_b_password");
        assertThat(route("t_other", "feature_flags", revision).at("/backend/id").asText()).isEqualTo("firestore_default");
    }

    @Test
    void aKindWithoutRouteFailsFastNamingTheKindAndTheScopesTried() throws Exception {
        String revision = created(plinth.send("POST", "/v1/admin/resource_kinds", admin(), "{\"id\": \"widgets\", \"model\": \"document\"}"))
                .path("revision").asText();
        JsonNode missing = route("t_acme", "widgets", revision);
        assertThat(missing.path("http_status").asInt()).isEqualTo(503);
        assertThat(missing.path("code").asText()).isEqualTo("ROUTE_MISSING");
        assertThat(missing.path("detail").asText()).contains("widgets").contains("tenant t_acme").contains("t_system default");
        assertThat(plinth.get("/health/ready", java.util.Map.of()).body()).contains("\"kinds_without_default_route\":[\"widgets\"]");

        JsonNode unknown = route("t_acme", "gizmos", null);
        assertThat(unknown.path("http_status").asInt()).isEqualTo(404);
        assertThat(unknown.path("code").asText()).isEqualTo("UNKNOWN_KIND");
    }

    @Test
    void routesAndBackendsAreValidated() throws Exception {
        var ghost = plinth.send("POST", "/v1/admin/routes", admin(), "{\"id\": \"ghost\", \"kind\": \"kpi\", \"backend\": \"nowhere\"}");
        assertThat(JSON.readTree(ghost.body()).path("code").asText()).isEqualTo("REFERENCE_MISSING");
        var duplicate = plinth.send("POST", "/v1/admin/routes", admin(), "{\"id\": \"again\", \"kind\": \"kpi\", \"backend\": \"redis_b\"}");
        assertThat(JSON.readTree(duplicate.body()).path("code").asText()).as("a second t_system default for kpi").isEqualTo("ALREADY_EXISTS");
        var secretSetting = plinth.send("POST", "/v1/admin/backends", admin(), "{\"id\": \"leaky\", \"type\": \"redis\", \"settings\": {\"password\": \"hunter2\"}}");
        assertThat(secretSetting.statusCode()).isEqualTo(400);
        assertThat(secretSetting.body()).doesNotContain("hunter2");
        var badScope = plinth.send("POST", "/v1/admin/routes", admin(), "{\"id\": \"bad\", \"kind\": \"kpi\", \"tenant\": \"acme\", \"backend\": \"redis_b\"}");
        assertThat(badScope.statusCode()).isEqualTo(400);
        var inUse = plinth.send("DELETE", "/v1/admin/backends/firestore_default", admin(), null);
        assertThat(JSON.readTree(inUse.body()).path("code").asText()).isEqualTo("HAS_DEPENDENTS");
    }
}
