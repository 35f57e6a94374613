package dev.plinth.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plinth.engine.api.PolicyEngine;
import org.junit.jupiter.api.Test;

/**
 * yaml.unmarshal, yaml.is_valid and yaml.marshal against OPA itself: Go's scalar rules (no
 * YAML 1.1 yes/on booleans, hex and legacy octal integers), anchors, duplicate keys, several
 * documents, and the malformed streams Go refuses anywhere in them.
 */
class YamlBuiltinsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String POLICY = """
            package t

            results[i] := r if {
                some i, d in input.docs
                r := {k: v | some k in ["u", "valid", "round"]; v := one(k, d)}
            }

            one("u", d) := yaml.unmarshal(d)
            one("valid", d) := yaml.is_valid(d)
            one("round", d) := yaml.marshal(yaml.unmarshal(d))
            """;

    private static final String[] DOCS = {
        "a: yes", "a: on", "a: 0x1F", "a: 1e3", "a: 012", "a: ~", "a: 2024-01-01", "a: [1, 2]", "? a\n: b", "a: &x 1\nb: *x",
        "a: 1\na: 2", "- a\n- b", "a: 'q'", "a: 1.0", "a: .inf", "a: -.5", "123", "", "a: !!str 1", "a:\n  - b: c",
        "  test:\ntest1: hello\n", "a: 1\n---\n\tb: 2\n", "a: 1\n---\nb: 2\n", "[1,2,3", "a: \"x\\ty\"", "a: |\n  line\n  two\n",
        "a: >\n  folded\n  text\n", "1: one\ntrue: t\nnull: n", "a: 1_000", "a: +5", "a: -0x10", "a: 0.1e-3", "a: Null", "a: TRUE",
        "{a: 1, b: [x, {c: d}]}", "a: b: c", "- [a\n- b", "a: 99999999999999999999", "a: 'it''s'", "%YAML 1.2\n---\na: 1",
        "a: !custom x", "a: 1.5e400",
    };

    private static final String MARSHAL = """
            package t

            vals := [{"a": [1, 2], "b": {"c": "yes", "d": ""}, "e": [], "f": {}}, ["x", ["y", "z"], {"k": "v", "l": 1.5}], "multi\\nline",
                "multi\\nline\\n", " lead", "a: b", "#x", "-x", "1", "null", "true", "y", "on", "2024-01-01", "it's", "q\\"t", 1e21, 0.1,
                12345678901234567890, 123456789012345678901, 1234567.5, 0.00001, "tab\\there", "x", null, true, [], {}, "ünï", "@at",
                "a #b", "key:", {"m": {"n": ["multi\\nline", {"o": [[]]}]}}, [[1, [2]], {}], 5.0, -0.5, "1.5e400", "~", "<<", "- x", "? q", "  x\\ny", "x\\n\\ny\\n\\n", {"a": [{"b": "x\\ny"}]}]

            out := [yaml.marshal(v) | some v in vals]
            """;

    @Test
    void valuesAreWrittenAsOpaWritesThem() throws Exception {
        JsonNode opa = OpaOracle.eval(MARSHAL, JSON.createObjectNode(), "data.t.out");
        JsonNode plinth = new PolicyEngine(HostBuiltinsTest.build(MARSHAL, "t/out"), 1, 0).evaluate("t/out", JSON.createObjectNode()).orElseThrow();
        assertThat(plinth.size()).as("OPA %s, Plinth %s", opa, plinth).isEqualTo(opa.size());
        for (int i = 0; i < opa.size(); i++) {
            assertThat(plinth.get(i)).as("value %d", i).isEqualTo(opa.get(i));
        }
    }

    @Test
    void yamlIsReadAsOpaReadsIt() throws Exception {
        var docs = JSON.createArrayNode();
        for (String d : DOCS) {
            docs.add(d);
        }
        var input = JSON.createObjectNode().set("docs", docs);
        var both = OpaOracle.results(POLICY, input);
        JsonNode opa = both.opa();
        JsonNode plinth = both.plinth();
        for (int i = 0; i < DOCS.length; i++) {
            assertThat(plinth.get(String.valueOf(i))).as("%s", docs.get(i)).isEqualTo(opa.get(String.valueOf(i)));
        }
        assertThat(opa.toString()).contains("\"valid\":false").contains("\"valid\":true");
    }
}
