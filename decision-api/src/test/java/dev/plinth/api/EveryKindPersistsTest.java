package dev.plinth.api;

import static dev.plinth.api.TestPlinth.admin;
import static dev.plinth.api.TestPlinth.as;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plinth.testing.TestInfra;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Every resource kind Plinth serves, on both backends, is still there after the service
 * restarts: t_fs uses the seeded Firestore defaults, t_redis has every kind routed to Redis.
 */
class EveryKindPersistsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> SERVED = List.of("feature_flags", "strategy_lock", "kpi", "budgets", "maybes", "memory",
            "analytics_events", "firearms", "page_content", "seo", "rate_limits", "realtime_registry", "chat_bus");

    /** How each kind is written: through its model's operation, or its service's API (method, path, body). */
    private static final Map<String, String[]> WRITES = Map.ofEntries(
            document("feature_flags"), document("maybes"), document("memory"), document("firearms"), document("page_content"),
            document("seo"),
            Map.entry("strategy_lock", new String[] {"POST", "/v1/resources/strategy_lock/persisted/acquire", "{\"owner\": \"w\", \"ttl_ms\": 86400000}"}),
            Map.entry("kpi", new String[] {"POST", "/v1/resources/kpi/persisted/increment", "{\"by\": 7}"}),
            Map.entry("budgets", new String[] {"POST", "/v1/resources/budgets/persisted/credit", "{\"amount\": 9}"}),
            Map.entry("analytics_events", new String[] {"POST", "/v1/resources/analytics_events/persisted/append", "{\"event\": \"kept\"}"}),
            Map.entry("rate_limits", new String[] {"POST", "/v1/resources/rate_limits/persisted/take", "{\"capacity\": 5, \"refill_per_second\": 0}"}),
            Map.entry("realtime_registry", new String[] {"PUT", "/v1/realtime/threads/persisted", "{\"readers\": [], \"writers\": [\"u_admin\"]}"}),
            Map.entry("chat_bus", new String[] {"POST", "/v1/realtime/threads/persisted/messages", "{\"message\": \"kept\"}"}));

    /** How each kind is read back after the restart, and what the answer must contain. */
    private static final Map<String, String[]> READS = Map.ofEntries(
            read("feature_flags"), read("maybes"), read("memory"), read("firearms"), read("page_content"), read("seo"),
            Map.entry("strategy_lock", new String[] {"GET", "/v1/resources/strategy_lock/persisted", null, "\"fencing_token\":1"}),
            Map.entry("kpi", new String[] {"GET", "/v1/resources/kpi/persisted", null, "\"value\":7"}),
            Map.entry("budgets", new String[] {"GET", "/v1/resources/budgets/persisted", null, "\"remaining\":9"}),
            Map.entry("analytics_events", new String[] {"POST", "/v1/resources/analytics_events/persisted/range", "{}", "kept"}),
            Map.entry("rate_limits", new String[] {"GET", "/v1/resources/rate_limits/persisted", null, "\"tokens\":4"}),
            Map.entry("realtime_registry", new String[] {"GET", "/v1/realtime/threads/persisted", null, "u_admin"}),
            Map.entry("chat_bus", new String[] {"GET", "/v1/realtime/threads/persisted/events?max_events=1&max_ms=10000", null, "kept"}));

    private static Map.Entry<String, String[]> document(String kind) {
        return Map.entry(kind, new String[] {"PUT", "/v1/resources/" + kind + "/persisted", "{\"kind\": \"" + kind + "\"}"});
    }

    private static Map.Entry<String, String[]> read(String kind) {
        return Map.entry(kind, new String[] {"GET", "/v1/resources/" + kind + "/persisted", null, "\"kind\":\"" + kind + "\""});
    }

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
                    String[] write = WRITES.get(kind);
                    var put = plinth.send(write[0], write[1], as("u_admin", tenant, "dev"), write[2]);
                    assertThat(put.statusCode()).as(tenant + " " + kind + ": " + put.body()).isEqualTo(200);
                    if (write[1].startsWith("/v1/resources/")) {
                        assertThat(put.body() + put.headers().firstValue("X-Plinth-Backend").orElse(""))
                                .contains(tenant.equals("t_redis") ? "redis_all" : "firestore_default");
                    }
                }
            }
        }
        try (var restarted = TestPlinth.startOn(project, home)) {
            for (String tenant : List.of("t_fs", "t_redis")) {
                for (String kind : SERVED) {
                    String[] read = READS.get(kind);
                    var got = read[0].equals("GET") ? restarted.get(read[1], as("u_admin", tenant, "dev"))
                            : restarted.send(read[0], read[1], as("u_admin", tenant, "dev"), read[2]);
                    assertThat(got.statusCode()).as(tenant + " " + kind + ": " + got.body()).isEqualTo(200);
                    assertThat(got.body()).as(tenant + " " + kind).contains(read[3]);
                }
            }
        }
    }
}
