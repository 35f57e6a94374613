package dev.plinth.bench;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plinth.core.auth.TokenVerifier;
import dev.plinth.core.context.ContextResolver;
import dev.plinth.datasync.model.Snapshot;
import dev.plinth.datasync.secrets.ControlPlaneSecretResolver;
import dev.plinth.datasync.secrets.FileSecretProvider;
import dev.plinth.engine.api.Bundle;
import dev.plinth.engine.api.PolicyEngine;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;

/**
 * Decision latency and memory against control-plane size, 100 → 1,000,000 memberships
 * (tenants of 10 members), for Plinth and for {@code opa run --server} holding the same
 * records.
 *
 * <p>Plinth: the production path in-process — token-cache hit, Snapshot look-ups,
 * {@code plinth/authz/decision} — once through the decision cache (4,096 hot members, the
 * steady state) and once evaluated in wasm every call; heap is the used heap after a full
 * GC with the Snapshot loaded, minus the same before it was built.
 *
 * <p>OPA: the same tenants, users, identities and memberships as data, and a small wrapper
 * ({@code bench/scale.rego}) that looks the facts up in data, as an OPA deployment would,
 * and asks the same {@code plinth.authz.decision}; driven over HTTP by wrk with one
 * connection and uniformly random members; memory is OPA's Go heap in use and its RSS.
 * And OPA in-process: {@code opa bench} on the same data, wrapper and one member's input.
 *
 * <p>Run: {@code ./plinth bench scale [sizes…]} (default 100 1000 10000 100000 1000000).
 */
public final class ScaleCurve {

    // The mapper ContextResolver turns records into policy input with (snake_case names).
    private static final ObjectMapper JSON = dev.plinth.datasync.model.Json.MAPPER;
    private static final String WRAPPER = """
            package bench

            # What Plinth's ContextResolver does in Java, done in Rego over data: look the
            # facts up and hand them to the same decision.
            decision := d if {
            	f := full
            	d := data.plinth.authz.decision with input as f
            }

            uid := object.get(data.cp.identities, concat("|", [input.credentials.issuer, input.credentials.subject]), "")

            facts := {
            	"tenant": object.get(data.cp.tenants, input.request.tenant_id, null),
            	"user": object.get(data.cp.users, uid, null),
            	"membership": object.get(data.cp.memberships, concat("|", [input.request.tenant_id, uid]), null),
            }

            full := object.union({"credentials": input.credentials, "request": input.request}, {k: v | some k, v in facts; v != null})
            """;

    record Point(int memberships, double plinthHitP50, double plinthHitP99, double plinthWasmP50, double plinthWasmP99,
            double plinthHeapMiB, double opaP50, double opaP99, long opaHeapMiB, long opaRssMiB, double opaLoadSeconds,
            double opaBenchP50, double opaBenchP99) {}

    public static void main(String[] args) throws Exception {
        var tools = OpaServer.Tools.from(args, "ScaleCurve");
        String opa = tools.opa();
        Path rego = tools.rego();
        args = tools.rest();
        List<Integer> sizes = args.length == 0 ? List.of(100, 1_000, 10_000, 100_000, 1_000_000)
                : Arrays.stream(args).map(Integer::parseInt).toList();
        Path work = Files.createDirectories(Path.of("target/scale-curve"));
        Files.writeString(work.resolve("scale.rego"), WRAPPER);
        var points = new java.util.ArrayList<Point>();
        for (int n : sizes) {
            System.err.printf("scale: %,d memberships%n", n);
            points.add(measure(n, opa, rego, work));
            System.out.println(table(points));
        }
        System.exit(0);
    }

    static Point measure(int memberships, String opa, Path rego, Path work) throws Exception {
        int tenants = Math.max(1, memberships / 10);
        long before = usedAfterGc();
        Snapshot snapshot = AuthzDecisionBenchmark.world(tenants, 10);
        long heap = usedAfterGc() - before;
        System.err.printf("  Plinth: snapshot of %,d tenants built, %,d MiB of heap%n", tenants, heap >> 20);
        double[] hit = plinth(snapshot, tenants, 100_000);
        double[] wasm = plinth(snapshot, tenants, 0);
        JsonNode credentials = EngineBenchmark.capturedInput(snapshot).path("credentials");
        Path data = work.resolve("data.json");
        writeData(snapshot, data);
        snapshot = null; // let OPA have the memory while it runs
        usedAfterGc();
        double[] o = opa(opa, rego, work, data, credentials, tenants);
        return new Point(memberships, hit[0], hit[1], wasm[0], wasm[1], heap / 1048576.0, o[0], o[1], (long) o[2], (long) o[3], o[4],
                o[5], o[6]);
    }

