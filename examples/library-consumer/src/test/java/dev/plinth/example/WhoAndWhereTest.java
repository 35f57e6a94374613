package dev.plinth.example;

import static org.assertj.core.api.Assertions.assertThat;

import dev.plinth.core.bootstrap.PlinthConfig;
import dev.plinth.testing.DevTokens;
import dev.plinth.testing.TestInfra;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/library-mode.md shows exactly the example this service compiles and runs against the emulator. */
class WhoAndWhereTest {

    @Test
    void theDocumentedExampleRunsAndMatchesTheDocs() throws Exception {
        String source = Files.readString(Path.of("src/main/java/dev/plinth/example/WhoAndWhere.java"));
        String example = source.substring(source.indexOf("// example:start") + "// example:start".length(),
                source.indexOf("// example:end")).stripIndent().strip();
        assertThat(Files.readString(Path.of("..", "..", "docs", "library-mode.md"))).as("docs/library-mode.md shows the example")
                .contains(example);

        Path dir = Files.createTempDirectory("plinth-library");
        String key = "library-signing-key-0123456789abcdef0123456789abcdef";
        Files.writeString(dir.resolve("secrets.json"), "{\"dev_jwt_signing_key\": \"" + key + "\"}");
        var config = PlinthConfig.of(TestInfra.newProjectId(WhoAndWhereTest.class), dir.resolve("secrets.json"))
                .withEmulator(TestInfra.shared().firestoreHost());

        String answer = WhoAndWhere.whoAndWhere(config, DevTokens.token(key, "u_admin"));
        assertThat(answer).isEqualTo("u_admin in t_system (enterprise): feature_flags on firestore_default via default route; "
                + "dark-mode = {\"enabled\": true}");
    }
}
