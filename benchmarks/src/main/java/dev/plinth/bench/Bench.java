package dev.plinth.bench;

import dev.plinth.api.PlinthServer;
import dev.plinth.core.bootstrap.BootstrapConfig;
import dev.plinth.testing.TestInfra;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

/** Shared pieces of the end-to-end benchmarks: replicas on the benchmark emulator, HTTP, percentiles. */
final class Bench {
    static final HttpClient HTTP = HttpClient.newHttpClient();

    private Bench() {}

    static PlinthServer replica(String project) throws Exception {
        return replica(project, TestInfra.shared().firestoreHost());
    }

    static PlinthServer replica(String project, String firestoreHost) throws Exception {
        return replica(project, firestoreHost, null);
    }

    /** @param snapshotDir where the replica keeps its snapshot file, or null: none (a cold start every time) */
    static PlinthServer replica(String project, String firestoreHost, Path snapshotDir) throws Exception {
        Path dir = Files.createTempDirectory("plinth-bench");
        Path secrets = dir.resolve("secrets.json");
        Files.writeString(secrets, "{\"dev_jwt_signing_key\": \"" + AuthzDecisionBenchmark.KEY + "\"}");
        return PlinthServer.start(BootstrapConfig.from(Map.of(
                "PLINTH_PORT", "0", "PLINTH_HOME", dir.toString(), "PLINTH_FIRESTORE_PROJECT", project,
                "PLINTH_FIRESTORE_EMULATOR_HOST", firestoreHost,
                "PLINTH_SECRETS_FILE", secrets.toString(), "PLINTH_READY_TIMEOUT_SECONDS", "900",
                "PLINTH_SNAPSHOT_DIR", snapshotDir == null ? "" : snapshotDir.toString(), "PLINTH_SHUTDOWN_DRAIN_SECONDS", "0")));
    }

    static HttpResponse<String> send(PlinthServer server, String method, String path, Map<String, String> headers, String body)
            throws Exception {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        headers.forEach(request::header);
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static Map<String, String> as(String user, String tenant) throws Exception {
        return Map.of("Authorization", "Bearer " + AuthzDecisionBenchmark.token(user), "X-Tenant-Id", tenant, "X-Env", "dev");
    }

    /** p50/p99/max of nanosecond samples, in milliseconds. */
    static String percentiles(long[] nanos) {
        long[] s = nanos.clone();
        Arrays.sort(s);
        return String.format("p50 %.2f ms, p99 %.2f ms, max %.2f ms (n=%d)",
                s[(int) (s.length * 0.50)] / 1e6, s[Math.min(s.length - 1, (int) Math.ceil(s.length * 0.99) - 1)] / 1e6,
                s[s.length - 1] / 1e6, s.length);
    }
}