    /** p50 and p99 in µs of resolving contexts for 4,096 random members (after a warm-up). */
    private static double[] plinth(Snapshot snapshot, int tenants, long cacheSize) throws Exception {
        Path secrets = Files.createTempFile("plinth-scale", ".json");
        Files.writeString(secrets, "{\"dev_jwt_signing_key\": \"" + AuthzDecisionBenchmark.KEY + "\"}");
        var tokens = new TokenVerifier(new ControlPlaneSecretResolver(() -> snapshot, List.of(new FileSecretProvider(secrets))),
                Clock.systemUTC(), 100_000);
        var engine = new PolicyEngine(Bundle.builtin(), Runtime.getRuntime().availableProcessors(), cacheSize);
        engine.replaceData(1, snapshot.globalData());
        var resolver = new ContextResolver(() -> Optional.of(snapshot), () -> engine, tokens);
        var random = new Random(42);
        var calls = new AuthzDecisionBenchmark.Call[4096];
        for (int i = 0; i < calls.length; i++) {
            int t = random.nextInt(tenants);
            calls[i] = new AuthzDecisionBenchmark.Call(dev.plinth.core.auth.Credentials.bearer(
                    AuthzDecisionBenchmark.token("u_" + t + "_" + random.nextInt(10))), dev.plinth.core.context.Scope.of("t_" + t, "prod"));
        }
        long warmUntil = System.nanoTime() + Duration.ofSeconds(8).toNanos();
        for (int i = 0; System.nanoTime() < warmUntil; i++) {
            var call = calls[i & 4095];
            resolver.resolve(call.credentials(), call.scope());
        }
        long[] samples = new long[200_000];
        for (int i = 0; i < samples.length; i++) {
            var call = calls[i & 4095];
            long t0 = System.nanoTime();
            resolver.resolve(call.credentials(), call.scope());
            samples[i] = System.nanoTime() - t0;
        }
        Arrays.sort(samples);
        return new double[] {samples[samples.length / 2] / 1e3, samples[(int) (samples.length * 0.99)] / 1e3};
    }

    /** data.json for OPA: Plinth's global data plus the records, keyed for look-ups, written as a stream. */
    private static void writeData(Snapshot s, Path file) throws IOException {
        try (JsonGenerator g = JSON.getFactory().createGenerator(file.toFile(), com.fasterxml.jackson.core.JsonEncoding.UTF8)) {
            g.setCodec(JSON);
            g.writeStartObject();
            g.writeObjectField("plinth", s.globalData().path("plinth"));
            g.writeObjectFieldStart("cp");
            g.writeObjectFieldStart("tenants");
            for (var t : s.entities().tenants().values()) {
                g.writeObjectField(t.id(), t);
            }
            g.writeEndObject();
            g.writeObjectFieldStart("users");
            for (var u : s.entities().users().values()) {
                g.writeObjectField(u.id(), u);
            }
            g.writeEndObject();
            g.writeObjectFieldStart("identities");
            for (var u : s.entities().users().values()) {
                for (var i : u.identities()) {
                    g.writeStringField(i.issuer() + "|" + i.subject(), u.id());
                }
            }
            g.writeEndObject();
            g.writeObjectFieldStart("memberships");
            for (var m : s.entities().memberships().values()) {
                g.writeObjectField(m.tenantId() + "|" + m.userId(), m);
            }
            g.writeEndObject();
            g.writeEndObject();
            g.writeEndObject();
        }
    }

