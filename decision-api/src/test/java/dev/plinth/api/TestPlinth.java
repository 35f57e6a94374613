package dev.plinth.api;

import com.google.cloud.firestore.Firestore;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.plinth.core.bootstrap.BootstrapConfig;
import dev.plinth.datasync.ControlPlaneStore;
import dev.plinth.testing.TestInfra;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Test harness: a Plinth replica on the shared test emulator, in its own Firestore project,
 * with its own dev signing key, plus a client and a token minter for it.
 */
final class TestPlinth implements AutoCloseable {

    static final String DEV_ISSUER = dev.plinth.testing.DevTokens.ISSUER;
    static final String KEY = "test-signing-key-0123456789abcdef0123456789abcdef";

    final String projectId;
    final Path home;
    final PlinthServer server;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final String emulatorHost;

    private TestPlinth(String projectId, Path home, String emulatorHost, PlinthServer server) {
        this.projectId = projectId;
        this.emulatorHost = emulatorHost;
        this.home = home;
        this.server = server;
    }

    static TestPlinth start(Class<?> testClass) throws Exception {
        return startOn(TestInfra.newProjectId(testClass), Files.createTempDirectory("plinth-test-secrets"));
    }

    /** A replica on an existing project and secrets folder (a "restart" of the service). */
    static TestPlinth startOn(String projectId, Path secretsDir) throws Exception {
        return startOn(projectId, secretsDir, TestInfra.shared().firestoreHost());
    }

    /** A replica on a given emulator. */
    static TestPlinth startOn(String projectId, Path secretsDir, String emulatorHost) throws Exception {
        return new TestPlinth(projectId, secretsDir, emulatorHost, PlinthServer.start(config(projectId, secretsDir, emulatorHost, 0)));
    }

    /** A replica's configuration: the dev signing key in {@code secretsDir}, the given emulator, a port (0: any free one). */
    static BootstrapConfig config(String projectId, Path secretsDir, String emulatorHost, int port) throws Exception {
        return config(projectId, secretsDir, emulatorHost, port, Map.of());
    }

    /** The same, with more bootstrap variables (e.g. the request limits). */
    static BootstrapConfig config(String projectId, Path secretsDir, String emulatorHost, int port, Map<String, String> more)
            throws Exception {
        Path secrets = writeSecrets(secretsDir);
        var env = new java.util.HashMap<>(Map.of(
                "PLINTH_PORT", String.valueOf(port),
                "PLINTH_HOME", secretsDir.toString(),
                "PLINTH_FIRESTORE_PROJECT", projectId,
                "PLINTH_FIRESTORE_EMULATOR_HOST", emulatorHost,
                "PLINTH_SECRETS_FILE", secrets.toString(),
                // Tests stop servers by the hundred: no drain delay unless a test asks for one.
                "PLINTH_SHUTDOWN_DRAIN_SECONDS", "0"));
        env.putAll(more);
        return BootstrapConfig.from(env);
    }

    /** {@code dir/secrets.json} holding the dev signing key {@link #token} signs with. */
    static Path writeSecrets(Path dir) throws java.io.IOException {
        return Files.writeString(dir.resolve("secrets.json"), "{\"dev_jwt_signing_key\": \"" + KEY + "\"}");
    }

    /** A replica with more bootstrap variables. */
    static TestPlinth startWith(Class<?> testClass, Map<String, String> more) throws Exception {
        String project = TestInfra.newProjectId(testClass);
        Path home = Files.createTempDirectory("plinth-test-secrets");
        String emulator = TestInfra.shared().firestoreHost();
        return new TestPlinth(project, home, emulator, PlinthServer.start(config(project, home, emulator, 0, more)));
    }

    int port() {
        return server.port();
    }

    Firestore firestore() {
        return ControlPlaneStore.connect(projectId, emulatorHost);
    }

    static String token(String subject) throws Exception {
        return token(c -> c.subject(subject));
    }

    /** A dev token (valid for an hour) with whatever changes the test makes to the claims. */
    static String token(UnaryOperator<JWTClaimsSet.Builder> customize) throws Exception {
        return sign(customize, KEY);
    }

    static String sign(UnaryOperator<JWTClaimsSet.Builder> customize, String key) {
        return dev.plinth.testing.DevTokens.token(key, customize);
    }

    HttpResponse<String> get(String path, Map<String, String> headers) throws Exception {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path));
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> send(String method, String path, Map<String, String> headers, String body) throws Exception {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        headers.forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /**
     * Waits until this replica serves the bundle revision (it follows policy/active through its
     * listener; no event is exposed for it, so this polls the in-process engine, bounded at 10 s).
     */
    void awaitBundleRevision(String revision) {
        org.awaitility.Awaitility.await("bundle revision " + revision).atMost(java.time.Duration.ofSeconds(10))
                .pollInterval(java.time.Duration.ofMillis(20))
                .until(() -> server.core().engine().bundleRevision(), revision::equals);
    }

    /** The revision a successful write answered (it fails the test when the write did not succeed). */
    static String revisionOf(HttpResponse<String> write) throws Exception {
        org.assertj.core.api.Assertions.assertThat(write.statusCode()).as(write.body()).isLessThan(300);
        return new com.fasterxml.jackson.databind.ObjectMapper().readTree(write.body()).path("revision").asText();
    }

    /** Headers of the seeded t_system admin. */
    static Map<String, String> admin() throws Exception {
        return as("u_admin", "t_system", "dev");
    }

    static Map<String, String> as(String user, String tenant, String env) throws Exception {
        return new java.util.HashMap<>(Map.of("Authorization", "Bearer " + token(user), "X-Tenant-Id", tenant, "X-Env", env));
    }

    static Map<String, String> with(Map<String, String> headers, String name, String value) {
        var copy = new java.util.HashMap<>(headers);
        copy.put(name, value);
        return copy;
    }

    @Override
    public void close() throws Exception {
        server.close();
    }
}
