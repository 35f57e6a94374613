package dev.plinth.api;

import static org.awaitility.Awaitility.await;
import static dev.plinth.api.TestPlinth.admin;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * While secrets are used — tokens verified and rejected, health read, mappings listed and
 * broken — the secret value appears in no log record, no console output and no response.
 * Readiness names every referenced secret that cannot be resolved.
 */
class SecretsNeverLeakTest {

    @Test
    void theSigningKeyNeverAppearsInLogsOrResponses() throws Exception {
        var json = new dev.plinth.api.logging.JsonLogFormatter();
        // As text and as the JSON lines PLINTH_LOG_FORMAT=json writes (stack traces included).
        var capture = dev.plinth.testing.LogCapture.on("", r -> r.getMessage() + " " + (r.getThrown() == null ? "" : r.getThrown())
                + " " + json.format(r));
        PrintStream err = System.err;
        var console = new ByteArrayOutputStream();
        System.setErr(new PrintStream(console, true, StandardCharsets.UTF_8));
        List<String> bodies = new ArrayList<>();
        try (var plinth = TestPlinth.start(SecretsNeverLeakTest.class)) {
            bodies.add(plinth.get("/v1/context", admin()).body());
            bodies.add(plinth.get("/v1/context", Map.of("Authorization", "Bearer " + TestPlinth.sign(c -> c, "wrong-key-0123456789abcdef0123456789abcdef"),
                    "X-Tenant-Id", "t_system", "X-Env", "dev")).body());
            bodies.add(plinth.get("/health/ready", Map.of()).body());
            bodies.add(plinth.get("/v1/admin/secrets", admin()).body());
            bodies.add(plinth.get("/v1/admin/secrets/dev_jwt_signing_key", admin()).body());
            bodies.add(plinth.send("POST", "/v1/admin/secrets", admin(),
                    "{\"id\": \"leaky\", \"provider\": \"file\", \"reference\": \"x\", \"value\": \"" + TestPlinth.KEY + "\"}").body());

            // A provider whose key mapping points at nothing: readiness names it, without values.
            plinth.send("POST", "/v1/admin/secrets", admin(), "{\"id\": \"broken_key\", \"provider\": \"file\", \"reference\": \"absent\"}");
            plinth.send("POST", "/v1/admin/identity_providers", admin(), "{\"id\": \"broken\", \"issuer\": \"https://broken\", "
                    + "\"audience\": \"plinth\", \"algorithm\": \"HS256\", \"key_secret\": \"broken_key\"}");
            String ready = await("the broken key makes the replica unready").atMost(java.time.Duration.ofSeconds(5))
                    .until(() -> plinth.get("/health/ready", Map.of()), r -> r.statusCode() == 503).body();
            bodies.add(ready);
            assertThat(ready).contains("\"unresolved_secrets\":[\"broken_key\"]");
            // Public health and 401 reasons name no file, provider or reference.
            assertThat(ready).doesNotContain(plinth.home.toString()).doesNotContain("\"reference\"").doesNotContain("\"file\"");
            String rejected = plinth.get("/v1/context", Map.of("Authorization", "Bearer " + TestPlinth.sign(c -> c.issuer("https://broken"),
                    "any-key-0123456789abcdef0123456789abcdef0"), "X-Tenant-Id", "t_system", "X-Env", "dev")).body();
            assertThat(rejected).contains("unavailable").doesNotContain(plinth.home.toString()).doesNotContain("absent");
        } finally {
            System.setErr(err);
            capture.close();
        }
        var records = capture.lines();
        assertThat(records).isNotEmpty();
        assertThat(records).noneMatch(r -> r.contains(TestPlinth.KEY));
        assertThat(console.toString(StandardCharsets.UTF_8)).doesNotContain(TestPlinth.KEY);
        assertThat(bodies).hasSize(7).noneMatch(b -> b.contains(TestPlinth.KEY));
    }
}