    /** p50, p99 (µs), Go heap in use (MiB), RSS (MiB), load time (s). */
    private static double[] opa(String opa, Path rego, Path work, Path data, JsonNode credentials, int tenants) throws Exception {
        String template = credentials.toString().replace("u_7_3", "u_%d_%d");
        String body = "{\"input\": {\"credentials\": " + template + ", \"request\": {\"tenant_id\": \"t_%d\", \"env\": \"prod\"}}}";
        long t0 = System.nanoTime();
        double[] http;
        try (var server = OpaServer.start(opa, work.resolve("opa.log"), rego, work.resolve("scale.rego"), data)) {
            double load = (System.nanoTime() - t0) / 1e9;
            System.err.printf("  OPA: data loaded and healthy after %.1f s%n", load);
            int port = server.port;
            var check = server.post("/v1/data/bench/decision", String.format(body, 0, 1, 0));
            if (!JSON.readTree(check.body()).path("result").path("allow").asBoolean()) {
                throw new IllegalStateException("OPA's wrapper did not allow a member: " + check.body());
            }
            String lua = "wrk.method = \"POST\"\nwrk.headers[\"Content-Type\"] = \"application/json\"\n"
                    + "request = function()\n  local t = math.random(" + tenants + ") - 1\n  local m = math.random(10) - 1\n"
                    + "  return wrk.format(nil, nil, nil, string.format('" + body + "', t, m, t))\nend\n"
                    + "done = function(summary, latency, requests)\n  io.write(string.format('RESULT %d %d\\n', latency:percentile(50), latency:percentile(99)))\nend\n";
            Files.writeString(work.resolve("scale.lua"), lua);
            run(List.of("wrk", "-t1", "-c1", "-d5s", "-s", work.resolve("scale.lua").toString(), "http://127.0.0.1:" + port + "/v1/data/bench/decision"));
            String out = run(List.of("wrk", "-t1", "-c1", "-d10s", "-s", work.resolve("scale.lua").toString(),
                    "http://127.0.0.1:" + port + "/v1/data/bench/decision"));
            String[] result = out.lines().filter(l -> l.startsWith("RESULT ")).findFirst()
                    .orElseThrow(() -> new IllegalStateException("wrk printed no result: " + out)).split(" ");
            http = new double[] {Double.parseDouble(result[1]), Double.parseDouble(result[2]),
                    server.metric("go_memstats_heap_inuse_bytes") / (1 << 20), server.rssKiB() >> 10, load};
        }
        // OPA in-process too (its own evaluator, prepared query, one member), for an
        // in-process to in-process comparison beside the HTTP one.
        Path input = work.resolve("input.json");
        Files.writeString(input, JSON.readTree(String.format(body, 0, 1, 0)).path("input").toString());
        JsonNode bench = JSON.readTree(run(List.of(opa, "bench", "--ignore", "*_test.rego", "--data", rego.toString(),
                "--data", work.resolve("scale.rego").toString(), "--data", data.toString(), "--input", input.toString(),
                "--format", "json", "data.bench.decision")));
        double benchP50 = bench.path("Extra").path("histogram_timer_rego_query_eval_ns_median").asDouble() / 1e3;
        double benchP99 = bench.path("Extra").path("histogram_timer_rego_query_eval_ns_99%").asDouble() / 1e3;
        return new double[] {http[0], http[1], http[2], http[3], http[4], benchP50, benchP99};
    }

    private static String run(List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }

    private static long usedAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        return heap.getUsed();
    }

    static String table(List<Point> points) {
        var md = new StringBuilder("| memberships | Plinth p50 / p99, cache hit | Plinth p50 / p99, wasm every call | Plinth heap (snapshot) "
                + "| OPA p50 / p99 in-process (opa bench) | OPA server p50 / p99 over HTTP | OPA Go heap in use | OPA RSS | OPA load time |"
                + "\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Point p : points) {
            md.append(String.format("| %,d | %.2f / %.2f µs | %.1f / %.1f µs | %,.1f MiB | %.0f / %.0f µs | %.0f / %.0f µs | %,d MiB | %,d MiB | %.1f s |%n",
                    p.memberships(), p.plinthHitP50(), p.plinthHitP99(), p.plinthWasmP50(), p.plinthWasmP99(), p.plinthHeapMiB(),
                    p.opaBenchP50(), p.opaBenchP99(), p.opaP50(), p.opaP99(), p.opaHeapMiB(), p.opaRssMiB(), p.opaLoadSeconds()));
        }
        return md.toString();
    }
}
