package dev.plinth.api;

import static dev.plinth.api.TestPlinth.admin;
import static dev.plinth.api.TestPlinth.as;
import static dev.plinth.api.TestPlinth.with;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plinth.testing.TestInfra;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The side doors of the resource API, closed on both backends: kinds a Plinth service owns
 * are not reachable through {@code /v1/resources}; each model allows only its operations (a
 * raw PUT or DELETE cannot take over a lock, overdraw a budget, corrupt a counter or reset a
 * fencing token); integers are exact to ±(2^53 − 1) and overflow is a 400; bounds are data;
 * permanent input errors are 4xx; an Idempotency-Key makes a retry answer the first outcome.
 * One table of requests runs against Firestore (t_fs) and Redis (t_redis) and must answer
 * the same on both.
 */
class ModelInvariantsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String[] KINDS = {"strategy_lock", "kpi", "budgets", "analytics_events", "rate_limits", "memory",
            "realtime_registry", "chat_bus"};
    private static TestPlinth plinth;

    @BeforeAll
    static void start() throws Exception {
        plinth = TestPlinth.start(ModelInvariantsTest.class);
        plinth.send("POST", "/v1/admin/backends", admin(), "{\"id\": \"redis_inv\", \"type\": \"redis\", \"settings\": "
                + "{\"host\": \"127.0.0.1\", \"port\": " + TestInfra.shared().redisPort() + "}}");
        String last = null;
        for (String tenant : new String[] {"t_fs", "t_redis"}) {
            plinth.send("POST", "/v1/admin/tenants", admin(), "{\"id\": \"" + tenant + "\", \"allowed_envs\": [\"dev\"]}");
            last = TestPlinth.revisionOf(plinth.send("POST", "/v1/admin/tenants/" + tenant + "/members", admin(),
                    "{\"id\": \"u_admin\", \"roles\": [\"owner\"]}"));
        }
        for (String kind : KINDS) {
            last = TestPlinth.revisionOf(plinth.send("POST", "/v1/admin/routes", admin(), "{\"id\": \"inv_" + kind + "\", \"kind\": \""
                    + kind + "\", \"tenant\": \"t_redis\", \"backend\": \"redis_inv\"}"));
        }
        assertThat(plinth.get("/v1/routes/kpi", with(as("u_admin", "t_redis", "dev"), "X-Min-Revision", last)).body())
                .contains("redis_inv");
    }

    @AfterAll
    static void stop() throws Exception {
        plinth.close();
    }

    /** One step of a sequence: a request, then what it must answer (status and problem code, or null). */
    private record Step(String method, String path, String body, int status, String code) {}

    private static Step step(String method, String path, String body, int status, String code) {
        return new Step(method, path, body, status, code);
    }

    /** The steps every backend must answer alike; paths are under /v1/resources/. */
    private static List<Step> sequence() {
        var steps = new ArrayList<Step>(List.of(
                // Locks: only their operations; fencing tokens only grow.
                step("POST", "strategy_lock/l/acquire", "{\"owner\": \"a\", \"ttl_ms\": 60000}", 200, null),
                step("PUT", "strategy_lock/l", "{\"owner\": \"b\", \"fencing_token\": 1, \"expires_at_ms\": 0}", 400, "OPERATION_NOT_SUPPORTED"),
                step("DELETE", "strategy_lock/l", null, 400, "OPERATION_NOT_SUPPORTED"),
                step("POST", "strategy_lock/l/acquire", "{\"owner\": \"b\", \"ttl_ms\": 60000}", 409, "LOCK_HELD"),
                step("POST", "strategy_lock/l/release", "{\"owner\": \"a\", \"fencing_token\": 1}", 200, null),
                step("POST", "strategy_lock/l/acquire", "{\"owner\": \"b\", \"ttl_ms\": 60000}", 200, null),
                step("POST", "strategy_lock/l/acquire", "{\"owner\": \"c\", \"ttl_ms\": 9000000000000000}", 400, "VALIDATION_FAILED"),
                step("POST", "strategy_lock/l/acquire", "{\"owner\": \"c\", \"ttl_ms\": 86400001}", 400, "VALIDATION_FAILED"),
                step("POST", "strategy_lock/l/renew", "{\"owner\": \"b\", \"fencing_token\": 2, \"ttl_ms\": 1.9}", 400, "VALIDATION_FAILED"),
                step("GET", "strategy_lock/l", null, 200, null),
                // Budgets: never below zero, exact to 2^53 - 1, overflow refused and nothing written.
                step("PUT", "budgets/b", "{\"remaining\": -5}", 400, "OPERATION_NOT_SUPPORTED"),
                step("POST", "budgets/b/credit", "{\"amount\": 10}", 200, null),
                step("POST", "budgets/b/debit", "{\"amount\": 11}", 409, "INSUFFICIENT_BUDGET"),
                step("POST", "budgets/b/debit", "{\"amount\": -1}", 400, "VALIDATION_FAILED"),
                step("POST", "budgets/b/debit", "{\"amount\": 1.9}", 400, "VALIDATION_FAILED"),
                step("POST", "budgets/b/credit", "{\"amount\": 1000000000000001}", 400, "VALIDATION_FAILED")));
        for (int i = 0; i < 9; i++) {
            steps.add(step("POST", "budgets/big/credit", "{\"amount\": 1000000000000000}", 200, null));
        }
        steps.addAll(List.of(
                step("POST", "budgets/big/credit", "{\"amount\": 1000000000000000}", 400, "INTEGER_OVERFLOW"),
                step("POST", "budgets/big/debit", "{\"amount\": 1}", 200, null), // 8999999999999999: exact on both
                step("GET", "budgets/big", null, 200, null),
                // Counters: a PUT cannot corrupt them; increments are exact and bounded.
                step("PUT", "kpi/c", "{\"value\": \"x\"}", 400, "OPERATION_NOT_SUPPORTED"),
                step("POST", "kpi/c/increment", "{\"by\": 1}", 200, null),
                step("POST", "kpi/c/increment", "{\"by\": 1000000000000000}", 200, null),
                step("POST", "kpi/c/increment", "{\"by\": \"2\"}", 400, "VALIDATION_FAILED"),
                step("DELETE", "kpi/c", null, 400, "OPERATION_NOT_SUPPORTED"),
                step("GET", "kpi/c", null, 200, null),
                // Event logs and rate limits: only their operations.
                step("PUT", "analytics_events/e", "{}", 400, "OPERATION_NOT_SUPPORTED"),
                step("PUT", "rate_limits/r", "{\"tokens\": 1000000}", 400, "OPERATION_NOT_SUPPORTED"),
                step("POST", "rate_limits/r/take", "{\"capacity\": 2, \"refill_per_second\": 0}", 200, null),
                step("POST", "rate_limits/r/take", "{\"capacity\": 2, \"refill_per_second\": 1e999}", 400, "MALFORMED_REQUEST"),
                // Documents: permanent input errors are client errors, never 503.
                step("PUT", "memory/__x__", "{\"a\": 1}", 400, "INVALID_KEY"),
                step("PUT", "memory/ok", "{\"a\": 1}", 200, null),
                step("GET", "memory?page_size=4294967297", null, 400, "MALFORMED_REQUEST"),
                // The realtime service's kinds have one door: the realtime API.
                step("PUT", "realtime_registry/thread-x", "{\"readers\": [], \"writers\": [\"u_admin\"]}", 403, "KIND_NOT_SERVED"),
                step("GET", "realtime_registry/thread-x", null, 403, "KIND_NOT_SERVED"),
                step("GET", "realtime_registry", null, 403, "KIND_NOT_SERVED"),
                step("POST", "chat_bus/thread-x/range", "{}", 403, "KIND_NOT_SERVED"),
                step("POST", "chat_bus/thread-x/append", "{\"event\": {\"from\": \"u_someone\"}}", 403, "KIND_NOT_SERVED")));
        return steps;
    }

    /** What a step answered, without what differs by backend by design (the backend's name, lock expiry times). */
    private static String outcome(HttpResponse<String> r) throws Exception {
        JsonNode body = r.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(r.body());
        if (body instanceof ObjectNode o) {
            for (String field : new String[] {"backend", "expires_at_ms", "detail", "instance", "route"}) {
                o.remove(field);
            }
        }
        return r.statusCode() + " " + body;
    }

    @Test
    void theSameSequenceAnswersTheSameOnFirestoreAndRedis() throws Exception {
        var answers = new java.util.LinkedHashMap<String, List<String>>();
        for (String tenant : new String[] {"t_fs", "t_redis"}) {
            var outcomes = new ArrayList<String>();
            for (Step s : sequence()) {
                var r = plinth.send(s.method(), "/v1/resources/" + s.path(), as("u_admin", tenant, "dev"), s.body());
                String label = tenant + ": " + s.method() + " " + s.path() + " " + s.body() + " -> " + r.body();
                assertThat(r.statusCode()).as(label).isEqualTo(s.status());
                if (s.code() != null) {
                    assertThat(JSON.readTree(r.body()).path("code").asText()).as(label).isEqualTo(s.code());
                }
                outcomes.add(s.method() + " " + s.path() + " " + (s.code() == null ? outcome(r) : r.statusCode() + " " + s.code()));
            }
            answers.put(tenant, outcomes);
        }
        assertThat(answers.get("t_redis")).containsExactlyElementsOf(answers.get("t_fs"));
        // The exact values the table produced.
        for (String tenant : new String[] {"t_fs", "t_redis"}) {
            var h = as("u_admin", tenant, "dev");
            assertThat(JSON.readTree(plinth.get("/v1/resources/budgets/big", h).body()).path("remaining").asLong())
                    .as(tenant).isEqualTo(8_999_999_999_999_999L);
            assertThat(JSON.readTree(plinth.get("/v1/resources/kpi/c", h).body()).path("value").asLong())
                    .as(tenant).isEqualTo(1_000_000_000_000_001L);
            JsonNode lock = JSON.readTree(plinth.get("/v1/resources/strategy_lock/l", h).body());
            assertThat(lock.path("fencing_token").asLong()).as(tenant + ": the token grew past the release").isEqualTo(2);
            assertThat(lock.path("owner").asText()).isEqualTo("b");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"t_fs", "t_redis"})
    void aRetryWithTheSameIdempotencyKeyAnswersTheFirstOutcomeAndAppliesNothingTwice(String tenant) throws Exception {
        var h = as("u_admin", tenant, "dev");
        assertThat(plinth.send("POST", "/v1/resources/budgets/idem/credit", h, "{\"amount\": 100}").statusCode()).isEqualTo(200);
        var keyed = with(h, "Idempotency-Key", "debit-1");
        var first = plinth.send("POST", "/v1/resources/budgets/idem/debit", keyed, "{\"amount\": 30}");
        var retry = plinth.send("POST", "/v1/resources/budgets/idem/debit", keyed, "{\"amount\": 30}");
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        assertThat(retry.statusCode()).isEqualTo(200);
        assertThat(retry.body()).isEqualTo(first.body());
        assertThat(JSON.readTree(plinth.get("/v1/resources/budgets/idem", h).body()).path("remaining").asLong()).isEqualTo(70);

        var reused = plinth.send("POST", "/v1/resources/budgets/idem/debit", keyed, "{\"amount\": 31}");
        assertThat(reused.statusCode()).as(reused.body()).isEqualTo(422);
        assertThat(JSON.readTree(reused.body()).path("code").asText()).isEqualTo("IDEMPOTENCY_KEY_REUSED");

        // A refusal is an outcome too: the retry of a debit that found too little answers 409 again
        // even after a credit, instead of applying it late.
        var big = with(h, "Idempotency-Key", "debit-2");
        assertThat(plinth.send("POST", "/v1/resources/budgets/idem/debit", big, "{\"amount\": 500}").statusCode()).isEqualTo(409);
        plinth.send("POST", "/v1/resources/budgets/idem/credit", h, "{\"amount\": 1000}");
        assertThat(plinth.send("POST", "/v1/resources/budgets/idem/debit", big, "{\"amount\": 500}").statusCode()).isEqualTo(409);
        assertThat(JSON.readTree(plinth.get("/v1/resources/budgets/idem", h).body()).path("remaining").asLong()).isEqualTo(1070);

        // Keys are scoped to the caller: another tenant's (or user's) same key is a different key.
        var put = with(h, "Idempotency-Key", "put-1");
        assertThat(plinth.send("PUT", "/v1/resources/memory/note", put, "{\"v\": 1}").statusCode()).isEqualTo(200);
        assertThat(plinth.send("PUT", "/v1/resources/memory/note", put, "{\"v\": 1}").statusCode()).isEqualTo(200);
        assertThat(plinth.send("PUT", "/v1/resources/memory/note", put, "{\"v\": 2}").statusCode()).isEqualTo(422);
        assertThat(JSON.readTree(plinth.get("/v1/resources/memory/note", h).body()).path("v").asInt()).isEqualTo(1);
        assertThat(plinth.send("PUT", "/v1/resources/memory/note", with(h, "Idempotency-Key", "bad key with spaces"), "{}")
                .statusCode()).isEqualTo(400);
    }

    @Test
    void aValueOverTheDataLimitIs413AndNothingIsWritten() throws Exception {
        var h = as("u_admin", "t_fs", "dev");
        String big = "{\"blob\": \"" + "x".repeat(1_000_001) + "\"}";
        var r = plinth.send("PUT", "/v1/resources/memory/huge", h, big);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(413);
        assertThat(JSON.readTree(r.body()).path("code").asText()).isEqualTo("VALUE_TOO_LARGE");
        assertThat(plinth.get("/v1/resources/memory/huge", h).statusCode()).isEqualTo(404);
    }

    @Test
    void theRealtimeApiStillServesItsKinds() throws Exception {
        var h = as("u_admin", "t_redis", "dev");
        var acl = plinth.send("PUT", "/v1/realtime/threads/door", h, "{\"readers\": [], \"writers\": [\"u_admin\"]}");
        assertThat(acl.statusCode()).as(acl.body()).isEqualTo(200);
        var published = plinth.send("POST", "/v1/realtime/threads/door/messages", h, "{\"message\": \"hi\"}");
        assertThat(published.statusCode()).as(published.body()).isEqualTo(200);
        assertThat(JSON.readTree(published.body()).path("backend").asText()).isEqualTo("redis_inv");
        assertThat(plinth.get("/v1/realtime/threads/door", h).body()).contains("u_admin");
    }
}
