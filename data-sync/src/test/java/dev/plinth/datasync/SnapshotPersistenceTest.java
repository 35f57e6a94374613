package dev.plinth.datasync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.cloud.firestore.Firestore;
import dev.plinth.datasync.model.Snapshot;
import dev.plinth.datasync.primitive.Kind;
import dev.plinth.testing.MovableClock;
import dev.plinth.testing.RestartableFirestore;
import dev.plinth.testing.TestInfra;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The persisted snapshot against the real emulator: what a replica writes is what it
 * mirrored (every kind, through the one parser), a restart resumes from it and still sees
 * every change made while it was down (the emulator resets resumed targets, so this is the
 * full-result path), a damaged file is refused with its reason and the replica loads from
 * Firestore instead, and a start while Firestore is down serves the file only within the
 * staleness bound that is data.
 */
class SnapshotPersistenceTest {

    @TempDir
    Path dir;

    private ControlPlane.Persistence persistence() {
        return new ControlPlane.Persistence(dir.resolve("plane.snapshot"), Duration.ofHours(1));
    }

    @Test
    void theFileHoldsWhatTheReplicaMirroredAndARestartSeesChangesMadeWhileDown() throws Exception {
        var clock = new MovableClock(java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
        try (Firestore db = ControlPlaneStore.connect(TestInfra.newProjectId(SnapshotPersistenceTest.class), TestInfra.shared().firestoreHost())) {
            Seeder.apply(db);
            db.document("users/u_kept").set(Map.of("status", "active")).get();
            db.document("users/u_gone").set(Map.of("status", "active")).get();
            db.document("tenants/t_system/members/u_kept").set(Map.of("roles", List.of("viewer"), "status", "active")).get();
            db.document("tenants/t_system/members/u_gone").set(Map.of("roles", List.of("admin"))).get();
            db.document("surfaces/s_web").set(Map.of("mode", "saas", "policy_defaults", Map.of("limit", 5L, "ratio", 0.5))).get();
            db.document("apps/a_shop").set(Map.of("surface", "s_web", "subscribable", true)).get();
            db.document("tenants/t_system/subscriptions/a_shop").set(Map.of("status", "active")).get();
            db.document("tenants/t_system/projects/p_one").set(Map.of("app", "a_shop", "name", "One")).get();
            Snapshot live;
            try (var plane = new ControlPlane(db, clock, persistence()).start()) {
                live = plane.awaitReady(Duration.ofSeconds(30));
            } // closing writes the file

            var contents = new SnapshotFile(persistence().file(), "projects/" + db.getOptions().getProjectId() + "/databases/(default)").read();
            assertThat(contents.verifiedAt()).isEqualTo(clock.instant());
            for (Kind kind : Kind.values()) {
                assertThat(new java.util.HashMap<>(contents.targets().get(kind).records())).as(kind.name())
                        .isNotEmpty().isEqualTo(new java.util.HashMap<>(mirrored(live, kind)));
            }
            assertThat(contents.targets().values()).allSatisfy(t -> assertThat(t.resumeToken()).isNotEmpty());

            // While the replica is down: one membership changes, one is deleted, one is added.
            db.document("tenants/t_system/members/u_kept").update("roles", List.of("admin")).get();
            db.document("tenants/t_system/members/u_gone").delete().get();
            db.document("users/u_new").set(Map.of("status", "active")).get();
            db.document("tenants/t_system/members/u_new").set(Map.of("roles", List.of("member"))).get();

            var logs = capture();
            try (var plane = new ControlPlane(db, clock, persistence()).start()) {
                Snapshot first = plane.awaitReady(Duration.ofSeconds(30));
                assertThat(first.membership("t_system", "u_kept").orElseThrow().roles()).containsExactly("admin");
                assertThat(first.membership("t_system", "u_gone")).as("deleted while the replica was down").isEmpty();
                assertThat(first.membership("t_system", "u_new")).isPresent();
                assertThat(plane.startup().servedFrom()).isEqualTo("firestore");
            } finally {
                logs.close();
            }
            assertThat(logs.lines()).anyMatch(m -> m.startsWith("loaded the snapshot file"));
            assertThat(logs.lines()).as("the emulator resets every resumed target: said, per listener")
                    .anyMatch(m -> m.contains("listener members live: it could not resume (the server reset the target)"));
        }
    }

    @Test
    void aDamagedFileIsRefusedWithItsReasonAndTheReplicaLoadsFromFirestore() throws Exception {
        try (Firestore db = ControlPlaneStore.connect(TestInfra.newProjectId(SnapshotPersistenceTest.class), TestInfra.shared().firestoreHost())) {
            Seeder.apply(db);
            try (var plane = new ControlPlane(db, java.time.Clock.systemUTC(), persistence()).start()) {
                plane.awaitReady(Duration.ofSeconds(30));
            }
            Path file = persistence().file();
            String database = "projects/" + db.getOptions().getProjectId() + "/databases/(default)";
            assertThat(new SnapshotFile(file, database).read().targets()).hasSize(Kind.values().length);
            assertThatThrownBy(() -> new SnapshotFile(file, "projects/other/databases/(default)").read())
                    .hasMessageContaining("mirrors " + database + ", not projects/other");

            try (var raf = new RandomAccessFile(file.toFile(), "rw")) {
                raf.seek(raf.length() / 2);
                int b = raf.read();
                raf.seek(raf.length() / 2);
                raf.write(b ^ 0x5a);
            }
            assertThatThrownBy(() -> new SnapshotFile(file, database).read()).hasMessageContaining("corrupt");

            var logs = capture();
            try (var plane = new ControlPlane(db, java.time.Clock.systemUTC(), persistence()).start()) {
                assertThat(plane.awaitReady(Duration.ofSeconds(30)).membership("t_system", "u_admin")).isPresent();
            } finally {
                logs.close();
            }
            assertThat(logs.lines()).anyMatch(m -> m.contains("is corrupt") && m.endsWith("loading the control plane from Firestore instead"));
            assertThat(new SnapshotFile(file, database).read().targets()).as("rewritten at close").hasSize(Kind.values().length);

            Files.write(file, new byte[] {1, 2, 3});
            assertThatThrownBy(() -> new SnapshotFile(file, database).read()).hasMessageContaining("truncated");
            byte[] otherFormat = "PLINTH-SNAPSHOT\n\0\0\0\u0009".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
            Files.write(file, java.util.Arrays.copyOf(otherFormat, otherFormat.length + 16));
            assertThatThrownBy(() -> new SnapshotFile(file, database).read()).hasMessageContaining("has format 9, this Plinth reads format " + SnapshotFile.FORMAT);
        }
    }

    @Test
    void aStartWhileFirestoreIsDownServesTheFileWithinTheBoundThatIsData() throws Exception {
        String project = TestInfra.newProjectId(SnapshotPersistenceTest.class);
        var clock = new MovableClock(java.time.Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
        try (var firestore = new RestartableFirestore(project);
             Firestore db = ControlPlaneStore.connect(project, firestore.host())) {
            Seeder.apply(db); // max_boot_staleness_seconds: 3600
            try (var plane = new ControlPlane(db, clock, persistence()).start()) {
                plane.awaitReady(Duration.ofSeconds(30));
            }
            firestore.stop();

            // 50 minutes later, Firestore still down: the file is served, DEGRADED.
            clock.advance(Duration.ofMinutes(50));
            try (var plane = new ControlPlane(db, clock, persistence()).start()) {
                Snapshot s = plane.awaitReady(Duration.ofSeconds(30));
                assertThat(s.membership("t_system", "u_admin")).isPresent();
                assertThat(plane.isReachable()).isFalse();
                assertThat(plane.startup().servedFrom()).isEqualTo("snapshot_file");
                assertThat(plane.startup().snapshotFileAge()).isEqualTo(Duration.ofMinutes(50));

                // Past the bound, still not caught up: not ready, saying why.
                clock.advance(Duration.ofMinutes(11));
                assertThat(plane.isReady()).isFalse();
                assertThat(plane.snapshot()).isEmpty();
                assertThat(plane.notReadyReason().orElseThrow()).contains("max_boot_staleness_seconds (3600)").contains("3660 s old");

                // Firestore back: the listeners catch up and the replica is ready on live data.
                firestore.start();
                assertThat(plane.awaitReady(Duration.ofSeconds(60)).membership("t_system", "u_admin")).isPresent();
                assertThat(plane.startup().servedFrom()).isEqualTo("firestore");
            }
            firestore.stop();

            // A file older than the bound is never served: the start waits for Firestore.
            clock.advance(Duration.ofHours(2));
            try (var plane = new ControlPlane(db, clock, persistence()).start()) {
                assertThatThrownBy(() -> plane.awaitReady(Duration.ofSeconds(8)))
                        .hasMessageContaining("beyond t_system.defaults.max_boot_staleness_seconds (3600)");
                assertThat(plane.snapshot()).isEmpty();
            }
            firestore.start();
        }
    }

    private static Map<String, ?> mirrored(Snapshot s, Kind kind) {
        var e = s.entities();
        return switch (kind) {
            case TENANTS -> e.tenants();
            case USERS -> e.users();
            case MEMBERS -> e.memberships();
            case MODES -> e.modes();
            case IDENTITY_PROVIDERS -> e.identityProviders();
            case SECRETS -> e.secrets();
            case SURFACES -> e.surfaces();
            case APPS -> e.apps();
            case SUBSCRIPTIONS -> e.subscriptions();
            case PROJECTS -> e.projects();
            case BACKENDS -> e.backends();
            case ROUTES -> e.routes();
            case RESOURCE_KINDS -> e.resourceKinds();
        };
    }

    private static dev.plinth.testing.LogCapture capture() {
        return dev.plinth.testing.LogCapture.on("dev.plinth.datasync", java.util.logging.LogRecord::getMessage);
    }
}
