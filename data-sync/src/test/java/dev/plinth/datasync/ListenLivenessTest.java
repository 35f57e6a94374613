package dev.plinth.datasync;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.cloud.firestore.Firestore;
import com.google.cloud.firestore.FirestoreOptions;
import dev.plinth.testing.TcpRelay;
import dev.plinth.testing.TestInfra;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A listen connection that dies silently (a TCP relay black-holes it: no RST, no FIN) while
 * Firestore still answers reads and writes on the client's own connection. The replica
 * notices through its heartbeat document within the bound that is data, reports it, opens
 * a new channel, catches up with what changed meanwhile, and is healthy again, without a
 * restart.
 */
class ListenLivenessTest {

    @Test
    void aSilentlyDeadListenConnectionIsNoticedWithinTheBoundAndRecovered() throws Exception {
        String project = TestInfra.newProjectId(ListenLivenessTest.class);
        String emulator = TestInfra.shared().firestoreHost();
        try (Firestore db = ControlPlaneStore.connect(project, emulator);
             var relay = new TcpRelay(emulator)) {
            Seeder.apply(db);
            db.document("tenants/t_system").update(Map.of("defaults.liveness_period_ms", 200, "defaults.liveness_timeout_ms", 1500)).get();
            FirestoreOptions viaRelay = db.getOptions().toBuilder().setEmulatorHost(relay.host()).build();
            try (var plane = new ControlPlane(db, viaRelay, Clock.systemUTC(), ControlPlane.Persistence.OFF).start()) {
                plane.awaitReady(Duration.ofSeconds(30));
                await().atMost(Duration.ofSeconds(10)).until(() -> plane.snapshot().orElseThrow().platform().livenessPeriod().toMillis() == 200);
                assertThat(plane.livenessProblem()).isEmpty();
                int before = relay.connections();

                relay.blackHole();
                long t0 = System.nanoTime();
                db.document("users/u_meanwhile").set(Map.of("status", "active")).get(); // reads and writes still work
                db.document("tenants/t_system/members/u_meanwhile").set(Map.of("roles", List.of("viewer"))).get();
                System.out.printf("liveness: writes after the black hole took %.2f s%n", (System.nanoTime() - t0) / 1e9);

                await("the silence noticed").atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(20))
                        .until(() -> plane.livenessProblem().isPresent());
                double noticedAfter = (System.nanoTime() - t0) / 1e9;
                assertThat(plane.livenessProblem().orElseThrow()).contains("liveness_timeout_ms = 1500");
                assertThat(plane.isReachable()).as("Firestore itself answers: only the streams were dead").isTrue();

                await("recovered on a new connection").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                        .until(() -> plane.livenessProblem().isEmpty()
                                && plane.snapshot().orElseThrow().membership("t_system", "u_meanwhile").isPresent());
                assertThat(relay.connections()).as("a new listen connection").isGreaterThan(before);
                System.out.printf("liveness: the dead listen connection noticed %.2f s after it died (period 200 ms, bound 1500 ms),"
                        + " caught up %.2f s after%n", noticedAfter, (System.nanoTime() - t0) / 1e9);
            }
        }
    }
}
