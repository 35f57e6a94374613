package dev.plinth.datasync.secrets;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Optional;

/**
 * Secrets from a local JSON object file ({@code {"reference": "value", …}}), for development.
 * The file is re-read when its modification time changes, so a rotated value is picked up
 * without a restart.
 */
public final class FileSecretProvider implements SecretProvider {
    private static final ObjectMapper JSON = new ObjectMapper();

    private record Loaded(FileTime modified, JsonNode values) {}

    private final Path file;
    private volatile Loaded loaded;

    public FileSecretProvider(Path file) {
        this.file = file;
    }

    @Override
    public String name() {
        return "file";
    }

    @Override
    public Optional<SecretValue> read(String reference) {
        JsonNode value = current().get(reference);
        if (value == null || !value.isTextual()) {
            return Optional.empty();
        }
        return Optional.of(new SecretValue(value.asText().getBytes(StandardCharsets.UTF_8)));
    }

    private JsonNode current() {
        try {
            if (!Files.exists(file)) {
                throw new SecretException(null, "secrets file " + file + " does not exist");
            }
            FileTime modified = Files.getLastModifiedTime(file);
            Loaded l = loaded;
            if (l == null || !l.modified().equals(modified)) {
                JsonNode values = JSON.readTree(file.toFile());
                if (values == null || !values.isObject()) {
                    throw new SecretException(null, "secrets file " + file + " is not a JSON object");
                }
                l = new Loaded(modified, values);
                loaded = l;
            }
            return l.values();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read secrets file " + file, e);
        }
    }
}
