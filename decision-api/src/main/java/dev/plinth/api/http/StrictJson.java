package dev.plinth.api.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.plinth.datasync.model.Json;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Request bodies as JSON, strictly: what would otherwise be stored differently from what the
 * client sent is refused with 400 {@code MALFORMED_REQUEST} instead. Invalid UTF-8 (Jackson
 * would substitute), data after the first value (ignored by default) and numbers no double
 * can hold ({@code 1e999999999} would become Infinity, written back as a string); and a
 * key given twice in one object (which of the two a reader sees is up to the reader).
 */
final class StrictJson {

    private static final ObjectReader READER = Json.MAPPER.readerFor(JsonNode.class)
            .with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .withFeatures(com.fasterxml.jackson.core.JsonParser.Feature.STRICT_DUPLICATE_DETECTION);

    private StrictJson() {}

    /** @return the value, or null for an empty (or all-whitespace) body */
    static JsonNode parse(byte[] bytes) {
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw new dev.plinth.core.PlinthException.Invalid("MALFORMED_REQUEST", "the request body is not valid UTF-8");
        }
        if (text.isBlank()) {
            return null;
        }
        JsonNode node;
        try {
            node = READER.readValue(text);
        } catch (JsonProcessingException e) {
            throw new dev.plinth.core.PlinthException.Invalid("MALFORMED_REQUEST", "the request body is not valid JSON: " + e.getOriginalMessage());
        }
        requireFinite(node, "");
        return node;
    }

    private static void requireFinite(JsonNode node, String path) {
        if (node.isFloatingPointNumber() && !Double.isFinite(node.doubleValue())) {
            throw new dev.plinth.core.PlinthException.Invalid("MALFORMED_REQUEST", "the number at '" + (path.isEmpty() ? "/" : path)
                    + "' is out of range (beyond a 64-bit float)");
        }
        if (node.isContainerNode()) {
            var fields = node.fields();
            if (node.isObject()) {
                while (fields.hasNext()) {
                    var e = fields.next();
                    requireFinite(e.getValue(), path + "/" + e.getKey());
                }
            } else {
                for (int i = 0; i < node.size(); i++) {
                    requireFinite(node.get(i), path + "/" + i);
                }
            }
        }
    }
}
