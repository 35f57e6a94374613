package dev.plinth.api;

import static dev.plinth.api.TestPlinth.admin;
import static dev.plinth.api.TestPlinth.as;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * {@code GET /metrics}, read by Prometheus' own parser and linter ({@code promcheck}, Go, built
 * by the bootstrap: not the Java library that wrote the text), after traffic that exercises
 * each family: requests by route pattern and status, problems by code (401, ROUTE_MISSING),
 * decisions by entrypoint with the cache, routed-store calls by backend, health, listeners,
 * pools and the active bundle. And what a caller controls never becomes a label: neither a
 * resource key in a path nor a Data API path the bundle does not have.
 */
class MetricsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void metricsParseWithPrometheusOwnParserAndCarryEachFamily() throws Exception {
        try (var plinth = TestPlinth.start(MetricsTest.class)) {
            plinth.send("POST", "/v1/admin/tenants", admin(), "{\"id\": \"t_acme\", \"allowed_envs\": [\"dev\"]}");
            String rev = JSON.readTree(plinth.send("POST", "/v1/admin/tenants/t_acme/members", admin(),
                    "{\"id\": \"u_admin\", \"roles\": [\"owner\"]}").body()).path("revision").asText();
            var acme = TestPlinth.with(as("u_admin", "t_acme", "dev"), "X-Min-Revision", rev);
            for (int i = 0; i < 3; i++) {
                assertThat(plinth.get("/v1/context", acme).statusCode()).isEqualTo(200);
            }
            var put = plinth.send("PUT", "/v1/resources/feature_flags/secret-key-4711", acme, "{\"enabled\": true}");
            assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
            assertThat(plinth.get("/v1/context", Map.of("X-Tenant-Id", "t_acme", "X-Env", "dev")).statusCode()).isEqualTo(401);
            String kinds = JSON.readTree(plinth.send("POST", "/v1/admin/resource_kinds", admin(),
                    "{\"id\": \"widgets\", \"model\": \"document\"}").body()).path("revision").asText();
            var missing = plinth.get("/v1/resources/widgets/w1", TestPlinth.with(acme, "X-Min-Revision", kinds));
            assertThat(missing.body()).contains("ROUTE_MISSING");
            var unknown = plinth.send("POST", "/v1/data/no/such/entrypoint-0815", admin(), "{\"input\": {}}");
            assertThat(unknown.statusCode()).as(unknown.body()).isLessThan(500);

            var scrape = plinth.get("/metrics", Map.of());
            assertThat(scrape.statusCode()).isEqualTo(200);
            assertThat(scrape.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain; version=0.0.4");
            String text = scrape.body();
            assertThat(text).as("a path's key is not a label").doesNotContain("secret-key-4711")
                    .as("nor a Data API path the bundle lacks").doesNotContain("entrypoint-0815");

            JsonNode checked = promcheck(text);
            assertThat(checked.path("problems")).as("promlint: Prometheus' naming conventions").isEmpty();
            JsonNode families = checked.path("families");

            var requests = family(families, "plinth_http_server_request_duration_seconds", "histogram");
            assertThat(count(requests, l("method", "GET", "route", "/v1/context", "status", "200"))).isGreaterThanOrEqualTo(3);
            assertThat(count(requests, l("route", "/v1/context", "status", "401"))).as("refused before routing: counted under its pattern")
                    .isEqualTo(1);
            assertThat(count(requests, l("route", "/v1/resources/{kind}/{key}", "method", "PUT", "status", "200"))).isEqualTo(1);

            var problems = family(families, "plinth_http_server_problems_total", "counter");
            assertThat(value(problems, l("code", "UNAUTHENTICATED", "status", "401"))).isEqualTo(1);
            assertThat(value(problems, l("code", "ROUTE_MISSING", "status", "503"))).isEqualTo(1);

            var decisions = family(families, "plinth_decision_duration_seconds", "histogram");
            assertThat(count(decisions, l("entrypoint", "plinth/authz/decision", "outcome", "ok"))).isGreaterThanOrEqualTo(1);
            assertThat(count(decisions, l("entrypoint", "plinth/routing/backend", "outcome", "ok"))).isGreaterThanOrEqualTo(1);
            var cache = family(families, "plinth_decision_cache_requests_total", "counter");
            assertThat(value(cache, l("entrypoint", "plinth/authz/decision", "result", "miss"))).isGreaterThanOrEqualTo(1);

            var stores = family(families, "plinth_store_operation_duration_seconds", "histogram");
            assertThat(count(stores, l("backend", "firestore_default", "operation", "put", "outcome", "ok"))).isEqualTo(1);

            var health = family(families, "plinth_health_status", "gauge");
            assertThat(value(health, l("status", "UP"))).isEqualTo(1);
            assertThat(value(health, l("status", "DOWN"))).isZero();
            var listeners = family(families, "plinth_listener_snapshot_age_seconds", "gauge");
            assertThat(listeners.path("samples")).hasSizeGreaterThan(5);
            assertThat(value(family(families, "plinth_listener_live", "gauge"), l("listener", "tenants"))).isEqualTo(1);
            assertThat(value(family(families, "plinth_listener_read_time_seconds", "gauge"), l("listener", "members")))
                    .isGreaterThan(1.7e9);
            assertThat(value(family(families, "plinth_engine_pool_limit", "gauge"), l("pool", "decision"))).isGreaterThanOrEqualTo(1);
            family(families, "plinth_engine_pool_waiters", "gauge");

            String revision = JSON.readTree(plinth.get("/health/ready", Map.of()).body()).path("bundle_revision").asText();
            var bundle = family(families, "plinth_policy_bundle_info", "gauge");
            assertThat(bundle.path("samples")).hasSize(1);
            assertThat(bundle.path("samples").get(0).path("labels").path("revision").asText()).isEqualTo(revision);
        }
    }

