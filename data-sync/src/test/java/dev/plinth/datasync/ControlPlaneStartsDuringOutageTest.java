package dev.plinth.datasync;

import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThat;

import com.google.cloud.firestore.Firestore;
import dev.plinth.datasync.model.Snapshot;
import dev.plinth.testing.RestartableFirestore;
import dev.plinth.testing.TestInfra;
import java.time.Clock;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * A replica started while Firestore is down (real emulator, stopped and restarted) keeps
 * retrying its listen streams and becomes ready once Firestore answers: a listener whose
 * first subscription failed still counts towards readiness.
 */
class ControlPlaneStartsDuringOutageTest {

    @Test
    void becomesReadyWhenFirestoreComesBack() throws Exception {
        String project = TestInfra.newProjectId(ControlPlaneStartsDuringOutageTest.class);
        try (var firestore = new RestartableFirestore(project);
             Firestore db = ControlPlaneStore.connect(project, firestore.host())) {
            assertThat(Seeder.apply(db).applied()).isTrue();
            firestore.stop();
            try (ControlPlane plane = new ControlPlane(db, Clock.systemUTC()).start()) {
                await("a listener retrying").atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10))
                        .until(() -> plane.listenerStates().values().stream().anyMatch(s -> s.state().equals("retrying")));
                assertThat(plane.isReady()).isFalse();

                firestore.start();
                Snapshot s = plane.awaitReady(Duration.ofSeconds(60));
                assertThat(s.membership(Snapshot.SYSTEM_TENANT, "u_admin")).isPresent();
                assertThat(plane.listenerStates().values()).allMatch(st -> st.state().equals("live"));
            }
        }
    }
}
