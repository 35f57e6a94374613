package dev.plinth.datasync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.cloud.firestore.Firestore;
import dev.plinth.datasync.model.Snapshot;
import dev.plinth.datasync.secrets.ControlPlaneSecretResolver;
import dev.plinth.datasync.secrets.FileSecretProvider;
import dev.plinth.datasync.secrets.SecretException;
import dev.plinth.testing.TestInfra;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The seed lands once, and the Snapshot follows Firestore writes live (real emulator). */
class ControlPlaneSyncTest {

    private static Firestore db;
    private static ControlPlane plane;
    private static final LinkedBlockingQueue<Snapshot> published = new LinkedBlockingQueue<>();

    @BeforeAll
    static void start() throws Exception {
        db = ControlPlaneStore.connect(TestInfra.newProjectId(ControlPlaneSyncTest.class), TestInfra.shared().firestoreHost());
        assertThat(Seeder.apply(db).applied()).isTrue();
        plane = new ControlPlane(db, Clock.systemUTC()).start();
        plane.awaitReady(Duration.ofSeconds(30));
        plane.onSnapshot(published::add);
    }

    @AfterAll
    static void stop() throws Exception {
        plane.close();
        db.close();
    }

    @Test
    void seedIsAppliedOnceAndIsVisibleInTheSnapshot() throws Exception {
        assertThat(Seeder.apply(db).applied()).isFalse();
        Snapshot s = plane.snapshot().orElseThrow();
        assertThat(s.tenant("t_system").orElseThrow().mode()).isEqualTo("enterprise");
        assertThat(s.membership("t_system", "u_admin").orElseThrow().roles()).contains("admin");
        assertThat(s.modes()).containsOnlyKeys("enterprise", "saas", "lab");
        assertThat(s.userForIdentity("https://plinth.local/dev", "u_admin")).isPresent();
        assertThat(s.globalData().at("/plinth/defaults/mode").asText()).isEqualTo("saas");
        assertThat(s.revision()).isPositive();
    }

    @Test
    void membershipWritesAndDeletesAppearInANewerSnapshot() throws Exception {
        long before = plane.snapshot().orElseThrow().revision();
        db.document("users/u_live").set(Map.of("status", "active")).get();
        db.document("tenants/t_system/members/u_live").set(Map.of("roles", List.of("viewer"), "status", "active")).get();
        Snapshot added = awaitSnapshot(s -> s.membership("t_system", "u_live").isPresent());
        assertThat(added.revision()).isGreaterThan(before);

        db.document("tenants/t_system/members/u_live").delete().get();
        Snapshot removed = awaitSnapshot(s -> s.membership("t_system", "u_live").isEmpty());
        assertThat(removed.revision()).isGreaterThanOrEqualTo(added.revision());
    }

    @Test
    void subscribersAreCalledOnTheApplyThreadNeverOnTheTransports() throws Exception {
        // The streams decode on gRPC's event loop (a direct executor); a subscriber may block
        // (closing a backend's client), which must not stall every channel of that loop.
        var threads = new LinkedBlockingQueue<String>();
        plane.onSnapshot(s -> {
            if (s.tenant("t_threads").isPresent()) {
                threads.add(Thread.currentThread().getName());
            }
        });
        db.document("tenants/t_threads").set(Map.of("status", "active", "allowed_envs", List.of("dev"))).get();
        assertThat(threads.poll(30, TimeUnit.SECONDS)).isEqualTo("plinth-snapshot-apply");
    }

    @Test
    void recordsShareTheirIdWithTheirKeyAndATenantsMembershipsShareItsId() throws Exception {
        var batch = db.batch();
        batch.set(db.document("users/u_share_a"), Map.of("status", "active"));
        batch.set(db.document("tenants/t_share/members/u_share_a"), Map.of("roles", List.of("viewer")));
        batch.set(db.document("tenants/t_share/members/u_share_b"), Map.of("roles", List.of("viewer")));
        batch.commit().get();
        Snapshot s = awaitSnapshot(x -> x.membership("t_share", "u_share_b").isPresent() && x.user("u_share_a").isPresent());

        var a = s.membership("t_share", "u_share_a").orElseThrow();
        var b = s.membership("t_share", "u_share_b").orElseThrow();
        assertThat(a.tenantId()).isEqualTo("t_share").isSameAs(b.tenantId());
        s.entities().users().forEach((key, user) -> assertThat(user.id()).isSameAs(key));
    }

