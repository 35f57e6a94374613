package dev.plinth.conformance.spine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.plinth.api.PlinthServer;
import dev.plinth.core.bootstrap.BootstrapConfig;
import dev.plinth.datasync.ControlPlaneStore;
import dev.plinth.testing.DevTokens;
import dev.plinth.testing.TestInfra;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The black-box spine suite in CI, against the local stack: a Plinth on the real Firestore
 * emulator with the real redis-server registered as a second backend, restarted between
 * the suite's write and verify phases. The suite sees only the URL.
 */
class SpineSuiteTest {

    private static final String KEY = "spine-suite-signing-key-0123456789abcdef0123456789";

    @Test
    void theSpineSuitePassesAgainstTheLocalStack() throws Exception {
        String project = TestInfra.newProjectId(SpineSuiteTest.class);
        Path home = Files.createTempDirectory("plinth-spine");
        var server = new AtomicReference<>(start(project, home, 0));
        int port = server.get().port();
        try (var db = ControlPlaneStore.connect(project, TestInfra.shared().firestoreHost())) {
            // What ./plinth run does with its local Redis: a second backend nothing routes to yet.
            db.document("backends/redis_local").set(Map.of("type", "redis", "status", "active", "secrets", Map.of(),
                    "settings", Map.of("host", "127.0.0.1", "port", TestInfra.shared().redisPort()))).get();
        }
        var log = new ByteArrayOutputStream();
        var out = new PrintStream(log, true, StandardCharsets.UTF_8);
        try {
            var suite = new SpineSuite(URI.create("http://127.0.0.1:" + port), SpineSuiteTest::token, () -> {
                try {
                    server.get().close();
                } catch (Exception e) {
                    throw new IllegalStateException("Plinth did not stop", e);
                }
                server.set(start(project, home, port));
            }, out);
            var results = suite.run();
            boolean clean = SpineConformance.report(results, out);
            System.out.print(log.toString(StandardCharsets.UTF_8));
            assertTrue(clean, log.toString(StandardCharsets.UTF_8));
            assertEquals(0, results.stream().filter(r -> r.outcome() != SpineSuite.Outcome.PASSED).count());
            assertTrue(results.size() >= 10, "every check ran");
        } finally {
            server.get().close();
        }
    }

    private static PlinthServer start(String project, Path home, int port) {
        try {
            Path secrets = home.resolve("secrets.json");
            Files.writeString(secrets, "{\"dev_jwt_signing_key\": \"" + KEY + "\"}");
            return PlinthServer.start(BootstrapConfig.from(Map.of(
                    "PLINTH_PORT", Integer.toString(port),
                    "PLINTH_HOME", home.toString(),
                    "PLINTH_FIRESTORE_PROJECT", project,
                    "PLINTH_FIRESTORE_EMULATOR_HOST", TestInfra.shared().firestoreHost(),
                    "PLINTH_SECRETS_FILE", secrets.toString())));
        } catch (Exception e) {
            throw new IllegalStateException("Plinth did not start", e);
        }
    }

    /** What ./plinth token does: a token from the seeded dev identity provider. */
    private static String token(String user) {
        return DevTokens.token(KEY, user);
    }
}
