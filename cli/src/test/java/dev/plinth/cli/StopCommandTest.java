package dev.plinth.cli;

import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code plinth stop} after {@code plinth run &} stops the server too (it used to stop only
 * the emulator and redis-server, leaving the server answering from a frozen snapshot). Both
 * run as separate processes on a home of their own, with the real emulator and redis-server.
 */
class StopCommandTest {

    @TempDir
    Path home;

    @Test
    void stopStopsTheServerRunStartedThenItsInfrastructure() throws Exception {
        int port;
        try (var socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path serverLog = home.resolve("server.log");
        Process server = cli(List.of("run", "--port", String.valueOf(port))).redirectOutput(serverLog.toFile()).start();
        try {
            await("Plinth serves").atMost(java.time.Duration.ofSeconds(120)).pollInterval(java.time.Duration.ofMillis(200))
                    .failFast("the server exited", () -> !server.isAlive())
                    .until(() -> Files.exists(serverLog) && Files.readString(serverLog).contains("Plinth serves"));
            assertThat(Files.readString(home.resolve("run/server.pid")).trim()).isEqualTo(String.valueOf(server.pid()));

            Process stop = cli(List.of("stop")).start();
            String said = new String(stop.getInputStream().readAllBytes());
            assertThat(stop.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(stop.exitValue()).as(said).isZero();
            assertThat(said).contains("stopping Plinth (pid " + server.pid() + ")").contains("stopping Firestore emulator");
            assertThat(server.waitFor(10, TimeUnit.SECONDS)).as("the server exited").isTrue();
            assertThat(Files.readString(serverLog)).contains("shutting down");
            assertThat(home.resolve("run/server.pid")).doesNotExist();
            assertThat(home.resolve("run/infra.json")).doesNotExist();
        } finally {
            server.destroyForcibly();
            cli(List.of("stop")).start().waitFor(60, TimeUnit.SECONDS); // the servers, if the test failed half-way
        }
    }

    /**
     * SIGTERM (what Kubernetes and podman send) drains like {@code close()}: {@code /health/ready}
     * answers 503 "stopping" while the listener still serves, and only then does it close.
     * Helidon's own shutdown hook used to close the listener at once.
     */
    @Test
    void sigtermTurnsNotReadyBeforeTheListenerCloses() throws Exception {
        int port;
        try (var socket = new ServerSocket(0)) {
            port = socket.getLocalPort();
        }
        Path serverLog = home.resolve("server.log");
        var pb = cli(List.of("run", "--port", String.valueOf(port))).redirectOutput(serverLog.toFile());
        pb.environment().put("PLINTH_SHUTDOWN_DRAIN_SECONDS", "2");
        Process server = pb.start();
        var http = java.net.http.HttpClient.newHttpClient();
        var ready = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port + "/health/ready"))
                .timeout(java.time.Duration.ofSeconds(2)).build();
        try {
            await("Plinth serves").atMost(java.time.Duration.ofSeconds(120)).pollInterval(java.time.Duration.ofMillis(200))
                    .failFast("the server exited", () -> !server.isAlive())
                    .until(() -> Files.exists(serverLog) && Files.readString(serverLog).contains("Plinth serves"));
            server.destroy(); // SIGTERM
            var seen = new java.util.ArrayList<String>();
            await("the listener closes").atMost(java.time.Duration.ofSeconds(30)).pollInterval(java.time.Duration.ofMillis(50))
                    .until(() -> {
                        try {
                            var r = http.send(ready, java.net.http.HttpResponse.BodyHandlers.ofString());
                            seen.add(r.statusCode() + (r.body().contains("stopping") ? " stopping" : ""));
                            return false;
                        } catch (IOException e) {
                            return true;
                        }
                    });
            assertThat(seen).as("answers between SIGTERM and the close").contains("503 stopping");
            assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
        } finally {
            server.destroyForcibly();
            cli(List.of("stop")).start().waitFor(60, TimeUnit.SECONDS);
        }
    }

    private ProcessBuilder cli(List<String> args) throws IOException {
        var cmd = new java.util.ArrayList<>(List.of(ProcessHandle.current().info().command().orElseThrow(),
                "-cp", System.getProperty("java.class.path"), PlinthCli.class.getName()));
        cmd.addAll(args);
        var pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("PLINTH_HOME", home.toString());
        return pb;
    }

    /** A process that exited but was not reaped by its parent counts as stopped (it used to hold stop for its 30 s timeout). */
    @Test
    void aZombieCountsAsExited() throws Exception {
        // The shell starts a short child, then becomes sleep (exec), which never reaps it.
        Process parent = new ProcessBuilder("sh", "-c", "sleep 0.2 & echo $!; exec sleep 30").start();
        try {
            long child = Long.parseLong(new java.io.BufferedReader(new java.io.InputStreamReader(parent.getInputStream())).readLine().trim());
            String state = "";
            for (int i = 0; i < 500 && !state.equals("Z"); i++) { // until the child has exited unreaped
                String stat = Files.readString(Path.of("/proc", String.valueOf(child), "stat"));
                state = String.valueOf(stat.charAt(stat.lastIndexOf(')') + 2));
                parent.waitFor(10, TimeUnit.MILLISECONDS);
            }
            assertThat(state).isEqualTo("Z");
            assertThat(ProcessHandle.of(child).map(ProcessHandle::isAlive)).as("what the JDK says of a zombie").hasValue(true);
            assertThat(ServerPid.exited(child)).isTrue();
            assertThat(ServerPid.exited(parent.pid())).isFalse();
        } finally {
            parent.destroyForcibly();
        }
    }
}
