package dev.plinth.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plinth.core.bootstrap.PlinthConfig;
import dev.plinth.core.library.Plinth;
import dev.plinth.testing.RestartableFirestore;
import dev.plinth.testing.TestInfra;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A replica restarted while Firestore is down (real emulator, stopped) serves its snapshot
 * file, DEGRADED, and decides with the uploaded bundle that was active, never the built-in
 * one; when Firestore answers again it catches up and is UP.
 */
class OutageStartTest {

    @Test
    void aRestartDuringAnOutageServesTheKeptSnapshotAndTheActiveBundle() throws Exception {
        String project = TestInfra.newProjectId(OutageStartTest.class);
        Path dir = Files.createTempDirectory("plinth-outage-start");
        TestPlinth.writeSecrets(dir);
        byte[] candidate = BundleLifecycleTest.repack(files -> {
            ObjectNode manifest = (ObjectNode) BundleLifecycleTest.read(files.get(".manifest"));
            manifest.put("revision", "kept-1");
            files.put(".manifest", manifest.toString().getBytes(StandardCharsets.UTF_8));
            return files;
        });
        try (var firestore = new RestartableFirestore(project)) {
            var config = PlinthConfig.of(project, dir.resolve("secrets.json")).withEmulator(firestore.host())
                    .withSnapshotDir(dir.resolve("snapshot"));
            String revision;
            try (Plinth plinth = Plinth.connect(config)) {
                revision = plinth.policies().upload("kept", candidate, "u_admin").revision();
                plinth.policies().activate("kept", null);
                await("the replica switched to the uploaded bundle").atMost(Duration.ofSeconds(30))
                        .until(() -> plinth.engine().bundleRevision().equals(revision));
                assertThat(plinth.readiness().startup().servedFrom()).isEqualTo("firestore");
            }
            firestore.stop();

            try (Plinth plinth = Plinth.open(config)) {
                plinth.awaitReady(Duration.ofSeconds(60));
                var report = plinth.readiness();
                assertThat(report.status()).isEqualTo("DEGRADED");
                assertThat(report.startup().servedFrom()).isEqualTo("snapshot_file");
                assertThat(report.startup().snapshotFileAgeMs()).isNotNull();
                assertThat(plinth.engine().bundleRevision()).as("the bundle that was active, not the built-in one").isEqualTo(revision);

                firestore.start();
                await("caught up with Firestore").atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                        .until(() -> plinth.readiness().status().equals("UP"));
                assertThat(plinth.readiness().startup().servedFrom()).isEqualTo("firestore");
                assertThat(plinth.engine().bundleRevision()).isEqualTo(revision);
            }
        }
    }
}
