package dev.plinth.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;

/**
 * Replicas of Plinth's image run by podman (host networking) on one emulator and Redis, behind
 * a real HAProxy that health-checks {@code /health/ready} — what a platform team deploys, on
 * one machine. Podman needs the settings {@code ./plinth} writes ({@code CONTAINERS_CONF});
 * HAProxy is Debian's. Each replica keeps its container between a stop and a start, so a
 * restart resumes from its snapshot file, as a pod with a local disk does.
 */
public final class Replicas implements AutoCloseable {

    /** One replica: its container's name and port. */
    public record Replica(String name, int port) {}

    private final String image;
    private final String project;
    private final String emulatorHost;
    private final Path secrets;
    private final Map<String, String> extraEnv;
    private final Map<String, Replica> replicas = new LinkedHashMap<>();
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private Process haproxy;
    private int balancerPort;
    private int statsPort;
    private Path haproxyConfig;
    private Path haproxyLog;

    /**
     * @param secretsJson the secrets file's content (the dev signing key), mounted read-only into each replica
     * @param extraEnv    more bootstrap variables for every replica
     */
    public Replicas(String image, String project, String emulatorHost, String secretsJson, Map<String, String> extraEnv)
            throws IOException {
        this.image = image;
        this.project = project;
        this.emulatorHost = emulatorHost;
        this.extraEnv = extraEnv;
        // Readable by the image's non-root user (10001): a temp dir is 0700 by default.
        this.secrets = Files.createTempDirectory("plinth-replica-secrets",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
        Path file = secrets.resolve("secrets.json");
        Files.writeString(file, secretsJson);
        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    }

    /** Creates and starts {@code count} replicas, then waits until each is ready. */
    public List<Replica> start(int count) throws Exception {
        var started = new ArrayList<Replica>();
        for (int i = 1; i <= count; i++) {
            var r = new Replica("plinth-" + project + "-r" + i, dev.plinth.infra.LocalInfra.freePort());
            podman("rm", "-f", "--ignore", r.name());
            var cmd = new ArrayList<>(List.of("run", "-d", "--name", r.name(), "--network", "host", "--stop-timeout", "60",
                    "-v", secrets + ":/secrets:ro"));
            var env = new HashMap<String, String>(Map.of(
                    "PLINTH_PORT", Integer.toString(r.port()),
                    "PLINTH_FIRESTORE_PROJECT", project,
                    "PLINTH_FIRESTORE_EMULATOR_HOST", emulatorHost,
                    "PLINTH_SECRETS_FILE", "/secrets/secrets.json"));
            env.putAll(extraEnv);
            env.forEach((k, v) -> cmd.addAll(List.of("-e", k + "=" + v)));
            cmd.add(image);
            podman(cmd.toArray(String[]::new));
            replicas.put(r.name(), r);
            started.add(r);
        }
        for (Replica r : started) {
            awaitReady(r);
        }
        return started;
    }

    public List<Replica> all() {
        return List.copyOf(replicas.values());
    }

    /** SIGTERM and wait until the container has exited (the replica's graceful stop). */
    public void stop(Replica r) throws Exception {
        podman("stop", "-t", "60", r.name());
    }

    /** Starts a stopped replica's container again and waits until it is ready. */
    public void restart(Replica r) throws Exception {
        podman("start", r.name());
        awaitReady(r);
    }

    public void awaitReady(Replica r) {
        Awaitility.await(r.name() + " ready").atMost(Duration.ofSeconds(180)).pollInterval(Duration.ofMillis(250))
                .ignoreExceptions().until(() -> get(r.port(), "/health/ready").statusCode() == 200);
    }

    /** The replica's log (its container's output), for a failure message. */
    public String logs(Replica r) throws Exception {
        return podman("logs", "--tail", "40", r.name());
    }

    /** Starts HAProxy in front of every replica, health-checking {@code /health/ready}, and waits until it sees them all up. */
    public int balance() throws Exception {
        balancerPort = dev.plinth.infra.LocalInfra.freePort();
        statsPort = dev.plinth.infra.LocalInfra.freePort();
        var servers = new StringBuilder();
        for (Replica r : replicas.values()) {
            servers.append("  server ").append(shortName(r)).append(" 127.0.0.1:").append(r.port()).append(" check\n");
        }
        // A replica that is stopping answers /health/ready 503 for its drain period while it
        // still serves: two failed checks 300 ms apart take it out of rotation well within it.
        // HTTP/1.1 with a Host: HAProxy's default check is HTTP/1.0, which Helidon does not serve.
        String config = """
                global
                  maxconn 2000
                  log stdout format raw local0
                defaults
                  mode http
                  log global
                  option httplog
                  timeout connect 2s
                  timeout client 60s
                  timeout server 60s
                  retries 2
                  option redispatch
                  retry-on conn-failure
                frontend plinth
                  bind 127.0.0.1:%d
                  default_backend replicas
                  http-response set-header X-Served-By %%[srv_name]
                backend replicas
                  balance roundrobin
                  option httpchk
                  http-check send meth GET uri /health/ready ver HTTP/1.1 hdr Host plinth
                  http-check expect status 200
                  default-server inter 300ms fall 2 rise 2
                %s
                frontend stats
                  bind 127.0.0.1:%d
                  stats enable
                  stats uri /stats
                """.formatted(balancerPort, servers, statsPort);
        haproxyConfig = Files.createTempFile("plinth-haproxy", ".cfg");
        Files.writeString(haproxyConfig, config);
        haproxyLog = Files.createTempFile("plinth-haproxy", ".log");
        haproxy = new ProcessBuilder("haproxy", "-db", "-f", haproxyConfig.toString()).redirectErrorStream(true)
                .redirectOutput(haproxyLog.toFile()).start();
        Awaitility.await("HAProxy answers").atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> serverStatus(
                replicas.values().iterator().next()) != null);
        replicas.values().forEach(this::awaitInRotation);
        return balancerPort;
    }

