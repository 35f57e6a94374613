package dev.plinth.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plinth.api.PlinthServer;
import dev.plinth.core.context.ContextResolver;
import dev.plinth.core.routing.Routing;
import dev.plinth.testing.TestInfra;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Plinth and the pinned {@code opa run --server} side by side over HTTP: the same Rego (the
 * policy/rego/plinth sources for OPA, the bundle built from them for Plinth), the same
 * data (the global data document Plinth loads into wasm) and the same inputs (captured
 * from Plinth's own decisions), driven by the same wrk on loopback, alternating OPA and
 * Plinth in every round.
 *
 * <p>Targets: {@code POST /v1/data/plinth/authz/decision} and {@code …/routing/backend} on
 * both (Plinth additionally verifies a bearer token and resolves a context for every
 * request, since its Data API is protected), and the resolved-context path: Plinth's
 * {@code GET /v1/context} (token, snapshot look-ups, decision) against OPA answering the
 * same decision from the facts Plinth gathered.
 *
 * <p>Run: {@code ./plinth bench opa [seconds per run] [rounds] [target prefix]}; writes
 * {@code target/opa-side-by-side/results.json} and the latency plot
 * {@code docs/benchmarks/plinth-vs-opa-latency.png}.
 */
public final class OpaSideBySide {

    private static final ObjectMapper JSON = new ObjectMapper();
    static final int[] CONNECTIONS = {1, 8};

    /** One wrk run's numbers (latencies in microseconds; {@code distribution} maps percentile → µs). */
    record Run(String target, String system, int connections, int round, long requests, double seconds, long errors,
            double p50, double p99, double p999, Map<String, Double> distribution) {
        double throughput() {
            return requests / seconds;
        }
    }

    record Target(String name, String plinthMethod, String plinthPath, String opaPath, String body) {}

    public static void main(String[] args) throws Exception {
        var tools = OpaServer.Tools.from(args, "OpaSideBySide");
        args = tools.rest();
        int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 10;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 2;
        String only = args.length > 2 ? args[2] : ""; // a target name prefix, to re-run one
        Path work = Files.createDirectories(Path.of("target/opa-side-by-side"));
        String project = TestInfra.newProjectId(OpaSideBySide.class);
        System.err.println("side by side: starting Plinth on the emulator (project " + project + ")");
        try (PlinthServer plinth = Bench.replica(project)) {
            var admin = Bench.as("u_admin", "t_system");
            // One decision of each kind through Plinth itself, to capture the exact inputs.
            expectOk(Bench.send(plinth, "GET", "/v1/context", admin, null));
            expectOk(Bench.send(plinth, "GET", "/v1/routes/feature_flags", admin, null));
            Map<String, JsonNode> inputs = new LinkedHashMap<>();
            plinth.core().engine().sample().entries().forEach(e -> inputs.putIfAbsent(e.entrypoint(), e.input()));
            JsonNode authzInput = require(inputs, ContextResolver.ENTRYPOINT);
            JsonNode routingInput = require(inputs, Routing.ENTRYPOINT);
            JsonNode data = plinth.core().controlPlane().snapshot().orElseThrow().globalData();
            Files.writeString(work.resolve("data.json"), data.toString());
            Files.writeString(work.resolve("authz-input.json"), authzInput.toString());
            Files.writeString(work.resolve("routing-input.json"), routingInput.toString());

            System.err.println("side by side: starting " + tools.opa() + " run --server");
            try (var opaServer = OpaServer.start(tools.opa(), work.resolve("opa.log"), tools.rego(), work.resolve("data.json"))) {
                int opaPort = opaServer.port;
                var targets = List.of(
                        new Target("authz decision (/v1/data)", "POST", "/v1/data/plinth/authz/decision",
                                "/v1/data/plinth/authz/decision", body(authzInput)),
                        new Target("routing decision (/v1/data)", "POST", "/v1/data/plinth/routing/backend",
                                "/v1/data/plinth/routing/backend", body(routingInput)),
                        new Target("resolved context (Plinth GET /v1/context)", "GET", "/v1/context",
                                "/v1/data/plinth/authz/decision", body(authzInput)));
                for (Target t : targets) {
                    checkParity(t, plinth.port(), opaServer, admin);
                }
                var runs = new ArrayList<Run>();
                for (Target t : targets.stream().filter(t -> t.name().startsWith(only)).toList()) {
                    for (int c : CONNECTIONS) {
                        // Warm both before anything is measured: Plinth's JIT compiles the wasm
                        // module's generated classes for a while (a 3 s warm-up left its p99 at
                        // c=1 three times higher than after 10 s), and that takes CPU from
                        // whatever runs beside it on two cores.
                        wrk(work, t, "opa", opaPort, admin, c, Math.max(10, seconds), 0);
                        wrk(work, t, "plinth", plinth.port(), admin, c, Math.max(10, seconds), 0);
                        for (int round = 1; round <= rounds; round++) {
                            runs.add(wrk(work, t, "opa", opaPort, admin, c, seconds, round));
                            runs.add(wrk(work, t, "plinth", plinth.port(), admin, c, seconds, round));
                        }
                    }
                }
                Files.writeString(work.resolve("results.json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(runs));
                System.out.println(markdown(runs, targets.stream().filter(t -> t.name().startsWith(only)).toList()));
                if (only.isEmpty()) { // the published plot shows every target, never a partial re-run
                    Path png = Path.of("docs/benchmarks/plinth-vs-opa-latency.png");
                    Files.createDirectories(png.getParent());
                    LatencyPlot.write(runs, png);
                    System.err.println("side by side: wrote " + png);
                }
                System.err.println("side by side: wrote " + work.resolve("results.json"));
            }
        }
        System.exit(0);
    }

    private static JsonNode require(Map<String, JsonNode> inputs, String entrypoint) {
        JsonNode in = inputs.get(entrypoint);
        if (in == null) {
            throw new IllegalStateException("Plinth evaluated no " + entrypoint + " decision to capture; sampled: " + inputs.keySet());
        }
        return in;
    }

    private static String body(JsonNode input) {
        ObjectNode b = JSON.createObjectNode();
        b.set("input", input);
        return b.toString();
    }

    private static void expectOk(HttpResponse<String> r) {
        if (r.statusCode() != 200) {
            throw new IllegalStateException("Plinth answered " + r.statusCode() + " " + r.body());
        }
    }

    /** Both must answer the same decision, or the comparison compares nothing. */
    private static void checkParity(Target t, int plinthPort, OpaServer opa, Map<String, String> admin) throws Exception {
        JsonNode fromOpa = JSON.readTree(opa.post(t.opaPath(), t.body()).body()).path("result");
        if (t.plinthMethod().equals("GET")) {
            var ctx = Bench.HTTP.send(request(plinthPort, t.plinthPath(), admin).GET().build(), HttpResponse.BodyHandlers.ofString());
            JsonNode c = JSON.readTree(ctx.body());
            if (!fromOpa.path("allow").asBoolean() || !fromOpa.path("context").path("tenant_id").equals(c.path("tenant_id"))
                    || !fromOpa.path("context").path("mode").equals(c.path("mode"))) {
                throw new IllegalStateException("OPA's decision " + fromOpa + " does not match Plinth's context " + c);
            }
            return;
        }
        JsonNode fromPlinth = JSON.readTree(post(plinthPort, t.plinthPath(), t.body(), admin).body()).path("result");
        if (fromOpa.isMissingNode() || !fromOpa.equals(fromPlinth)) {
            throw new IllegalStateException(t.name() + ": OPA answered " + fromOpa + ", Plinth " + fromPlinth);
        }
    }

    private static HttpRequest.Builder request(int port, String path, Map<String, String> headers) {
        var b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(10));
        headers.forEach(b::header);
        return b;
    }

    private static HttpResponse<String> post(int port, String path, String body, Map<String, String> headers) throws Exception {
        return Bench.HTTP.send(request(port, path, headers).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static final double[] PLOT_PERCENTILES = {1, 5, 10, 20, 30, 40, 50, 60, 70, 75, 80, 85, 90, 95, 97, 98, 99,
            99.5, 99.7, 99.9, 99.95, 99.99};

    /** One wrk run, its numbers read from a done() hook (wrk's own output has no p99.9). */
    static Run wrk(Path work, Target t, String system, int port, Map<String, String> admin, int connections, int seconds,
            int round) throws Exception {
        boolean plinth = system.equals("plinth");
        String method = plinth ? t.plinthMethod() : "POST";
        String path = plinth ? t.plinthPath() : t.opaPath();
        Path bodyFile = work.resolve("body-" + Math.abs(t.name().hashCode()) + ".json");
        Files.writeString(bodyFile, t.body());
        Path out = work.resolve("run.json");
        Files.deleteIfExists(out);
        var lua = new StringBuilder();
        lua.append("wrk.method = \"").append(method).append("\"\n");
        if (method.equals("POST")) {
            lua.append("local f = io.open(\"").append(bodyFile.toAbsolutePath()).append("\")\nwrk.body = f:read(\"*a\")\nf:close()\n");
            lua.append("wrk.headers[\"Content-Type\"] = \"application/json\"\n");
        }
        if (plinth) {
            admin.forEach((k, v) -> lua.append("wrk.headers[\"").append(k).append("\"] = \"").append(v).append("\"\n"));
        }
        lua.append("done = function(summary, latency, requests)\n")
                .append("  local o = io.open(\"").append(out.toAbsolutePath()).append("\", \"w\")\n")
                .append("  local e = summary.errors\n")
                .append("  o:write(string.format('{\"requests\": %d, \"duration_us\": %d, \"errors\": %d, \"dist\": {',")
                .append(" summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout + e.status))\n");
        for (int i = 0; i < PLOT_PERCENTILES.length; i++) {
            lua.append("  o:write(string.format('").append(i == 0 ? "" : ", ").append("\"").append(PLOT_PERCENTILES[i])
                    .append("\": %d', latency:percentile(").append(PLOT_PERCENTILES[i]).append(")))\n");
        }
        lua.append("  o:write('}}')\n  o:close()\nend\n");
        Path script = work.resolve("run.lua");
        Files.writeString(script, lua.toString());
        var cmd = List.of("wrk", "-t1", "-c" + connections, "-d" + seconds + "s", "-s", script.toString(),
                "http://127.0.0.1:" + port + path);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(work.resolve("wrk.log").toFile()).start();
        if (p.waitFor() != 0 || !Files.exists(out)) {
            throw new IllegalStateException("wrk failed; see " + work.resolve("wrk.log"));
        }
        if (round == 0) {
            return null;
        }
        JsonNode r = JSON.readTree(out.toFile());
        var dist = new LinkedHashMap<String, Double>();
        r.path("dist").fields().forEachRemaining(e -> dist.put(e.getKey(), e.getValue().asDouble()));
        var run = new Run(t.name(), system, connections, round, r.path("requests").asLong(),
                r.path("duration_us").asDouble() / 1e6, r.path("errors").asLong(),
                dist.get("50.0"), dist.get("99.0"), dist.get("99.9"), dist);
        System.err.printf("  %-45s %-6s c=%d round %d: %,.0f req/s, p50 %.0f µs, p99 %.0f µs, p99.9 %.0f µs, errors %d%n",
                t.name(), system, connections, round, run.throughput(), run.p50(), run.p99(), run.p999(), run.errors());
        if (run.errors() > 0) {
            throw new IllegalStateException(system + " answered " + run.errors() + " errors or non-2xx on " + t.name());
        }
        return run;
    }

    /** The table for docs/benchmarks.md: per target and connections, each system's best round and the ratio. */
    static String markdown(List<Run> runs, List<Target> targets) {
        var md = new StringBuilder("| target | conns | system | throughput | p50 | p99 | p99.9 |\n|---|---:|---|---:|---:|---:|---:|\n");
        var ratios = new StringBuilder("\n| target | conns | throughput Plinth/OPA | p99 Plinth/OPA |\n|---|---:|---:|---:|\n");
        for (Target t : targets) {
            for (int c : CONNECTIONS) {
                Run o = median(runs, t.name(), "opa", c);
                Run p = median(runs, t.name(), "plinth", c);
                for (Run r : List.of(o, p)) {
                    md.append(String.format("| %s | %d | %s | %,.0f req/s | %.0f µs | %.0f µs | %.0f µs |%n", t.name(), c,
                            r.system().equals("opa") ? "OPA server" : "Plinth", r.throughput(), r.p50(), r.p99(), r.p999()));
                }
                ratios.append(String.format("| %s | %d | %.2f× | %.2f× |%n", t.name(), c, p.throughput() / o.throughput(),
                        p.p99() / o.p99()));
            }
        }
        return md.append(ratios).toString();
    }

    /** The round with the median throughput (the better of two), so one noisy round does not decide. */
    static Run median(List<Run> runs, String target, String system, int connections) {
        var list = runs.stream().filter(r -> r.target().equals(target) && r.system().equals(system) && r.connections() == connections)
                .sorted(java.util.Comparator.comparingDouble(Run::throughput)).toList();
        return list.get(list.size() / 2);
    }
}
