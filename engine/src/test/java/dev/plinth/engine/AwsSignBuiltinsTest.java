package dev.plinth.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/**
 * providers.aws.sign_req against OPA itself on requests OPA's cases do not cover: ports,
 * escaped paths and queries, mixed-case and ignored headers, non-string header values,
 * bodies with characters Go's JSON escapes, raw bodies, session tokens, unsigned payloads,
 * and the refusals (a missing key, a bad request parameter, a fractional timestamp).
 */
class AwsSignBuiltinsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String POLICY = """
            package t

            config(extra) := object.union({"aws_access_key": "AKID", "aws_secret_access_key": "SECRET", "aws_service": "execute-api",
                "aws_region": "eu-central-1"}, extra)

            results[i] := r if {
                some i, c in input.cases
                r := {"signed": s | s := providers.aws.sign_req(c.req, config(c.config), c.ts)}
            }
            """;

    @Test
    void signedRequestsEqualOpasOnEveryShapeOfRequest() throws Exception {
        String[] cases = {
            "{\"req\": {\"method\": \"GET\", \"url\": \"https://api.example.com:8443/a%2Fb/c d?x=1&y=%20z\"}, \"config\": {}, \"ts\": 1700000000123456789}",
            "{\"req\": {\"method\": \"post\", \"url\": \"http://h/p\", \"headers\": {\"X-Custom\": \"v\", \"User-Agent\": \"u\", \"Authorization\": \"old\","
                    + " \"x-amzn-trace-id\": \"t\", \"Num\": 5}}, \"config\": {\"aws_service\": \"s3\"}, \"ts\": 1451311705000000000}",
            "{\"req\": {\"method\": \"PUT\", \"url\": \"https://b.s3.amazonaws.com/k\", \"body\": {\"z\": \"<a&b>\", \"a\": [1, 2.5, null]}},"
                    + " \"config\": {\"aws_service\": \"s3\", \"aws_session_token\": \"TOKEN\"}, \"ts\": 1451311705000000000}",
            "{\"req\": {\"method\": \"PUT\", \"url\": \"https://b/k\", \"raw_body\": \"raw text\", \"body\": {\"ignored\": true}},"
                    + " \"config\": {\"aws_service\": \"glacier\", \"disable_payload_signing\": true}, \"ts\": 0}",
            "{\"req\": {\"method\": \"GET\", \"url\": \"https://h/\", \"headers\": {\"Host\": \"other\"}}, \"config\": {}, \"ts\": 1}",
            "{\"req\": {\"method\": \"GET\", \"url\": \"https://h/\"}, \"config\": {\"aws_region\": 5}, \"ts\": 1}",
            "{\"req\": {\"method\": \"GET\", \"url\": \"https://h/\", \"nope\": 1}, \"config\": {}, \"ts\": 1}",
            "{\"req\": {\"url\": \"https://h/\"}, \"config\": {}, \"ts\": 1}",
            "{\"req\": {\"method\": \"GET\", \"url\": \"https://h/\"}, \"config\": {}, \"ts\": 1.5}",
            "{\"req\": {\"method\": \"GET\", \"url\": \"https://h/\"}, \"config\": {\"disable_payload_signing\": \"yes\"}, \"ts\": 1}",
        };
        var list = JSON.createArrayNode();
        for (String c : cases) {
            list.add(JSON.readTree(c));
        }
        var input = JSON.createObjectNode().set("cases", list);
        var both = OpaOracle.results(POLICY, input);
        JsonNode opa = both.opa();
        JsonNode plinth = both.plinth();
        assertThat(opa.size()).isEqualTo(cases.length);
        for (int i = 0; i < cases.length; i++) {
            assertThat(plinth.get(String.valueOf(i))).as("case %d: %s", i, cases[i]).isEqualTo(opa.get(String.valueOf(i)));
        }
        assertThat(opa.at("/0/signed/headers/Authorization").asText()).startsWith("AWS4-HMAC-SHA256 Credential=AKID/");
        assertThat(opa.at("/5/signed").isMissingNode()).as("a refusal is undefined").isTrue();
    }
}