    /** Waits until HAProxy sends to the replica again ({@code UP}). */
    public void awaitInRotation(Replica r) {
        Awaitility.await(r.name() + " in rotation").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> "UP".equals(serverStatus(r)));
    }

    /** Waits until HAProxy has taken the replica out ({@code DOWN}). */
    public void awaitOutOfRotation(Replica r) {
        Awaitility.await(r.name() + " out of rotation").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> serverStatus(r).startsWith("DOWN"));
    }

    /** HAProxy's status of a replica ({@code UP}, {@code DOWN}, …), from its stats CSV. */
    public String serverStatus(Replica r) {
        String csv;
        try {
            csv = get(statsPort, "/stats;csv").body();
        } catch (Exception e) {
            throw new IllegalStateException("HAProxy's stats do not answer: " + e, e);
        }
        for (String line : csv.split("\n")) {
            String[] f = line.split(",");
            if (f.length > 17 && "replicas".equals(f[0]) && shortName(r).equals(f[1])) {
                return f[17];
            }
        }
        return "absent";
    }

    /** HAProxy's log (one line per request, health-check transitions), for a failure message. */
    public Path balancerLog() {
        return haproxyLog;
    }

    public static String shortName(Replica r) {
        return r.name().substring(r.name().lastIndexOf('-') + 1);
    }

    private HttpResponse<String> get(int port, String path) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Runs podman with these arguments and answers its output; fails when it exits non-zero. */
    public static String podman(String... args) throws Exception {
        var cmd = new ArrayList<>(List.of("podman"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }

    @Override
    public void close() throws Exception {
        if (haproxy != null) {
            haproxy.destroy();
            haproxy.waitFor(10, TimeUnit.SECONDS);
        }
        for (Replica r : replicas.values()) {
            podman("rm", "-f", "--ignore", "-t", "5", r.name());
        }
    }
}
