package dev.plinth.datasync.secrets;

import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.cloud.firestore.Firestore;
import dev.plinth.datasync.ControlPlane;
import dev.plinth.datasync.ControlPlaneStore;
import dev.plinth.datasync.Seeder;
import dev.plinth.datasync.model.Snapshot;
import dev.plinth.testing.TestInfra;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import dev.plinth.testing.MovableClock;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Contract test of the {@code gsm} provider against a local gRPC server implementing the
 * Secret Manager v1 API (there is no official emulator), with the mapping in the real
 * Firestore emulator and cache timings as data (seeded: TTL 300 s, max stale 3,600 s).
 */
class GsmSecretProviderContractTest {

    private static Firestore db;
    private static ControlPlane plane;
    private static SecretManagerV1Server gsm;

    @BeforeAll
    static void start() throws Exception {
        gsm = new SecretManagerV1Server();
        db = ControlPlaneStore.connect(TestInfra.newProjectId(GsmSecretProviderContractTest.class), TestInfra.shared().firestoreHost());
        Seeder.apply(db);
        db.document("secrets/redis_password").set(Map.of("provider", "gsm", "reference", "projects/p/secrets/redis")).get();
        db.document("secrets/pinned").set(Map.of("provider", "gsm", "reference", "projects/p/secrets/redis/versions/1")).get();
        db.document("secrets/nowhere").set(Map.of("provider", "gsm", "reference", "projects/p/secrets/nowhere")).get();
        db.document("secrets/local").set(Map.of("provider", "file", "reference", "local_key")).get();
        plane = new ControlPlane(db, Clock.systemUTC()).start();
        plane.awaitReady(Duration.ofSeconds(30));
        awaitMapping("local");
    }

    @AfterAll
    static void stop() throws Exception {
        plane.close();
        db.close();
        gsm.close();
    }

    private static void awaitMapping(String name) {
        await("secrets/" + name + " mirrored").atMost(java.time.Duration.ofSeconds(10))
                .until(() -> plane.snapshot().orElseThrow().secrets().containsKey(name));
    }

    private ControlPlaneSecretResolver resolver(MovableClock clock, GsmSecretProvider provider, Path file) {
        return new ControlPlaneSecretResolver(() -> plane.snapshot().orElseThrow(),
                List.of(provider, new FileSecretProvider(file)), clock);
    }

    @Test
    void latestAndPinnedVersionsAndRotationAfterTheTtl(@TempDir Path dir) throws Exception {
        gsm.addVersion("projects/p/secrets/redis", "first");
        var clock = new MovableClock();
        try (var provider = new GsmSecretProvider(gsm.endpoint())) {
            var resolver = resolver(clock, provider, dir.resolve("none.json"));
            assertThat(resolver.resolve("redis_password").utf8()).isEqualTo("first");

            gsm.addVersion("projects/p/secrets/redis", "second");
            assertThat(resolver.resolve("redis_password").utf8()).as("cached within the TTL").isEqualTo("first");
            clock.advance(Duration.ofSeconds(301));
            assertThat(resolver.resolve("redis_password").utf8()).as("new version after the TTL, no restart").isEqualTo("second");
            assertThat(resolver.resolve("pinned").utf8()).isEqualTo("first");
        }
    }

    @Test
    void aFailedRefreshServesTheLastGoodValueForABoundedTime(@TempDir Path dir) throws Exception {
        var clock = new MovableClock();
        try (var server = new SecretManagerV1Server(); var provider = new GsmSecretProvider(server.endpoint())) {
            server.addVersion("projects/p/secrets/redis", "good");
            var resolver = resolver(clock, provider, dir.resolve("none.json"));
            assertThat(resolver.resolve("redis_password").utf8()).isEqualTo("good");

            server.close(); // the provider is now unreachable
            clock.advance(Duration.ofSeconds(301));
            assertThat(resolver.resolve("redis_password").utf8()).as("stale but served").isEqualTo("good");
            var status = resolver.status().get("redis_password");
            assertThat(status.stale()).isTrue();
            assertThat(status.lastError()).isNotBlank();
            assertThat(status.toString()).doesNotContain("good");

            clock.advance(Duration.ofSeconds(3_600));
            assertThatThrownBy(() -> resolver.resolve("redis_password"))
                    .isInstanceOf(SecretException.class)
                    .hasMessageContaining("secrets/redis_password")
                    .hasMessageNotContaining("good");
        }
    }

    @Test
    void missingMappingsAndMissingSecretsNameTheEntry(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("secrets.json");
        Files.writeString(file, "{\"local_key\": \"file-value\"}");
        try (var provider = new GsmSecretProvider(gsm.endpoint())) {
            var resolver = resolver(new MovableClock(), provider, file);
            assertThat(resolver.resolve("local").utf8()).isEqualTo("file-value");
            assertThatThrownBy(() -> resolver.resolve("unmapped"))
                    .isInstanceOf(SecretException.class).hasMessageContaining("secrets/unmapped");
            assertThatThrownBy(() -> resolver.resolve("nowhere"))
                    .isInstanceOf(SecretException.class)
                    .hasMessageContaining("secrets/nowhere").hasMessageContaining("projects/p/secrets/nowhere");
        }
    }

    @Test
    void aChangedMappingIsReadAfreshAtOnce(@TempDir Path dir) throws Exception {
        gsm.addVersion("projects/p/secrets/moved-from", "old-place");
        gsm.addVersion("projects/p/secrets/moved-to", "new-place");
        db.document("secrets/moving").set(Map.of("provider", "gsm", "reference", "projects/p/secrets/moved-from")).get();
        awaitMapping("moving");
        try (var provider = new GsmSecretProvider(gsm.endpoint())) {
            var resolver = resolver(new MovableClock(), provider, dir.resolve("none.json"));
            assertThat(resolver.resolve("moving").utf8()).isEqualTo("old-place");
            db.document("secrets/moving").set(Map.of("provider", "gsm", "reference", "projects/p/secrets/moved-to")).get();
            await("the moved mapping mirrored").atMost(java.time.Duration.ofSeconds(10))
                    .until(() -> plane.snapshot().orElseThrow().secrets().get("moving").reference().endsWith("moved-to"));
            assertThat(resolver.resolve("moving").utf8()).isEqualTo("new-place");
        }
    }

}