    @Test
    void nestedValuesArriveAsPlainJavaValues() throws Exception {
        var when = com.google.cloud.Timestamp.ofTimeSecondsAndNanos(1_700_000_000L, 5_000);
        db.document("modes/m_values").set(Map.of("attributes", Map.of(
                "count", 3, "ratio", 0.5, "on", true, "tags", List.of("a", 1L), "nested", Map.of("k", "v"), "at", when))).get();
        Snapshot s = awaitSnapshot(x -> x.modes().containsKey("m_values"));
        assertThat(s.modes().get("m_values").attributes()).isEqualTo(Map.of(
                "count", 3L, "ratio", 0.5, "on", true, "tags", List.of("a", 1L), "nested", Map.of("k", "v"),
                "at", "2023-11-14T22:13:20.000005Z"));
    }

    @Test
    void documentsOfAnUnexpectedShapeAreSkippedAndTheReplicaStaysLive() throws Exception {
        // A collection group listens to every "members" collection: these are not tenants' members.
        db.document("members/top_level").set(Map.of("roles", List.of("admin"))).get();
        db.document("elsewhere/x/members/u_stray").set(Map.of("roles", List.of("admin"))).get();
        db.document("tenants/t_system/members/u_after").set(Map.of("roles", List.of("viewer"), "status", "active")).get();
        Snapshot s = awaitSnapshot(x -> x.membership("t_system", "u_after").isPresent());
        assertThat(s.membership("elsewhere", "u_stray")).isEmpty();
        assertThat(s.membership("x", "u_stray")).isEmpty();

        db.document("members/top_level").delete().get();
        db.document("tenants/t_system/members/u_after").delete().get();
        assertThat(awaitSnapshot(x -> x.membership("t_system", "u_after").isEmpty()).membership("t_system", "u_admin")).isPresent();
    }

    @Test
    void aDocumentThatBecomesMalformedStopsCounting() throws Exception {
        db.document("modes/m_breaks").set(Map.of("attributes", Map.of("tier", "gold"))).get();
        awaitSnapshot(x -> x.modes().containsKey("m_breaks"));
        var nullAttribute = new java.util.HashMap<String, Object>();
        nullAttribute.put("tier", null); // a record refuses null attribute values
        db.document("modes/m_breaks").set(Map.of("attributes", nullAttribute)).get();
        assertThat(awaitSnapshot(x -> !x.modes().containsKey("m_breaks")).modes()).containsKey("enterprise");
    }

    @Test
    void secretsResolveThroughTheMappingAndMissingOnesAreNamed(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("secrets.json");
        Files.writeString(file, "{\"dev_jwt_signing_key\": \"s3cret-value\"}");
        var resolver = new ControlPlaneSecretResolver(() -> plane.snapshot().orElseThrow(), List.of(new FileSecretProvider(file)));
        assertThat(resolver.resolve("dev_jwt_signing_key").utf8()).isEqualTo("s3cret-value");
        assertThat(resolver.resolve("dev_jwt_signing_key").toString()).doesNotContain("s3cret");

        assertThatThrownBy(() -> resolver.resolve("nope"))
                .isInstanceOf(SecretException.class).hasMessageContaining("secrets/nope");
        Files.writeString(file, "{}");
        Files.setLastModifiedTime(file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5_000));
        // A fresh resolver (nothing cached) reads the file again and finds no value.
        var fresh = new ControlPlaneSecretResolver(() -> plane.snapshot().orElseThrow(), List.of(new FileSecretProvider(file)));
        assertThatThrownBy(() -> fresh.resolve("dev_jwt_signing_key"))
                .isInstanceOf(SecretException.class)
                .hasMessageContaining("reference 'dev_jwt_signing_key'")
                .hasMessageNotContaining("s3cret");
    }

    /**
     * The first snapshot, at or after the current one, that meets the condition. The queue
     * also holds snapshots published before the call: those are skipped, or a wait for
     * "membership gone" could be answered by a snapshot from before it was added.
     */
    private static Snapshot awaitSnapshot(Predicate<Snapshot> condition) throws InterruptedException {
        Snapshot s = plane.snapshot().orElseThrow();
        long floor = s.revision();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.test(s)) {
            Snapshot next = published.poll(deadline - System.nanoTime(), TimeUnit.NANOSECONDS);
            assertThat(next).as("snapshot matching the condition within 20 s").isNotNull();
            if (next.revision() >= floor) {
                s = next;
            }
        }
        return s;
    }
}
