package dev.plinth.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plinth.testing.DevTokens;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service as a separate process ({@code plinth run}: the emulator and redis-server outlive
 * it under its home), killed with SIGKILL in the middle of a stream of writes to a
 * Firestore-routed tenant and a Redis-routed one, then started again. Every acknowledged
 * write is there — routed resources and the control plane's own (users created through the
 * admin API) — and every write that was in flight, retried with its Idempotency-Key, is applied
 * exactly once: counters end at exactly the number of increments sent, budgets at exactly the
 * credits, and the lock's fencing token after the restart is above every one acknowledged.
 */
class CrashSafetyTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @TempDir
    Path home;

    /** One write and its key: sent at most once before the crash, retried with the same key after it. */
    private record Sent(String tenant, String path, String body, String key) {}

    @Test
    void killedMidStreamItKeepsEveryAcknowledgedWriteAndAppliesEveryRetriedOneOnce() throws Exception {
        int port = freePort();
        Process server = start(port, "first");
        try {
            String key = JSON.readTree(home.resolve("secrets.json").toFile()).path("dev_jwt_signing_key").asText();
            String token = DevTokens.token(key, "u_admin");
            // t_crash's counters, budgets and locks on the local Redis; t_system's on Firestore (the default route).
            for (String[] write : new String[][] {
                    {"POST", "/v1/admin/tenants", "{\"id\": \"t_crash\", \"allowed_envs\": [\"dev\"]}"},
                    {"POST", "/v1/admin/tenants/t_crash/members", "{\"id\": \"u_admin\", \"roles\": [\"owner\"]}"},
                    {"POST", "/v1/admin/routes", "{\"id\": \"crash_kpi\", \"kind\": \"kpi\", \"backend\": \"redis_local\", \"tenant\": \"t_crash\"}"},
                    {"POST", "/v1/admin/routes", "{\"id\": \"crash_budgets\", \"kind\": \"budgets\", \"backend\": \"redis_local\", \"tenant\": \"t_crash\"}"},
                    {"POST", "/v1/admin/routes", "{\"id\": \"crash_locks\", \"kind\": \"strategy_lock\", \"backend\": \"redis_local\", \"tenant\": \"t_crash\"}"}}) {
                var r = send(port, token, "t_system", write[0], write[1], write[2], null, null);
                assertThat(r.statusCode()).as(write[1] + " " + r.body()).isEqualTo(201);
            }
            for (String tenant : List.of("t_system", "t_crash")) {
                await("routes and membership applied for " + tenant).atMost(Duration.ofSeconds(10))
                        .until(() -> send(port, token, tenant, "GET", "/v1/routes/kpi", null, null, null).body()
                                .contains(tenant.equals("t_crash") ? "redis_local" : "firestore_default"));
            }

            // Writers until the kill: each write has its own Idempotency-Key; what was acknowledged is recorded.
            var sent = new ConcurrentHashMap<String, Sent>();
            var acked = ConcurrentHashMap.<String>newKeySet();
            var maxAckedToken = new ConcurrentHashMap<String, AtomicLong>();
            var stop = new AtomicBoolean();
            var counter = new AtomicLong();
            try (var writers = Executors.newVirtualThreadPerTaskExecutor()) {
                for (String tenant : List.of("t_system", "t_crash")) {
                    maxAckedToken.put(tenant, new AtomicLong());
                    for (int w = 0; w < 3; w++) {
                        int writer = w;
                        writers.submit(() -> {
                            while (!stop.get()) {
                                long n = counter.incrementAndGet();
                                var write = writer == 2 && n % 2 == 0
                                        ? new Sent(tenant, "/v1/resources/budgets/pot/credit", "{\"amount\": 3}", "b-" + n)
                                        : new Sent(tenant, "/v1/resources/kpi/clicks/increment", "{\"by\": 1}", "k-" + n);
                                sent.put(write.key(), write);
                                try {
                                    if (send(port, token, tenant, "POST", write.path(), write.body(), write.key(), null).statusCode() == 200) {
                                        acked.add(write.key());
                                    }
                                    if (writer == 0 && n % 5 == 0) {
                                        lockCycle(port, token, tenant, "w" + n, maxAckedToken.get(tenant));
                                    }
                                } catch (Exception refused) {
                                    // the server is gone: the write is in flight, retried below
                                }
                            }
                            return null;
                        });
                    }
                }
                // The control plane's own writes: users created through the admin API, each with its key.
                writers.submit(() -> {
                    while (!stop.get()) {
                        long n = counter.incrementAndGet();
                        var write = new Sent("t_system", "/v1/admin/users", "{\"id\": \"u_crash_" + n + "\"}", "u-" + n);
                        sent.put(write.key(), write);
                        try {
                            if (send(port, token, "t_system", "POST", write.path(), write.body(), write.key(), null).statusCode() == 201) {
                                acked.add(write.key());
                            }
                        } catch (Exception refused) {
                            // in flight when the server died: retried below
                        }
                    }
                    return null;
                });
                await("writes acknowledged on both backends").atMost(Duration.ofSeconds(30))
                        .until(() -> acked.size() > 150 && maxAckedToken.values().stream().allMatch(t -> t.get() > 0));
                server.destroyForcibly(); // SIGKILL, mid-stream
                assertThat(server.waitFor(10, TimeUnit.SECONDS)).isTrue();
                stop.set(true);
            }
            assertThat(acked).as("some writes were acknowledged before the kill").isNotEmpty();

            server = start(port, "second");
            // Before any retry: what was acknowledged is there.
            for (String tenant : List.of("t_system", "t_crash")) {
                long ackedIncrements = acked.stream().map(sent::get)
                        .filter(w -> w.tenant().equals(tenant) && w.path().endsWith("increment")).count();
                long sentIncrements = sent.values().stream().filter(w -> w.tenant().equals(tenant) && w.path().endsWith("increment")).count();
                long value = JSON.readTree(send(port, token, tenant, "GET", "/v1/resources/kpi/clicks", null, null, null).body())
                        .path("value").asLong();
                assertThat(value).as(tenant + ": every acknowledged increment survived the kill, nothing beyond what was sent")
                        .isBetween(ackedIncrements, sentIncrements);
            }
            for (String k : acked) {
                Sent w = sent.get(k);
                if (w.path().equals("/v1/admin/users")) {
                    String id = JSON.readTree(w.body()).path("id").asText();
                    assertThat(send(port, token, "t_system", "GET", "/v1/admin/users/" + id, null, null, null).statusCode())
                            .as("acknowledged control-plane write " + id + " survived the kill").isEqualTo(200);
                }
            }
            // Every write sent, acknowledged or not, retried with its key: answered from its record or applied now.
            // (The client waits up to 30 s for an answer, and a request that needs longer fails the test:
            // every Firestore wait inside a request is bounded by data, its retries and its wait behind
            // other writes to the same key included — store_timeout_ms and write_timeout_ms, 10 s each.)
            // A 503/504 says "retry with the same key" (a transaction the killed process left open holds
            // its document until Firestore expires it): the client contract, followed here.
            long retriedAt = System.nanoTime();
            // All at once, as the writers' clients would: a locked document delays its own writes only.
            try (var retries = Executors.newVirtualThreadPerTaskExecutor()) {
                var done = new ArrayList<java.util.concurrent.Future<?>>();
                for (Sent write : sent.values()) {
                    done.add(retries.submit(() -> await("retried " + write).atMost(Duration.ofSeconds(120))
                            .pollInterval(Duration.ofMillis(200)).until(() -> {
                                var r = send(port, token, write.tenant(), "POST", write.path(), write.body(), write.key(), null);
                                assertThat(r.statusCode()).as(write + " " + r.body()).isIn(200, 201, 503, 504);
                                return r.statusCode() == 200 || r.statusCode() == 201;
                            })));
                }
                for (var f : done) {
                    f.get();
                }
            }
            System.err.printf("retried %,d writes (%,d acknowledged before the kill) in %.1f s%n", sent.size(), acked.size(),
                    (System.nanoTime() - retriedAt) / 1e9);
            for (Sent w : sent.values()) {
                if (w.path().equals("/v1/admin/users")) {
                    String id = JSON.readTree(w.body()).path("id").asText();
                    assertThat(send(port, token, "t_system", "GET", "/v1/admin/users/" + id, null, null, null).statusCode())
                            .as(id + " exists after its retry").isEqualTo(200);
                }
            }
            for (String tenant : List.of("t_system", "t_crash")) {
                long increments = sent.values().stream().filter(s -> s.tenant().equals(tenant) && s.path().endsWith("increment")).count();
                long credits = sent.values().stream().filter(s -> s.tenant().equals(tenant) && s.path().endsWith("credit")).count();
                JsonNode clicks = JSON.readTree(send(port, token, tenant, "GET", "/v1/resources/kpi/clicks", null, null, null).body());
                assertThat(clicks.path("value").asLong()).as(tenant + " counter: every increment exactly once").isEqualTo(increments);
                if (credits > 0) {
                    JsonNode pot = JSON.readTree(send(port, token, tenant, "GET", "/v1/resources/budgets/pot", null, null, null).body());
                    assertThat(pot.path("remaining").asLong()).as(tenant + " budget: every credit exactly once").isEqualTo(3 * credits);
                }
                // A lock acquired after the restart fences out every holder acknowledged before it. The client
                // contract again: a 409 (a lease from before the crash still runs) is a refusal, so the next try
                // is a new request with a new key; a 503/504 (a transaction the killed process left open holds
                // the lock's document) may have been applied, so the next try repeats the same key.
                var attempt = new AtomicLong();
                var answer = new AtomicReference<HttpResponse<String>>();
                await(tenant + ": a lock acquired after the restart").atMost(Duration.ofSeconds(120))
                        .pollInterval(Duration.ofMillis(200)).until(() -> {
                            var r = send(port, token, tenant, "POST", "/v1/resources/strategy_lock/plan/acquire",
                                    "{\"owner\": \"after-restart\", \"ttl_ms\": 100000}",
                                    "after-restart-" + tenant + "-" + attempt.get(), null);
                            assertThat(r.statusCode()).as(r.body()).isIn(200, 409, 503, 504);
                            if (r.statusCode() == 409) {
                                attempt.incrementAndGet();
                            }
                            answer.set(r);
                            return r.statusCode() == 200;
                        });
                var after = answer.get();
                assertThat(JSON.readTree(after.body()).path("fencing_token").asLong())
                        .as(tenant + ": the fencing token only grows, across the crash")
                        .isGreaterThan(maxAckedToken.get(tenant).get());
            }
        } finally {
            server.destroyForcibly();
            cli(List.of("stop")).start().waitFor(60, TimeUnit.SECONDS);
        }
    }

    /** Acquire then release, recording the highest fencing token an acquisition was acknowledged with. */
    private static void lockCycle(int port, String token, String tenant, String owner, AtomicLong maxAcked) throws Exception {
        var got = send(port, token, tenant, "POST", "/v1/resources/strategy_lock/plan/acquire",
                "{\"owner\": \"" + owner + "\", \"ttl_ms\": 2000}", null, null);
        if (got.statusCode() != 200) {
            return; // held by another writer's cycle
        }
        long fencing = JSON.readTree(got.body()).path("fencing_token").asLong();
        maxAcked.accumulateAndGet(fencing, Math::max);
        send(port, token, tenant, "POST", "/v1/resources/strategy_lock/plan/release",
                "{\"owner\": \"" + owner + "\", \"fencing_token\": " + fencing + "}", null, null);
    }

    private Process start(int port, String name) throws Exception {
        Path log = home.resolve("server-" + name + ".log");
        Process server = cli(List.of("run", "--port", String.valueOf(port))).redirectOutput(log.toFile()).start();
        await("Plinth serves (" + name + " start)").atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(200))
                .failFast("the server exited: see " + log, () -> !server.isAlive())
                .until(() -> Files.exists(log) && Files.readString(log).contains("Plinth serves"));
        return server;
    }

    private static HttpResponse<String> send(int port, String token, String tenant, String method, String path, String body,
                                             String idempotencyKey, Map<String, String> more) throws Exception {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", "Bearer " + token).header("X-Tenant-Id", tenant).header("X-Env", "dev");
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (idempotencyKey != null) {
            request.header("Idempotency-Key", idempotencyKey);
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private ProcessBuilder cli(List<String> args) {
        var cmd = new ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "-cp", System.getProperty("java.class.path"), PlinthCli.class.getName()));
        cmd.addAll(args);
        var pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("PLINTH_HOME", home.toString());
        return pb;
    }

    private static int freePort() throws Exception {
        try (var socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
