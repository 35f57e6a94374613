package dev.plinth.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.plinth.engine.api.Bundle;
import dev.plinth.engine.api.PolicyEngine;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Host builtins per family through Plinth's engine (compiled wasm on Chicory) beside
 * {@code opa bench} (OPA's Go evaluator) on the same policy, data and input: JWT verify with
 * RS256 and ES256, net.cidr_contains_matches against 1,000 CIDRs (in data),
 * time.parse_rfc3339_ns, semver.compare, regex.replace, json.patch, json.match_schema,
 * graphql.is_valid, yaml.unmarshal and strings.render_template. Each family gets the input
 * its rule reads (the {@code input.x} its line names), as a policy calling it would: the
 * module parses its whole input on every evaluation, so one input for all would charge the
 * cheap families for parsing the others' tokens and keys. One thread, warm; Plinth's
 * numbers are the p50 and p99 of 20,000 timed evaluations, OPA's the median of its
 * query-eval timer over its own iterations.
 *
 * <p>Run: {@code ./plinth bench builtins}.
 */
public final class BuiltinFamilies {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern INPUT_FIELD = Pattern.compile("input\\.(\\w+)");

    private static final String POLICY = """
            package b

            jwt_rs256 := io.jwt.verify_rs256(input.rs, input.rs_key)
            jwt_es256 := io.jwt.verify_es256(input.es, input.es_key)
            cidr_matches := count(net.cidr_contains_matches(data.cidrs, input.ip))
            time_rfc3339 := time.parse_rfc3339_ns(input.t)
            semver_compare := semver.compare(input.a, input.b)
            regex_replace := regex.replace(input.s, "[0-9]+", "#")
            json_patch := json.patch(input.doc, [{"op": "add", "path": "/b", "value": 2}, {"op": "remove", "path": "/a"}])
            json_match_schema := json.match_schema(input.order, data.order_schema)
            graphql_is_valid := graphql.is_valid(input.gql, data.gql_schema)
            yaml_unmarshal := count(yaml.unmarshal(input.yaml))
            render_template := strings.render_template(input.tmpl, {"name": "ana", "items": ["a", "b", "c"]})
            """;

    private BuiltinFamilies() {}

    public static void main(String[] args) throws Exception {
        Path opa = Path.of(args[0]);
        Path dir = Files.createDirectories(Path.of("target/builtin-bench"));
        Files.writeString(dir.resolve("b.rego"), POLICY);
        ObjectNode all = input();
        ObjectNode data = JSON.createObjectNode();
        ArrayNode cidrs = data.putArray("cidrs");
        for (int i = 0; i < 1000; i++) {
            cidrs.add("10." + (i / 250) + "." + (i % 250) + ".0/24");
        }
        data.set("order_schema", JSON.readTree("""
                {"type": "object", "required": ["id", "items"], "properties": {"id": {"type": "string", "pattern": "^o_[0-9]+$"},
                 "items": {"type": "array", "minItems": 1, "items": {"type": "object", "required": ["sku", "qty"],
                 "properties": {"sku": {"type": "string"}, "qty": {"type": "integer", "minimum": 1}}}}}}"""));
        data.put("gql_schema", "type Query { user(id: ID!): User } type User { id: ID! name: String friends: [User] }");
        Files.writeString(dir.resolve("data.json"), data.toString());
        Map<String, ObjectNode> inputs = inputsByFamily(all);
        List<String> families = List.copyOf(inputs.keySet());
        for (var family : inputs.entrySet()) {
            Files.writeString(dir.resolve("input-" + family.getKey() + ".json"), family.getValue().toString());
        }
        var cmd = new ArrayList<>(List.of(opa.toString(), "build", "-t", "wasm", "-o", "b.tar.gz"));
        families.forEach(f -> cmd.addAll(List.of("-e", "b/" + f)));
        cmd.add("b.rego");
        run(dir, cmd);
        var engine = new PolicyEngine(Bundle.read(new ByteArrayInputStream(Files.readAllBytes(dir.resolve("b.tar.gz")))), 1, 0);
        engine.replaceData(1, data);

        var rows = new LinkedHashMap<String, String>();
        for (String f : families) {
            ObjectNode input = inputs.get(f);
            JsonNode answer = engine.evaluate("b/" + f, input).orElseThrow(() -> new IllegalStateException(f + " is undefined"));
            long[] ns = new long[20_000];
            for (int i = 0; i < 5_000; i++) {
                engine.evaluate("b/" + f, input);
            }
            for (int i = 0; i < ns.length; i++) {
                long t0 = System.nanoTime();
                engine.evaluate("b/" + f, input);
                ns[i] = System.nanoTime() - t0;
            }
            Arrays.sort(ns);
            double opaMedian = opaMedianNs(opa, dir, f);
            rows.put(f, String.format("| %s | `%s` | %.1f | %.1f | %.1f | %.2f |", f, answer, ns[ns.length / 2] / 1000.0,
                    ns[(int) (ns.length * 0.99)] / 1000.0, opaMedian / 1000.0, ns[ns.length / 2] / opaMedian));
            System.out.println(rows.get(f));
        }
        System.out.println("\n| family | answer | Plinth p50 µs | Plinth p99 µs | opa bench median µs | Plinth / OPA |\n|---|---|---:|---:|---:|---:|");
        rows.values().forEach(System.out::println);
    }

    /** Each rule of the policy, in its order, with the input fields its line reads. */
    private static Map<String, ObjectNode> inputsByFamily(ObjectNode all) {
        var out = new LinkedHashMap<String, ObjectNode>();
        var rule = Pattern.compile("^(\\w+) := (.*)$", Pattern.MULTILINE).matcher(POLICY);
        while (rule.find()) {
            ObjectNode input = JSON.createObjectNode();
            var field = INPUT_FIELD.matcher(rule.group(2));
            while (field.find()) {
                input.set(field.group(1), all.required(field.group(1)));
            }
            out.put(rule.group(1), input);
        }
        return out;
    }

    private static double opaMedianNs(Path opa, Path dir, String family) throws Exception {
        String out = run(dir, List.of(opa.toString(), "bench", "--format", "json", "--data", "b.rego", "--data", "data.json",
                "--input", "input-" + family + ".json", "data.b." + family));
        JsonNode result = JSON.readTree(out);
        JsonNode median = result.path("Extra").path("histogram_timer_rego_query_eval_ns_median");
        if (!median.isNumber()) {
            throw new IllegalStateException("opa bench answered no query-eval median: " + out);
        }
        return median.asDouble();
    }

    private static ObjectNode input() throws Exception {
        var rsa = new RSAKeyGenerator(2048).generate();
        var ec = new ECKeyGenerator(Curve.P_256).generate();
        var claims = new JWTClaimsSet.Builder().subject("u_ana").issuer("https://idp.example").build();
        var rs = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), claims);
        rs.sign(new RSASSASigner(rsa));
        var es = new SignedJWT(new JWSHeader(JWSAlgorithm.ES256), claims);
        es.sign(new ECDSASigner(ec));
        ObjectNode in = JSON.createObjectNode();
        in.put("rs", rs.serialize()).put("rs_key", pem(rsa.toPublicKey().getEncoded()));
        in.put("es", es.serialize()).put("es_key", pem(ec.toPublicKey().getEncoded()));
        in.put("ip", "10.3.200.7").put("t", "2026-12-01T12:34:56.789Z").put("a", "1.10.3-rc.1").put("b", "1.10.3");
        in.put("s", "order 123 of 456 items, 789 left");
        in.putObject("doc").put("a", 1).put("c", Map.of("x", 1).toString());
        in.set("order", JSON.readTree("{\"id\": \"o_42\", \"items\": [{\"sku\": \"a\", \"qty\": 2}, {\"sku\": \"b\", \"qty\": 1}]}"));
        in.put("gql", "query Q($id: ID!) { user(id: $id) { id name friends { id } } }");
        in.put("yaml", "apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\n  labels: {app: web}\nspec:\n  containers:\n    - name: app\n      image: nginx\n");
        in.put("tmpl", "hello {{.name}}: {{range $i, $x := .items}}{{if $i}}, {{end}}{{$x}}{{end}}");
        return in;
    }

    private static String pem(byte[] der) {
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der) + "\n-----END PUBLIC KEY-----\n";
    }

    private static String run(Path dir, List<String> cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(false).start();
        String out = new String(p.getInputStream().readAllBytes());
        String err = new String(p.getErrorStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed:\n" + out + err);
        }
        return out;
    }
}
