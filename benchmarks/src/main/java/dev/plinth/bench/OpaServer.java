package dev.plinth.bench;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The pinned {@code opa run --server} on a free loopback port, loaded with the given Rego
 * folders and files (tests ignored) and data, for the benchmarks that put Plinth beside it.
 */
final class OpaServer implements AutoCloseable {

    /** The OPA CLI and the Rego folder, which ./plinth passes first to every OPA benchmark. */
    record Tools(String opa, Path rego, String[] rest) {
        static Tools from(String[] args, String main) {
            if (args.length < 2) {
                throw new IllegalArgumentException("usage: " + main + " <opa binary> <rego dir> [options]; run it with ./plinth bench");
            }
            return new Tools(args[0], Path.of(args[1]), Arrays.copyOfRange(args, 2, args.length));
        }
    }

    final int port;
    private final Process process;

    private OpaServer(int port, Process process) {
        this.port = port;
        this.process = process;
    }

    /** Starts OPA and returns once it answers /health; its output goes to {@code log}. */
    static OpaServer start(String opa, Path log, Path... sources) throws Exception {
        int port;
        try (var socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        var cmd = new ArrayList<>(List.of(opa, "run", "--server", "--addr", "127.0.0.1:" + port, "--log-level", "error",
                "--ignore", "*_test.rego"));
        for (Path source : sources) {
            cmd.add(source.toString());
        }
        Process process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        var server = new OpaServer(port, process);
        while (process.isAlive()) {
            try {
                if (server.get("/health").statusCode() == 200) {
                    return server;
                }
            } catch (IOException notYet) {
                // still loading
            }
            Thread.sleep(200);
        }
        throw new IllegalStateException("opa run --server exited while loading; see " + log);
    }

    HttpResponse<String> get(String path) throws Exception {
        return Bench.HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> post(String path, String body) throws Exception {
        return Bench.HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A value from OPA's Prometheus {@code /metrics}, or -1. */
    double metric(String name) throws Exception {
        return get("/metrics").body().lines().filter(l -> l.startsWith(name + " "))
                .mapToDouble(l -> Double.parseDouble(l.split(" ")[1])).findFirst().orElse(-1);
    }

    long rssKiB() throws IOException {
        return Files.readAllLines(Path.of("/proc/" + process.pid() + "/status")).stream().filter(l -> l.startsWith("VmRSS:"))
                .mapToLong(l -> Long.parseLong(l.replaceAll("\\D", ""))).findFirst().orElse(-1);
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        process.waitFor();
    }
}