    private static JsonNode promcheck(String text) throws Exception {
        Path bin = Path.of(System.getProperty("plinth.promcheck.bin", ".tools/promcheck/promcheck"));
        assertThat(bin).as("promcheck is built by ./plinth's bootstrap").isExecutable();
        Process p = new ProcessBuilder(bin.toString()).redirectError(ProcessBuilder.Redirect.PIPE).start();
        try (var in = p.getOutputStream()) {
            in.write(text.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as("promcheck: " + err).isZero();
        return JSON.readTree(out);
    }

    private static JsonNode family(JsonNode families, String name, String type) {
        JsonNode f = families.path(name);
        assertThat(f.isMissingNode()).as(name + " in " + families.properties().stream().map(Map.Entry::getKey).sorted().toList()).isFalse();
        assertThat(f.path("type").asText()).as(name).isEqualTo(type);
        assertThat(f.path("help").asText()).as(name + " has help").isNotBlank();
        return f;
    }

    private static Predicate<JsonNode> l(String... pairs) {
        return labels -> {
            for (int i = 0; i < pairs.length; i += 2) {
                if (!pairs[i + 1].equals(labels.path(pairs[i]).asText(null))) {
                    return false;
                }
            }
            return true;
        };
    }

    private static List<JsonNode> matching(JsonNode family, Predicate<JsonNode> labels) {
        var out = new ArrayList<JsonNode>();
        family.path("samples").forEach(s -> {
            if (labels.test(s.path("labels"))) {
                out.add(s);
            }
        });
        return out;
    }

    private static long count(JsonNode family, Predicate<JsonNode> labels) {
        return matching(family, labels).stream().mapToLong(s -> s.path("count").asLong()).sum();
    }

    private static double value(JsonNode family, Predicate<JsonNode> labels) {
        var found = matching(family, labels);
        assertThat(found).as("one sample matches in " + family).hasSize(1);
        return found.get(0).path("value").asDouble();
    }
}
