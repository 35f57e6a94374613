package dev.plinth.api;

import static org.assertj.core.api.Assertions.assertThat;

import dev.plinth.core.bootstrap.PlinthConfig;
import dev.plinth.core.library.Plinth;
import dev.plinth.datasync.firestore.FirestoreClients;
import dev.plinth.testing.TestInfra;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * The control plane in a named database ({@code PLINTH_FIRESTORE_DATABASE}), as production
 * projects often keep it: seeded, mirrored and served from that database alone (real emulator).
 */
class NamedDatabaseTest {

    @Test
    void theControlPlaneLivesInTheNamedDatabaseOnly() throws Exception {
        String project = TestInfra.newProjectId(NamedDatabaseTest.class);
        Path dir = Files.createTempDirectory("plinth-named-db");
        TestPlinth.writeSecrets(dir);
        var config = PlinthConfig.of(project, dir.resolve("secrets.json")).withEmulator(TestInfra.shared().firestoreHost())
                .withDatabase("control");
        try (Plinth plinth = Plinth.connect(config);
             var named = FirestoreClients.open(project, "control", TestInfra.shared().firestoreHost());
             var fallback = FirestoreClients.open(project, null, TestInfra.shared().firestoreHost())) {
            assertThat(plinth.readiness().status()).isEqualTo("UP");
            assertThat(named.document("system/seed").get().get().exists()).isTrue();
            assertThat(named.document("tenants/t_system").get().get().exists()).isTrue();
            assertThat(fallback.document("system/seed").get().get().exists()).as("nothing in (default)").isFalse();
        }
    }
}
