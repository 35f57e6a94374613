package dev.plinth.datasync.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PlatformDefaultsTest {

    @Test
    void theSeedsKindOfSettingsAreTyped() {
        var p = PlatformDefaults.of(Map.of("min_revision_wait_ms", 2000, "max_token_lifetime_seconds", 86400,
                "secret_ttl_seconds", 300, "secret_max_stale_seconds", 3600, "require_signed_bundles", true,
                "bundle_signing_key_secret", "bundle_key", "bundle_signing_algorithm", "ES256", "write_timeout_ms", 1500,
                "max_boot_staleness_seconds", 600));
        assertThat(p).isEqualTo(new PlatformDefaults(Duration.ofMillis(2000), Optional.of(Duration.ofDays(1)), Duration.ofSeconds(300),
                Duration.ofHours(1), true, Optional.of("bundle_key"), "ES256", Duration.ofMillis(1500),
                Optional.of(Duration.ofMinutes(10)), Duration.ofSeconds(5), Duration.ofSeconds(20),
                Duration.ofSeconds(10)));
        assertThat(PlatformDefaults.of(Map.of("liveness_period_ms", 300, "liveness_timeout_ms", 100)).livenessTimeout())
                .as("never shorter than two periods").isEqualTo(Duration.ofMillis(600));
    }

    @Test
    void aValueOfTheWrongTypeOrOutOfRangeReadsAsItsDocumentedDefault() {
        var p = PlatformDefaults.of(Map.of("min_revision_wait_ms", "soon", "max_token_lifetime_seconds", 0,
                "secret_ttl_seconds", -5, "require_signed_bundles", "yes", "bundle_signing_key_secret", 42,
                "write_timeout_ms", 5, "max_boot_staleness_seconds", -1));
        assertThat(p).isEqualTo(PlatformDefaults.NONE);
        assertThat(PlatformDefaults.NONE.maxTokenLifetime()).as("no maximum: tokens are refused, never unbounded").isEmpty();
        assertThat(PlatformDefaults.NONE.bundleSigningAlgorithm()).isEqualTo("RS256");
        assertThat(PlatformDefaults.NONE.maxBootStaleness()).as("unset: a replica never serves its file while Firestore is down").isEmpty();
    }
}
