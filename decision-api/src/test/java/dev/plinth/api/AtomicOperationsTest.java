package dev.plinth.api;

import static dev.plinth.api.TestPlinth.admin;
import static dev.plinth.api.TestPlinth.as;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plinth.testing.TestInfra;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.concurrent.Callable;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The models' atomic operations on both real backends, under real concurrency: one lock
 * holder with increasing fencing tokens, counters that lose no increment, budgets that are
 * never overdrawn. Tenant t_fs is routed to Firestore (the default), t_redis to Redis.
 */
class AtomicOperationsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestPlinth plinth;

    @BeforeAll
    static void start() throws Exception {
        plinth = TestPlinth.start(AtomicOperationsTest.class);
        plinth.send("POST", "/v1/admin/backends", admin(), "{\"id\": \"redis_ops\", \"type\": \"redis\", \"settings\": "
                + "{\"host\": \"127.0.0.1\", \"port\": " + TestInfra.shared().redisPort() + "}}");
        String last = null;
        for (String tenant : new String[] {"t_fs", "t_redis"}) {
            plinth.send("POST", "/v1/admin/tenants", admin(), "{\"id\": \"" + tenant + "\", \"allowed_envs\": [\"dev\"]}");
            last = JSON.readTree(plinth.send("POST", "/v1/admin/tenants/" + tenant + "/members", admin(),
                    "{\"id\": \"u_admin\", \"roles\": [\"owner\"]}").body()).path("revision").asText();
        }
        for (String kind : new String[] {"strategy_lock", "kpi", "budgets", "analytics_events", "rate_limits"}) {
            last = JSON.readTree(plinth.send("POST", "/v1/admin/routes", admin(), "{\"id\": \"redis_" + kind + "\", \"kind\": \""
                    + kind + "\", \"tenant\": \"t_redis\", \"backend\": \"redis_ops\"}").body()).path("revision").asText();
        }
        // Wait until this replica has applied the routes (and memberships) before the tests start.
        assertThat(plinth.get("/v1/routes/kpi", TestPlinth.with(as("u_admin", "t_redis", "dev"), "X-Min-Revision", last)).body())
                .contains("redis_ops");
    }

    @AfterAll
    static void stop() throws Exception {
        plinth.close();
    }

    private static HttpResponse<String> op(String tenant, String path, String body) throws Exception {
        return plinth.send("POST", "/v1/resources/" + path, as("u_admin", tenant, "dev"), body);
    }

    private static String expectedBackend(String tenant) {
        return tenant.equals("t_redis") ? "redis_ops" : "firestore_default";
    }

    @ParameterizedTest
    @ValueSource(strings = {"t_fs", "t_redis"})
    void oneOfTwoContendersGetsTheLockAndFencingTokensIncrease(String tenant) throws Exception {
        var results = new ArrayList<HttpResponse<String>>();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            var tasks = new ArrayList<Callable<HttpResponse<String>>>();
            for (String owner : new String[] {"worker-a", "worker-b"}) {
                tasks.add(() -> op(tenant, "strategy_lock/rebalance/acquire", "{\"owner\": \"" + owner + "\", \"ttl_ms\": 60000}"));
            }
            for (Future<HttpResponse<String>> f : pool.invokeAll(tasks)) {
                results.add(f.get());
            }
        }
        assertThat(results).extracting(HttpResponse::statusCode).containsExactlyInAnyOrder(200, 409);
        HttpResponse<String> won = results.stream().filter(r -> r.statusCode() == 200).findFirst().orElseThrow();
        assertThat(won.headers().firstValue("X-Plinth-Backend")).hasValue(expectedBackend(tenant));
        JsonNode lock = JSON.readTree(won.body());
        long first = lock.path("fencing_token").asLong();
        String winner = JSON.readTree(results.stream().filter(r -> r.statusCode() == 409).findFirst().orElseThrow().body())
                .path("detail").asText().contains("worker-a") ? "worker-a" : "worker-b";
        String loser = winner.equals("worker-a") ? "worker-b" : "worker-a";

        assertThat(op(tenant, "strategy_lock/rebalance/renew", "{\"owner\": \"" + loser + "\", \"fencing_token\": " + first + "}").statusCode())
                .as("a non-holder cannot renew").isEqualTo(409);
        assertThat(op(tenant, "strategy_lock/rebalance/renew", "{\"owner\": \"" + winner + "\", \"fencing_token\": " + first + "}").statusCode())
                .isEqualTo(200);
        assertThat(op(tenant, "strategy_lock/rebalance/release", "{\"owner\": \"" + winner + "\", \"fencing_token\": " + first + "}").statusCode())
                .isEqualTo(200);
        var next = op(tenant, "strategy_lock/rebalance/acquire", "{\"owner\": \"" + loser + "\", \"ttl_ms\": 60000}");
        assertThat(next.statusCode()).isEqualTo(200);
        assertThat(JSON.readTree(next.body()).path("fencing_token").asLong()).isGreaterThan(first);
    }

    @ParameterizedTest
    @ValueSource(strings = {"t_fs", "t_redis"})
    void concurrentIncrementsAreAllCounted(String tenant) throws Exception {
        runConcurrently(50, () -> op(tenant, "kpi/signups/increment", "{\"by\": 1}").statusCode());
        JsonNode value = JSON.readTree(plinth.get("/v1/resources/kpi/signups", as("u_admin", tenant, "dev")).body());
        assertThat(value.path("value").asLong()).isEqualTo(50);
    }

    @ParameterizedTest
    @ValueSource(strings = {"t_fs", "t_redis"})
    void fiftyConcurrentDebitsNeverOverdraw(String tenant) throws Exception {
        assertThat(op(tenant, "budgets/llm/credit", "{\"amount\": 30}").statusCode()).isEqualTo(200);
        var statuses = runConcurrently(50, () -> op(tenant, "budgets/llm/debit", "{\"amount\": 1}").statusCode());
        assertThat(statuses.stream().filter(s -> s == 200).count()).isEqualTo(30);
        assertThat(statuses.stream().filter(s -> s == 409).count()).isEqualTo(20);
        JsonNode budget = JSON.readTree(plinth.get("/v1/resources/budgets/llm", as("u_admin", tenant, "dev")).body());
        assertThat(budget.path("remaining").asLong()).isZero();
    }

    @ParameterizedTest
    @ValueSource(strings = {"t_fs", "t_redis"})
    void eventLogsAppendAndReadByTimeRange(String tenant) throws Exception {
        long before = System.currentTimeMillis();
        for (int i = 0; i < 5; i++) {
            assertThat(op(tenant, "analytics_events/clicks/append", "{\"event\": {\"n\": " + i + "}}").statusCode()).isEqualTo(200);
        }
        long after = System.currentTimeMillis() + 1;
        JsonNode all = JSON.readTree(op(tenant, "analytics_events/clicks/range", "{\"from_ms\": " + before + ", \"to_ms\": " + after + "}").body());
        assertThat(all.path("events")).hasSize(5);
        assertThat(all.at("/events/0/event/n").asInt()).isZero();
        JsonNode none = JSON.readTree(op(tenant, "analytics_events/clicks/range", "{\"from_ms\": 0, \"to_ms\": " + before + "}").body());
        assertThat(none.path("events")).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(strings = {"t_fs", "t_redis"})
    void rateLimitsAreTokenBucketsDecidedAtomically(String tenant) throws Exception {
        // Capacity 10, no refill: of 25 concurrent takes exactly 10 are allowed.
        var allowed = runConcurrently(25, () -> JSON.readTree(op(tenant, "rate_limits/api/take",
                "{\"capacity\": 10, \"refill_per_second\": 0}").body()).path("allowed").asBoolean() ? 1 : 0);
        assertThat(allowed.stream().mapToInt(Integer::intValue).sum()).isEqualTo(10);
    }

    @ParameterizedTest
    @ValueSource(strings = {"t_fs", "t_redis"})
    void operationsOutsideTheKindsModelAreRefused(String tenant) throws Exception {
        var wrong = op(tenant, "kpi/signups/debit", "{\"amount\": 1}");
        assertThat(wrong.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(wrong.body()).path("code").asText()).isEqualTo("OPERATION_NOT_SUPPORTED");
    }

    @ParameterizedTest
    @ValueSource(strings = {"t_fs", "t_redis"})
    void argumentsOfTheWrongTypeOrUnknownOperationsAreRefusedBeforeAnythingIsWritten(String tenant) throws Exception {
        for (String body : new String[] {"{\"by\": \"five\"}", "{\"by\": 1.5}", "{\"by\": 1e40}"}) {
            var r = op(tenant, "kpi/typed/increment", body);
            assertThat(r.statusCode()).as(body).isEqualTo(400);
            assertThat(JSON.readTree(r.body()).path("code").asText()).as(r.body()).isEqualTo("VALIDATION_FAILED");
        }
        var unknown = op(tenant, "kpi/typed/explode", "{}");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(unknown.body()).path("detail").asText()).contains("increment");
        // Nothing above was applied: the first real increment starts from zero.
        assertThat(JSON.readTree(op(tenant, "kpi/typed/increment", "{}").body()).path("value").asLong()).isEqualTo(1);
    }

    private static ArrayList<Integer> runConcurrently(int n, Callable<Integer> task) throws Exception {
        var out = new ArrayList<Integer>();
        try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
            var tasks = new ArrayList<Callable<Integer>>();
            for (int i = 0; i < n; i++) {
                tasks.add(task);
            }
            for (Future<Integer> f : pool.invokeAll(tasks)) {
                out.add(f.get());
            }
        }
        return out;
    }

}
