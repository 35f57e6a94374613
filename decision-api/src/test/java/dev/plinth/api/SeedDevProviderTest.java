package dev.plinth.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plinth.datasync.Seeder;
import dev.plinth.testing.DevTokens;
import java.io.InputStream;
import org.junit.jupiter.api.Test;

/** The tests' token minter and the seed's dev identity provider agree (test support cannot read the seed itself). */
class SeedDevProviderTest {

    @Test
    void theSeedsDevProviderIsWhatDevTokensMintFor() throws Exception {
        try (InputStream in = Seeder.class.getClassLoader().getResourceAsStream(Seeder.SEED_RESOURCE)) {
            var provider = new ObjectMapper().readTree(in).path("documents").path("identity_providers/plinth-dev");
            assertThat(provider.path("dev").asBoolean()).isTrue();
            assertThat(provider.path("issuer").asText()).isEqualTo(DevTokens.ISSUER);
            assertThat(provider.path("audience").asText()).isEqualTo(DevTokens.AUDIENCE);
            assertThat(provider.path("algorithm").asText()).as("DevTokens mints HS256").isEqualTo("HS256");
        }
    }
}
