package dev.plinth.api.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** docs/contract is what the code generates: regenerate with ./plinth contract when this fails. */
class ContractDocsTest {

    @Test
    void committedContractMatchesTheGeneratedOne() throws Exception {
        Path docs = Path.of("..", "docs", "contract");
        var expected = ContractCommand.files(docs);
        assertThat(expected).hasSizeGreaterThan(5);
        for (var file : expected.entrySet()) {
            assertThat(file.getKey()).as("run ./plinth contract").exists();
            assertThat(Files.readString(file.getKey())).as(file.getKey() + " is stale: run ./plinth contract")
                    .isEqualTo(ContractCommand.render(file.getValue()));
        }
    }

    @Test
    void schemasUseSnakeCaseGrammarsAndDescribeEveryPrimitive() throws Exception {
        var files = ContractCommand.files(Path.of("x"));
        String tenant = ContractCommand.render(files.get(Path.of("x", "schemas", "tenant.json")));
        assertThat(tenant).contains("\"allowed_envs\"").contains("^t_[a-z0-9_-]+$").doesNotContain("allowedEnvs");
        assertThat(files.keySet()).extracting(p -> p.getFileName().toString())
                .contains("membership.json", "surface.json", "app.json", "project.json", "mode.json", "request_context.json");
    }
}
