package dev.plinth.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/**
 * regex.globs_match against OPA itself, including where OPA's procedure is approximate
 * (merged adjacent stars, greedy stars) and the malformed patterns it refuses.
 */
class GlobsMatchBuiltinTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String POLICY = """
            package t

            results[i] := r if {
                some i, c in input.cases
                r := {"m": m | m := regex.globs_match(c[0], c[1])}
            }
            """;

    private static final String[][] PAIRS = {
        {"a.a.", ".b.b"}, {"[a-z]+", "[0-9]*"}, {"[a-c]", "[c-e]"}, {"a*", "b+"}, {"a*", ""}, {"a+", ""},
        {"a+a+", "a"}, {"a*a+", "a"}, {"ab*c", "a.c"}, {"x.*y", "xzzzy"}, {".*", "anything"}, {"a.+b", "ab"},
        {"\\.", "."}, {"\\.", "a"}, {"[\\]x]", "]"}, {"[]", "."}, {"[]", "a"}, {"abc", "abd"}, {"a*b*c*", "ccc"},
        {"(a)", "(a)"}, {"é+", "éé"}, {"[a-", "a"}, {"]", "a"}, {"*a", "a"}, {"a\\", "a"}, {"[b-a]", "a"},
        {"[a-]", "a"}, {"[", "a"}, {"a++", "a"}, {"[a-c]*x[0-9]+", "bbx7"}, {".*.*.*", "q"}, {"a*b", "b*a"},
    };

    @Test
    void globsMatchAnswersWhatOpaAnswers() throws Exception {
        var cases = JSON.createArrayNode();
        for (String[] p : PAIRS) {
            cases.addArray().add(p[0]).add(p[1]);
        }
        var input = JSON.createObjectNode().set("cases", cases);
        var both = OpaOracle.results(POLICY, input);
        JsonNode opa = both.opa();
        JsonNode plinth = both.plinth();
        for (int i = 0; i < PAIRS.length; i++) {
            assertThat(plinth.get(String.valueOf(i))).as("%s ∩ %s", PAIRS[i][0], PAIRS[i][1]).isEqualTo(opa.get(String.valueOf(i)));
        }
        assertThat(opa.toString()).contains("\"m\":true").contains("\"m\":false").contains("{}");
    }
}
