package dev.plinth.conformance.opa;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One of OPA's language test cases as {@code casegen} wrote it: where it comes from, what
 * it evaluates and what it wants. Exactly one of the {@code want…} fields is set.
 *
 * @param category     {@code v1/<folder>}, {@code v0/<folder>} or {@code wasm/<file>}: the unit of the pass-rate table
 * @param wasm         the compiled module's file name in {@code wasm/}, or null when it did not compile
 * @param compileError OPA's compiler error, or null
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record OpaCase(
        int id,
        String category,
        String note,
        String file,
        String query,
        JsonNode data,
        JsonNode input,
        @JsonProperty("has_input") boolean hasInput,
        @JsonProperty("input_value") String inputValue,
        @JsonProperty("want_defined") Boolean wantDefined,
        @JsonProperty("want_result") JsonNode wantResult,
        @JsonProperty("want_error_code") String wantErrorCode,
        @JsonProperty("want_error") String wantError,
        @JsonProperty("sort_bindings") boolean sortBindings,
        @JsonProperty("strict_error") boolean strictError,
        Map<String, String> env,
        String wasm,
        @JsonProperty("compile_error") String compileError) {

    /** The name a known exception is matched against: the source, then OPA's own note. */
    public String key() {
        return category.substring(0, category.indexOf('/')) + "/" + note;
    }

    public boolean wantsError() {
        return wantErrorCode != null || wantError != null;
    }

    /** Reads {@code cases.json} from a folder casegen wrote. */
    public static List<OpaCase> readAll(Path folder) throws IOException {
        Path index = folder.resolve("cases.json");
        if (!Files.isRegularFile(index)) {
            throw new IOException(index + " is missing: the build generates it with casegen (./plinth build)");
        }
        return List.of(new ObjectMapper().readValue(index.toFile(), OpaCase[].class));
    }
}
