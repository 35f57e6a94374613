package dev.plinth.example;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.plinth.core.PlinthException;
import dev.plinth.core.bootstrap.PlinthConfig;
import dev.plinth.core.library.Plinth;
import dev.plinth.core.policies.PolicyLifecycle;
import dev.plinth.engine.api.Bundle;
import dev.plinth.testing.TestInfra;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A library user runs the policy lifecycle and reads readiness without the server: the same
 * checks the HTTP routes apply (they call these methods), with the core's refusals.
 */
class PolicyLifecycleTest {

    @Test
    void uploadDiffActivateAndRollBackThroughTheLibrary() throws Exception {
        Path dir = Files.createTempDirectory("plinth-library");
        Files.writeString(dir.resolve("secrets.json"), "{\"dev_jwt_signing_key\": \"library-signing-key-0123456789abcdef0123456789abcdef\"}");
        var config = PlinthConfig.of(TestInfra.newProjectId(PolicyLifecycleTest.class), dir.resolve("secrets.json"))
                .withEmulator(TestInfra.shared().firestoreHost());
        byte[] builtin;
        try (InputStream in = Bundle.class.getClassLoader().getResourceAsStream(Bundle.BUILTIN_RESOURCE)) {
            builtin = in.readAllBytes();
        }
        try (Plinth plinth = Plinth.connect(config)) {
            var report = plinth.readiness();
            assertThat(report.status()).isEqualTo("UP");
            assertThat(report.ready()).isTrue();
            assertThat(report.listeners()).containsKeys("tenants", "routes");
            assertThat(report.unresolvedSecrets()).isEmpty();

            PolicyLifecycle policies = plinth.policies();
            var uploaded = policies.upload("copy-of-builtin", builtin, "u_library");
            assertThat(uploaded.entrypoints()).contains("plinth/authz/decision");
            assertThat(uploaded.revision()).isEqualTo(plinth.engine().bundleRevision());

            var input = JsonNodeFactory.instance.objectNode();
            var impact = policies.diff("copy-of-builtin", Optional.of(List.of(new PolicyLifecycle.Case("plinth/authz/decision", input))));
            assertThat(impact.evaluated()).isEqualTo(1);
            assertThat(impact.source()).isEqualTo("posted");
            assertThat(impact.changed()).as("the same policy decides the same").isEmpty();

            assertThat(policies.activate("copy-of-builtin", null).name()).isEqualTo("copy-of-builtin");
            assertThat(policies.current().name()).isEqualTo("copy-of-builtin");
            var back = policies.rollback(null);
            assertThat(back.name()).as("the previous one: the built-in bundle").isNull();

            // The attacker's and the careless user's bundles: refused with the core's codes.
            assertThatThrownBy(() -> policies.upload("garbage", "not a bundle".getBytes(), "u_library"))
                    .isInstanceOfSatisfying(PlinthException.Invalid.class, e -> assertThat(e.code()).isEqualTo("BUNDLE_INVALID"));
            assertThatThrownBy(() -> policies.upload("../escape", builtin, "u_library"))
                    .isInstanceOfSatisfying(PlinthException.Invalid.class, e -> assertThat(e.code()).isEqualTo("VALIDATION_FAILED"));
            assertThatThrownBy(() -> policies.upload("too-big", new byte[PolicyLifecycle.MAX_BUNDLE_BYTES + 1], "u_library"))
                    .isInstanceOfSatisfying(PlinthException.Invalid.class, e -> assertThat(e.code()).isEqualTo("BUNDLE_INVALID"));
            assertThatThrownBy(() -> policies.diff("copy-of-builtin",
                    Optional.of(List.of(new PolicyLifecycle.Case("no/such/entrypoint", input)))))
                    .isInstanceOfSatisfying(PlinthException.Invalid.class, e -> assertThat(e.getMessage()).contains("no/such/entrypoint"));
            assertThat(policies.current().name()).as("refusals leave the active policy alone").isNull();
        }
    }
}
