package dev.plinth.core.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PlinthConfigTest {

    @Test
    void aLibraryNamesItsProjectAndSecretsOrIsToldWhichIsMissing() {
        assertThatThrownBy(() -> PlinthConfig.from(Map.of("PLINTH_SECRETS_FILE", "/s.json")))
                .hasMessageContaining("PLINTH_FIRESTORE_PROJECT");
        assertThatThrownBy(() -> PlinthConfig.from(Map.of("PLINTH_FIRESTORE_PROJECT", "p")))
                .hasMessageContaining("PLINTH_SECRETS_FILE");
        assertThatThrownBy(() -> PlinthConfig.from(Map.of("PLINTH_FIRESTORE_PROJECT", "p", "PLINTH_SECRETS_FILE", "/s.json",
                "PLINTH_READY_TIMEOUT_SECONDS", "soon"))).hasMessageContaining("PLINTH_READY_TIMEOUT_SECONDS");
        assertThatThrownBy(() -> PlinthConfig.of("p", Path.of("/s.json")).withReadyTimeout(Duration.ZERO))
                .hasMessageContaining("PLINTH_READY_TIMEOUT_SECONDS");
    }

    @Test
    void theLibraryReadsOnlyItsOwnVariablesAndRealFirestoreIsTheDefault() {
        var config = PlinthConfig.from(Map.of("PLINTH_FIRESTORE_PROJECT", "acme-control", "PLINTH_SECRETS_FILE", "/etc/plinth/s.json",
                "PLINTH_PORT", "not a port", "PLINTH_HOME", "/nowhere"));
        assertThat(config).isEqualTo(new PlinthConfig("acme-control", "(default)", null, Path.of("/etc/plinth/s.json"), null, Duration.ofSeconds(120),
                null, Duration.ofSeconds(30)));
        assertThat(config.snapshotDir()).as("a library keeps no snapshot file unless told where").isNull();
        assertThat(PlinthConfig.from(Map.of("PLINTH_FIRESTORE_PROJECT", "acme-control", "PLINTH_SECRETS_FILE", "/s.json",
                "PLINTH_FIRESTORE_DATABASE", "control")).firestoreDatabase()).isEqualTo("control");
    }

    @Test
    void theServerHoldsTheLibrarysConfigurationParsedTheSameWayWithItsDefaults() {
        var server = BootstrapConfig.from(Map.of("PLINTH_HOME", "/var/plinth", "PLINTH_FIRESTORE_EMULATOR_HOST", "127.0.0.1:9",
                "PLINTH_READY_TIMEOUT_SECONDS", "7"));
        assertThat(server.plinth()).isEqualTo(new PlinthConfig("plinth-local", "(default)", "127.0.0.1:9", Path.of("/var/plinth/secrets.json"),
                null, Duration.ofSeconds(7), Path.of("/var/plinth/snapshot"), Duration.ofSeconds(30)));
        assertThat(BootstrapConfig.from(Map.of("PLINTH_SNAPSHOT_DIR", "")).plinth().snapshotDir()).as("explicitly off").isNull();
        assertThat(BootstrapConfig.from(Map.of("PLINTH_LOG_FORMAT", "json")).logFormat()).isEqualTo("json");
        assertThatThrownBy(() -> BootstrapConfig.from(Map.of("PLINTH_LOG_FORMAT", "xml")))
                .hasMessageContaining("PLINTH_LOG_FORMAT must be one of [json, text], was 'xml'");
        assertThatThrownBy(() -> BootstrapConfig.from(Map.of("PLINTH_SNAPSHOT_INTERVAL_SECONDS", "0")))
                .hasMessageContaining("PLINTH_SNAPSHOT_INTERVAL_SECONDS must be positive");
        assertThat(server.localInfra()).as("an emulator host given: no local stack").isFalse();
        assertThat(server.withEmulatorHost("127.0.0.1:10").firestoreEmulatorHost()).isEqualTo("127.0.0.1:10");
    }

    @Test
    void withoutAnEmulatorHostTheStartRefusesAStrayEmulatorAndMissingCredentialsNamingThem() {
        java.util.concurrent.Callable<com.google.auth.oauth2.GoogleCredentials> none = () -> {
            throw new java.io.IOException("The Application Default Credentials are not available");
        };
        assertThatThrownBy(() -> ProductionFirestore.check(
                Map.of("FIRESTORE_EMULATOR_HOST", "127.0.0.1:8086"), none))
                .hasMessageContaining("FIRESTORE_EMULATOR_HOST is set (127.0.0.1:8086)").hasMessageContaining("never falls back");
        assertThatThrownBy(() -> ProductionFirestore.check(Map.of(), none))
                .hasMessageContaining("no Google credentials").hasMessageContaining("GOOGLE_APPLICATION_CREDENTIALS")
                .hasMessageContaining("Application Default Credentials are not available");
        // With credentials and no stray emulator: production Firestore it is.
        ProductionFirestore.check(Map.of(),
                () -> com.google.auth.oauth2.GoogleCredentials.create(new com.google.auth.oauth2.AccessToken("t", null)));
    }
}
