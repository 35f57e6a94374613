package dev.plinth.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * json.match_schema and json.verify_schema against OPA itself, keyword by keyword: every
 * error's type, field and description must be OPA's. OPA's validator walks objects in Go's
 * random map order, so a case's errors are compared as a set.
 */
class JsonSchemaBuiltinsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String POLICY = """
            package t

            results[i] := r if {
                some i, c in input.cases
                r := {k: v | some k in ["match", "verify"]; v := one(k, c)}
            }

            one("match", c) := json.match_schema(c.doc, c.schema)
            one("verify", c) := json.verify_schema(c.schema)
            """;

    private static final String[][] CASES = {
        {"{\"id\": 5}", "{\"properties\": {\"id\": {\"type\": \"integer\"}}, \"required\": [\"id\"]}"},
        {"{\"id\": 5.5}", "{\"properties\": {\"id\": {\"type\": \"integer\"}}}"},
        {"{\"id\": 5.0}", "{\"properties\": {\"id\": {\"type\": \"integer\"}}}"},
        {"{}", "{\"required\": [\"a\", \"b\"]}"},
        {"{\"a\": null}", "{\"properties\": {\"a\": {\"type\": [\"string\", \"number\"]}}}"},
        {"\"x\"", "{\"enum\": [\"a\", 1, null, {\"b\": [true]}]}"},
        {"1.0", "{\"enum\": [1, 2]}"},
        {"{\"b\": [true]}", "{\"enum\": [{\"b\": [true]}]}"},
        {"3", "{\"const\": 4}"},
        {"{\"n\": 7}", "{\"properties\": {\"n\": {\"minimum\": 10, \"maximum\": 5, \"multipleOf\": 2}}}"},
        {"5", "{\"exclusiveMinimum\": 5}"},
        {"5", "{\"exclusiveMaximum\": 5}"},
        {"5", "{\"$schema\": \"http://json-schema.org/draft-04/schema#\", \"minimum\": 5, \"exclusiveMinimum\": true}"},
        {"2.5", "{\"multipleOf\": 0.5}"},
        {"1e22", "{\"maximum\": 1e21, \"minimum\": 0.000012345678901}"},
        {"0.00000001", "{\"minimum\": 0.000012345678901}"},
        {"2.6", "{\"multipleOf\": 0.5}"},
        {"\"ab\"", "{\"minLength\": 3, \"maxLength\": 1, \"pattern\": \"^x\"}"},
        {"\"héllo\"", "{\"maxLength\": 5}"},
        {"[1, 1, 2]", "{\"uniqueItems\": true, \"minItems\": 4, \"maxItems\": 2}"},
        {"[1, \"a\"]", "{\"items\": [{\"type\": \"integer\"}, {\"type\": \"integer\"}]}"},
        {"[1, 2, 3]", "{\"items\": [{\"type\": \"integer\"}], \"additionalItems\": false}"},
        {"[1, 2, \"x\"]", "{\"items\": [{\"type\": \"integer\"}], \"additionalItems\": {\"type\": \"integer\"}}"},
        {"[\"a\", \"b\"]", "{\"contains\": {\"type\": \"integer\"}}"},
        {"{\"a\": 1, \"b\": 2}", "{\"maxProperties\": 1, \"minProperties\": 3}"},
        {"{\"a\": 1}", "{\"properties\": {\"b\": {}}, \"additionalProperties\": false}"},
        {"{\"x-1\": \"s\"}", "{\"patternProperties\": {\"^x-\": {\"type\": \"integer\"}}, \"additionalProperties\": false}"},
        {"{\"a\": \"s\"}", "{\"additionalProperties\": {\"type\": \"integer\"}}"},
        {"{\"Ab\": 1}", "{\"propertyNames\": {\"pattern\": \"^[a-z]+$\"}}"},
        {"{\"a\": 1}", "{\"dependencies\": {\"a\": [\"b\"]}}"},
        {"{\"a\": 1}", "{\"dependencies\": {\"a\": {\"required\": [\"c\"]}}}"},
        {"\"x\"", "{\"anyOf\": [{\"type\": \"integer\"}, {\"minLength\": 2}]}"},
        {"3", "{\"oneOf\": [{\"type\": \"integer\"}, {\"minimum\": 2}]}"},
        {"\"x\"", "{\"oneOf\": [{\"type\": \"integer\"}, {\"type\": \"boolean\"}]}"},
        {"3", "{\"allOf\": [{\"type\": \"string\"}, {\"maximum\": 2}]}"},
        {"3", "{\"not\": {\"type\": \"integer\"}}"},
        {"{\"a\": 1}", "{\"if\": {\"required\": [\"a\"]}, \"then\": {\"required\": [\"b\"]}, \"else\": {\"required\": [\"c\"]}}"},
        {"{}", "{\"if\": {\"required\": [\"a\"]}, \"then\": {\"required\": [\"b\"]}, \"else\": {\"required\": [\"c\"]}}"},
        {"{\"a\": {\"b\": [1, {\"c\": \"x\"}]}}", "{\"properties\": {\"a\": {\"properties\": {\"b\": {\"items\": {\"type\": \"integer\"}}}}}}"},
        {"{\"a\": 1}", "{\"definitions\": {\"s\": {\"type\": \"string\"}}, \"properties\": {\"a\": {\"$ref\": \"#/definitions/s\"}}}"},
        {"{\"next\": {\"next\": {\"v\": \"x\"}}}", "{\"properties\": {\"v\": {\"type\": \"integer\"}, \"next\": {\"$ref\": \"#\"}}}"},
        {"\"x\"", "false"},
        {"\"x\"", "true"},
        {"{\"a\": 1}", "{\"properties\": {\"a\": false}}"},
        {"\"not-a-date\"", "{\"format\": \"date\"}"},
        {"\"2024-02-30\"", "{\"format\": \"date\"}"},
        {"\"2024-02-03T04:05:06Z\"", "{\"format\": \"date-time\"}"},
        {"\"999.1.1.1\"", "{\"format\": \"ipv4\"}"},
        {"\"::ffff:1.2.3.4\"", "{\"format\": \"ipv4\"}"},
        {"\"1.2.3.4\"", "{\"format\": \"ipv6\"}"},
        {"\"fe80::1\"", "{\"format\": \"ipv6\"}"},
        {"\"localhost:80\"", "{\"format\": \"ipv6\"}"},
        {"\"a@b\"", "{\"format\": \"email\"}"},
        {"\"x\"", "{\"format\": \"no-such-format\"}"},
        {"1", "{\"type\": \"unknown_type\"}"},
        {"1", "{\"type\": [\"string\", \"string\"]}"},
        {"1", "{\"minLength\": -1}"},
        {"1", "{\"minimum\": \"1\"}"},
        {"1", "{\"required\": \"a\"}"},
        {"1", "{\"enum\": [1, 1]}"},
        {"1", "{\"pattern\": \"(\"}"},
        {"1", "{\"multipleOf\": 0}"},
        {"1", "{\"items\": 1}"},
        {"1", "{\"exclusiveMinimum\": true}"},
    };

    @Test
    void everyKeywordValidatesAndWordsItsErrorsAsOpa() throws Exception {
        ArrayNode list = JSON.createArrayNode();
        for (String[] c : CASES) {
            list.addObject().put("doc", c[0]).put("schema", c[1]);
        }
        // The same cases with the document and the schema as values, not JSON text.
        for (String[] c : CASES) {
            list.addObject().set("doc", JSON.readTree(c[0]));
            ((com.fasterxml.jackson.databind.node.ObjectNode) list.get(list.size() - 1)).set("schema", JSON.readTree(c[1]));
        }
        var input = JSON.createObjectNode().set("cases", list);
        var both = OpaOracle.results(POLICY, input);
        JsonNode opa = both.opa();
        JsonNode plinth = both.plinth();
        assertThat(opa.size()).isEqualTo(list.size());
        for (int i = 0; i < list.size(); i++) {
            String key = String.valueOf(i);
            assertThat(unordered(plinth.get(key))).as("case %d: %s", i, list.get(i)).isEqualTo(unordered(opa.get(key)));
        }
        assertThat(opa.toString()).contains("number_one_of").contains("Does not match format");
    }

    /** A match result's errors sorted, since OPA's validator reports them in Go's map order. */
    private static JsonNode unordered(JsonNode r) {
        if (r == null || !r.path("match").path(1).isArray()) {
            return r;
        }
        var errors = new ArrayList<JsonNode>();
        r.path("match").path(1).forEach(errors::add);
        errors.sort(Comparator.comparing(JsonNode::toString));
        var copy = r.deepCopy();
        ((ArrayNode) ((com.fasterxml.jackson.databind.node.ObjectNode) copy).get("match")).set(1, JSON.createArrayNode().addAll(errors));
        return copy;
    }

}
