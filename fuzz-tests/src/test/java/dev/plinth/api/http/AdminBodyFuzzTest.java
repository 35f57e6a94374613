package dev.plinth.api.http;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import dev.plinth.core.PlinthException;
import dev.plinth.datasync.model.Json;
import dev.plinth.datasync.primitive.Kind;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The admin API's body path, as a request takes it: the strict JSON reader, then the
 * registry's validation of the kind named in the route. Every body is either a document
 * to store or a refusal (400 {@code MALFORMED_REQUEST} or {@code VALIDATION_FAILED}, each
 * reason naming its field); anything else escaping is a 500, a defect.
 *
 * <p>In {@code dev.plinth.api.http} to reach the server's own (package-private) reader.
 */
class AdminBodyFuzzTest {

    @FuzzTest(maxDuration = "15s")
    @SuppressWarnings("unchecked")
    void body(FuzzedDataProvider d) {
        Kind kind = d.pickValue(Kind.values());
        String tenant = d.consumeBoolean() ? "t_acme" : d.consumeString(80);
        String id = d.consumeBoolean() ? example(kind) : d.consumeString(80);
        byte[] bytes = d.consumeRemainingAsBytes();
        try {
            JsonNode body = StrictJson.parse(bytes);
            if (body == null || !body.isObject()) {
                return; // 400: a JSON object body is required
            }
            Map<String, Object> map = new LinkedHashMap<>(Json.MAPPER.convertValue(body, Map.class));
            Kind.Validated v = kind.validate(tenant, id, map);
            if (v.document() == null) {
                throw new AssertionError("a validated body without a document");
            }
        } catch (PlinthException.Invalid | Kind.Invalid refused) {
            // refused with a reason
        }
    }

    private static String example(Kind kind) {
        try {
            return Json.MAPPER.readTree(kind.example()).path("id").asText();
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
