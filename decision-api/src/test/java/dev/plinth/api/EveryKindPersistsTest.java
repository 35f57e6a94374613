package dev.plinth.api;

import static dev.plinth.api.TestPlinth.admin;
import static dev.plinth.api.TestPlinth.as;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plinth.infra.TestInfra;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every resource kind Plinth serves, on both backends, is still there after the service
 * restarts: t_fs uses the seeded Firestore defaults, t_redis has every kind routed to Redis.
 */
class EveryKindPersistsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> SERVED = List.of("feature_flags", "strategy_lock", "kpi", "budgets", "maybes", "memory",
            "analytics_events", "firearms", "page_content", "seo", "rate_limits", "realtime_registry", "chat_bus");

    @Test
    void everyKindOnBothBackendsSurvivesARestart() throws Exception {
        String project = TestInfra.newProjectId(EveryKindPersistsTest.class);
        var home = Files.createTempDirectory("plinth-every-kind");
        try (var plinth = TestPlinth.startOn(project, home)) {
            plinth.send("POST", "/v1/admin/backends", admin(), "{\"id\": \"redis_all\", \"type\": \"redis\", \"settings\": "
                    + "{\"host\": \"127.0.0.1\", \"port\": " + TestInfra.shared().redisPort() + "}}");
            String rev = null;
            for (String tenant : List.of("t_fs", "t_redis")) {
                plinth.send("POST", "/v1/admin/tenants", admin(), "{\"id\": \"" + tenant + "\", \"allowed_envs\": [\"dev\"]}");
                plinth.send("POST", "/v1/admin/tenants/" + tenant + "/members", admin(), "{\"id\": \"u_admin\", \"roles\": [\"owner\"]}");
            }
            for (String kind : SERVED) {
                rev = JSON.readTree(plinth.send("POST", "/v1/admin/routes", admin(), "{\"id\": \"all_" + kind + "\", \"kind\": \""
                        + kind + "\", \"tenant\": \"t_redis\", \"backend\": \"redis_all\"}").body()).path("revision").asText();
            }
            plinth.get("/v1/routes/memory", TestPlinth.with(as("u_admin", "t_redis", "dev"), "X-Min-Revision", rev));
            for (String tenant : List.of("t_fs", "t_redis")) {
                for (String kind : SERVED) {
                    var put = plinth.send("PUT", "/v1/resources/" + kind + "/persisted", as("u_admin", tenant, "dev"),
                            "{\"kind\": \"" + kind + "\"}");
                    assertThat(put.statusCode()).as(tenant + " " + kind + ": " + put.body()).isEqualTo(200);
                    assertThat(put.headers().firstValue("X-Plinth-Backend"))
                            .hasValue(tenant.equals("t_redis") ? "redis_all" : "firestore_default");
                }
            }
        }
        try (var restarted = TestPlinth.startOn(project, home)) {
            for (String tenant : List.of("t_fs", "t_redis")) {
                for (String kind : SERVED) {
                    var got = restarted.get("/v1/resources/" + kind + "/persisted", as("u_admin", tenant, "dev"));
                    assertThat(got.statusCode()).as(tenant + " " + kind).isEqualTo(200);
                    assertThat(JSON.readTree(got.body()).path("kind").asText()).isEqualTo(kind);
                }
            }
        }
    }
}
