package dev.plinth.cli;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plinth.api.PlinthServer;
import dev.plinth.api.http.Contract;
import dev.plinth.datasync.model.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code plinth contract}: writes the generated JSON Schemas and OpenAPI document. */
@Command(name = "contract", mixinStandardHelpOptions = true,
        description = "Write the generated contract (JSON Schema per primitive, OpenAPI) to a folder (default docs/contract).")
final class ContractCommand implements java.util.concurrent.Callable<Integer> {

    @Option(names = "--out", description = "target folder (default: docs/contract)")
    Path out = Path.of("docs/contract");

    @Override
    public Integer call() throws Exception {
        for (Map.Entry<Path, JsonNode> file : files(out).entrySet()) {
            Files.createDirectories(file.getKey().getParent());
            Files.writeString(file.getKey(), render(file.getValue()));
            System.err.println("[plinth] wrote " + file.getKey());
        }
        return 0;
    }

    /** Every contract file under {@code root}, with its content. */
    static Map<Path, JsonNode> files(Path root) {
        var files = new java.util.LinkedHashMap<Path, JsonNode>();
        files.put(root.resolve("openapi.json"), Contract.openApi(PlinthServer.routeTable()));
        Contract.schemas().forEach((name, schema) -> files.put(root.resolve("schemas").resolve(name + ".json"), schema));
        Contract.inputSchemas().forEach((name, schema) -> files.put(root.resolve("inputs").resolve(name + ".json"), schema));
        return files;
    }

    static String render(JsonNode node) throws Exception {
        return Json.MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(node) + "\n";
    }
}
