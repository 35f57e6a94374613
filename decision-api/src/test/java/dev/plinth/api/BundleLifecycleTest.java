package dev.plinth.api;

import static dev.plinth.api.TestPlinth.admin;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plinth.engine.api.Bundle;
import dev.plinth.testing.TestInfra;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.Test;

/**
 * Upload, activate and roll back a bundle across two replicas on one emulator; malicious and
 * broken bundles (and policies calling builtins the host does not provide) are refused with
 * the reason and the active policy stays as it was.
 */
class BundleLifecycleTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void uploadActivateAndRollBackAcrossTwoReplicas() throws Exception {
        String project = TestInfra.newProjectId(BundleLifecycleTest.class);
        try (var a = TestPlinth.startOn(project, Files.createTempDirectory("plinth-a"));
             var b = TestPlinth.startOn(project, Files.createTempDirectory("plinth-b"))) {
            String builtin = revision(b);
            byte[] candidate = repack(files -> {
                ObjectNode manifest = (ObjectNode) read(files.get(".manifest"));
                manifest.put("revision", "candidate-1");
                files.put(".manifest", manifest.toString().getBytes(StandardCharsets.UTF_8));
                return files;
            });
            var uploaded = upload(a, "candidate", candidate);
            assertThat(uploaded.statusCode()).as(uploaded.body()).isEqualTo(201);
            String candidateRevision = JSON.readTree(uploaded.body()).path("revision").asText();
            assertThat(candidateRevision).as("the manifest's revision qualified by the content digest").startsWith("candidate-1+sha256:");

            var activated = a.send("POST", "/v1/policies/active", admin(), "{\"name\": \"candidate\"}");
            assertThat(activated.statusCode()).as(activated.body()).isEqualTo(200);
            b.awaitBundleRevision(candidateRevision);
            a.awaitBundleRevision(candidateRevision);

            assertThat(b.get("/v1/context", admin()).statusCode()).as("replica B decides with the new bundle").isEqualTo(200);

            var rolledBack = b.send("POST", "/v1/policies/active", admin(), "{\"rollback\": true}");
            assertThat(rolledBack.statusCode()).as(rolledBack.body()).isEqualTo(200);
            a.awaitBundleRevision(builtin);
            b.awaitBundleRevision(builtin);

            // Broken and malicious bundles: refused with a reason; the active policy is untouched.
            Map<String, byte[]> refused = new LinkedHashMap<>();
            refused.put("traversal", repack(files -> {
                files.put("../escape.rego", "package x".getBytes(StandardCharsets.UTF_8));
                return files;
            }));
            refused.put("bomb", repack(files -> {
                files.put("data.json", new byte[33 * 1024 * 1024]);
                return files;
            }));
            refused.put("missing-entrypoint", repack(files -> {
                ObjectNode manifest = (ObjectNode) read(files.get(".manifest"));
                ((com.fasterxml.jackson.databind.node.ArrayNode) manifest.get("wasm")).remove(0);
                files.put(".manifest", manifest.toString().getBytes(StandardCharsets.UTF_8));
                return files;
            }));
            refused.put("invalid-wasm", repack(files -> {
                files.put("policy.wasm", "not wasm at all".getBytes(StandardCharsets.UTF_8));
                return files;
            }));
            refused.put("not-a-tarball", "definitely not gzip".getBytes(StandardCharsets.UTF_8));
            refused.put("duplicate-entry", withDuplicate(repack(files -> files), "data.json", "{\"shadow\": true}"));
            for (var bad : refused.entrySet()) {
                var r = upload(a, bad.getKey(), bad.getValue());
                assertThat(r.statusCode()).as(bad.getKey() + ": " + r.body()).isEqualTo(400);
                assertThat(JSON.readTree(r.body()).path("code").asText()).isEqualTo("BUNDLE_INVALID");
                assertThat(a.send("POST", "/v1/policies/active", admin(), "{\"name\": \"" + bad.getKey() + "\"}").statusCode())
                        .as("a refused bundle was not stored").isEqualTo(404);
            }
            // A policy calling a builtin the host does not provide: refused at upload, not
            // at the first decision that reaches the call.
            var network = upload(a, "network", OpaBuild.build("network",
                    rego -> rego.contains("package plinth.realtime") ? rego + "\nfetched := http.send({\"method\": \"get\", \"url\": input.url})\n" : rego,
                    "-e", "plinth/realtime/fetched"));
            assertThat(network.statusCode()).as(network.body()).isEqualTo(400);
            assertThat(JSON.readTree(network.body()).path("code").asText()).isEqualTo("BUNDLE_INVALID");
            assertThat(JSON.readTree(network.body()).path("detail").asText()).contains("http.send")
                    .contains("tenants/t_system.defaults.network_builtins");
            assertThat(a.send("POST", "/v1/policies/active", admin(), "{\"name\": \"network\"}").statusCode()).isEqualTo(404);
            assertThat(revision(a)).isEqualTo(builtin);

            var tenantAdmin = a.send("POST", "/v1/policies/active", TestPlinth.as("u_nobody", "t_system", "dev"), "{\"rollback\": true}");
            assertThat(tenantAdmin.statusCode()).isIn(403);

            // Another bundle under the same manifest revision (opa build without --revision gives
            // every bundle ""): a different revision, so activating it really switches.
            byte[] twin = repack(files -> {
                ObjectNode manifest = (ObjectNode) read(files.get(".manifest"));
                manifest.put("revision", "candidate-1");
                files.put(".manifest", manifest.toString().getBytes(StandardCharsets.UTF_8));
                files.put("data.json", "{\"twin\": true}".getBytes(StandardCharsets.UTF_8));
                return files;
            });
            var twinUpload = upload(a, "twin", twin);
            String twinRevision = JSON.readTree(twinUpload.body()).path("revision").asText();
            assertThat(twinRevision).startsWith("candidate-1+sha256:").isNotEqualTo(candidateRevision);
            assertThat(a.send("POST", "/v1/policies/active", admin(), "{\"name\": \"twin\"}").statusCode()).isEqualTo(200);
            b.awaitBundleRevision(twinRevision);
            assertThat(b.send("POST", "/v1/policies/active", admin(), "{\"name\": \"candidate\"}").statusCode()).isEqualTo(200);
            b.awaitBundleRevision(candidateRevision);
        }
    }

    @Test
    void theImpactDiffReportsEveryDecisionACandidateWouldChange() throws Exception {
        try (var plinth = TestPlinth.start(BundleLifecycleTest.class)) {
            // A candidate built by the pinned OPA CLI from policies that no longer accept '-' in tenant ids.
            byte[] candidate = OpaBuild.build("no-dashes", source -> source.replace(
                    "id_chars := \"abcdefghijklmnopqrstuvwxyz0123456789_-\"", "id_chars := \"abcdefghijklmnopqrstuvwxyz0123456789_\""));
            assertThat(upload(plinth, "no-dashes", candidate).statusCode()).isEqualTo(201);

            String input = "{\"credentials\": {\"present\": true, \"verified\": true}, \"request\": {\"tenant_id\": \"%s\", \"env\": \"dev\"},"
                    + " \"tenant\": {\"id\": \"%s\", \"status\": \"active\", \"allowed_envs\": [\"dev\"]},"
                    + " \"user\": {\"id\": \"u_a\", \"status\": \"active\"}, \"membership\": {\"roles\": [\"member\"], \"status\": \"active\"}}";
            String body = "{\"inputs\": [{\"entrypoint\": \"plinth/authz/decision\", \"input\": " + input.formatted("t_a-b", "t_a-b")
                    + "}, {\"entrypoint\": \"plinth/authz/decision\", \"input\": " + input.formatted("t_ab", "t_ab") + "}]}";
            var diff = plinth.send("POST", "/v1/policies/bundles/no-dashes/diff", admin(), body);
            assertThat(diff.statusCode()).as(diff.body()).isEqualTo(200);
            var report = JSON.readTree(diff.body());
            assertThat(report.path("evaluated").asInt()).isEqualTo(2);
            assertThat(report.path("changed")).hasSize(1);
            assertThat(report.at("/changed/0/input/request/tenant_id").asText()).isEqualTo("t_a-b");
            assertThat(report.at("/changed/0/active/status").asInt()).isEqualTo(200);
            assertThat(report.at("/changed/0/candidate/status").asInt()).isEqualTo(400);
            assertThat(report.at("/changed/0/differs_in").toString()).contains("allow").contains("status");

            // Without posted inputs the sample of recent decisions is used.
            plinth.get("/v1/context", admin());
            var sampled = JSON.readTree(plinth.send("POST", "/v1/policies/bundles/no-dashes/diff", admin(), "{}").body());
            assertThat(sampled.path("source").asText()).isEqualTo("recent decisions");
            assertThat(sampled.path("evaluated").asInt()).isPositive();
            assertThat(revision(plinth)).as("a diff activates nothing").startsWith("builtin-");
        }
    }

    @Test
    void whenSignaturesAreRequiredOnlyBundlesSignedWithTheConfiguredKeyAreAccepted() throws Exception {
        try (var plinth = TestPlinth.start(BundleLifecycleTest.class)) {
            String signingKey = "bundle-signing-secret-0123456789abcdef0123456789";
            Files.writeString(plinth.home.resolve("secrets.json"), "{\"dev_jwt_signing_key\": \"" + TestPlinth.KEY
                    + "\", \"bundle_key\": \"" + signingKey + "\"}");
            plinth.send("POST", "/v1/admin/secrets", admin(), "{\"id\": \"bundle_signing\", \"provider\": \"file\", \"reference\": \"bundle_key\"}");
            // Uploaded while signatures were not yet required.
            assertThat(upload(plinth, "early", repack(files -> files)).statusCode()).isEqualTo(201);
            ObjectNode system = (ObjectNode) JSON.readTree(plinth.get("/v1/admin/tenants/t_system", admin()).body());
            ((ObjectNode) system.get("defaults")).put("require_signed_bundles", true)
                    .put("bundle_signing_key_secret", "bundle_signing").put("bundle_signing_algorithm", "HS256");
            String rev = JSON.readTree(plinth.send("PUT", "/v1/admin/tenants/t_system", admin(), system.toString()).body())
                    .path("revision").asText();
            plinth.get("/v1/context", TestPlinth.with(admin(), "X-Min-Revision", rev));

            var signed = OpaBuild.build("signed", "--signing-key", signingKey, "--signing-alg", "HS256");
            var accepted = upload(plinth, "signed", signed);
            assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(201);

            var early = plinth.send("POST", "/v1/policies/active", admin(), "{\"name\": \"early\"}");
            assertThat(early.statusCode()).as("an unsigned bundle uploaded earlier is not activated: " + early.body()).isEqualTo(400);
            assertThat(JSON.readTree(early.body()).path("detail").asText()).contains("not signed");

            var unsigned = upload(plinth, "unsigned", repack(files -> files));
            assertThat(unsigned.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(unsigned.body()).path("detail").asText()).contains("not signed");

            var wrongKey = upload(plinth, "wrong-key", OpaBuild.build("wrong", "--signing-key",
                    "another-secret-0123456789abcdef0123456789abc", "--signing-alg", "HS256"));
            assertThat(wrongKey.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(wrongKey.body()).path("detail").asText()).contains("does not verify");

            // Same policy, one byte more in a signed source file.
            byte[] tampered = repackBytes(signed, files -> {
                String rego = files.keySet().stream().filter(k -> k.endsWith("decision.rego")).findFirst().orElseThrow();
                files.put(rego, (new String(files.get(rego), StandardCharsets.UTF_8) + "\n").getBytes(StandardCharsets.UTF_8));
                return files;
            });
            var rejected = upload(plinth, "tampered", tampered);
            assertThat(rejected.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(rejected.body()).path("detail").asText()).contains("digest does not match");
        }
    }

    /** One rule per host-builtin family, added to the project's realtime package and decided over the Data API. */
    private static final String FAMILIES = """

            families := {
                "time": time.parse_rfc3339_ns("2026-12-01T12:00:00Z") < time.now_ns(),
                "jwt": io.jwt.decode(input.jwt)[1].sub,
                "net": net.cidr_contains_matches(["10.0.0.0/8", "2001:db8::/32"], ["10.1.2.3", "2001:db8::1"]),
                "semver": semver.compare("1.2.3", "1.10.0"),
                "strings": [regex.replace("a-b-c", "-", "_"), glob.quote_meta("*.x"), strings.count("banana", "a")],
                "encoding": [hex.encode("hi"), base64url.encode_no_pad("hi"), urlquery.encode_object({"q": "a b"}), crypto.sha256("x")],
                "units": [units.parse_bytes("2KiB"), time.parse_duration_ns("1d")],
                "uuid": uuid.parse("00000000-0000-4000-8000-000000000000").version,
                "json": json.patch({"a": 1}, [{"op": "add", "path": "/b", "value": 2}]),
                "uri": uri.parse("https://example.com:8443/a?b=c").port,
                "graph": graph.reachable_paths({"a": ["b"], "b": []}, {"a"}),
                "graphql": [graphql.is_valid("{ a }", "type Query { a: Int }"), graphql.is_valid("{ b }", "type Query { a: Int }")],
            }
            """;

    @Test
    void aBundleCallingEachHostBuiltinFamilyIsUploadedActivatedAndDecidedOverHttp() throws Exception {
        try (var plinth = TestPlinth.start(BundleLifecycleTest.class)) {
            byte[] bundle = OpaBuild.build("families", rego -> rego.contains("package plinth.realtime") ? rego + FAMILIES : rego,
                    "-e", "plinth/realtime/families");
            var uploaded = upload(plinth, "families", bundle);
            assertThat(uploaded.statusCode()).as(uploaded.body()).isEqualTo(201);
            String revision = JSON.readTree(uploaded.body()).path("revision").asText();
            assertThat(plinth.send("POST", "/v1/policies/active", admin(), "{\"name\": \"families\"}").statusCode()).isEqualTo(200);
            plinth.awaitBundleRevision(revision);

            String jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1X2FuYSJ9.c2ln";
            var r = plinth.send("POST", "/v1/data/plinth/realtime/families", admin(), "{\"input\": {\"jwt\": \"" + jwt + "\"}}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            var result = JSON.readTree(r.body()).path("result");
            assertThat(result.path("time").asBoolean()).isTrue();
            assertThat(result.path("jwt").asText()).isEqualTo("u_ana");
            assertThat(result.path("net").toString()).isEqualTo("[[0,0],[1,1]]");
            assertThat(result.path("semver").asInt()).isEqualTo(-1);
            assertThat(result.path("strings").toString()).isEqualTo("[\"a_b_c\",\"\\\\*.x\",3]");
            assertThat(result.path("encoding").toString()).isEqualTo("[\"6869\",\"aGk\",\"q=a+b\","
                    + "\"2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881\"]");
            assertThat(result.path("units").toString()).isEqualTo("[2048,86400000000000]");
            assertThat(result.path("uuid").asInt()).isEqualTo(4);
            assertThat(result.path("json")).isEqualTo(JSON.readTree("{\"a\":1,\"b\":2}"));
            assertThat(result.path("uri").asText()).isEqualTo("8443");
            assertThat(result.path("graph").toString()).isEqualTo("[[\"a\",\"b\"]]");
            assertThat(result.path("graphql").toString()).isEqualTo("[true,false]");
            assertThat(plinth.server.core().engine().cachesDecisions()).as("time.now_ns is imported: nothing is cached").isFalse();
        }
    }

    private static HttpResponse<String> upload(TestPlinth plinth, String name, byte[] bytes) throws Exception {
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + plinth.server.port() + "/v1/policies/bundles/" + name))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)).header("Content-Type", "application/gzip");
        admin().forEach(request::header);
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String revision(TestPlinth plinth) throws Exception {
        return JSON.readTree(plinth.get("/health/ready", Map.of()).body()).path("bundle_revision").asText();
    }

    static com.fasterxml.jackson.databind.JsonNode read(byte[] json) {
        try {
            return JSON.readTree(json);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The built-in bundle, unpacked, changed and packed again. */
    static byte[] repack(UnaryOperator<Map<String, byte[]>> change) throws Exception {
        try (InputStream in = Bundle.class.getClassLoader().getResourceAsStream(Bundle.BUILTIN_RESOURCE)) {
            return repackBytes(in.readAllBytes(), change);
        }
    }

    private static Map<String, byte[]> unpack(byte[] bundle) throws Exception {
        Map<String, byte[]> files = new LinkedHashMap<>();
        try (var tar = new TarArchiveInputStream(new GzipCompressorInputStream(new java.io.ByteArrayInputStream(bundle)))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                if (e.isFile()) {
                    files.put(e.getName().replaceFirst("^/", ""), tar.readAllBytes());
                }
            }
        }
        return files;
    }

    /** A bundle with one more entry named like an existing one (tar allows it). */
    private static byte[] withDuplicate(byte[] bundle, String name, String content) throws Exception {
        var entries = new java.util.ArrayList<>(unpack(bundle).entrySet());
        entries.add(Map.entry(name, content.getBytes(StandardCharsets.UTF_8)));
        return pack(entries);
    }

    /** A bundle's files, changed and packed again. */
    private static byte[] repackBytes(byte[] bundle, UnaryOperator<Map<String, byte[]>> change) throws Exception {
        return pack(change.apply(unpack(bundle)).entrySet());
    }

    /** Files as a gzipped tar, in the order given (a path may come twice). */
    private static byte[] pack(java.util.Collection<Map.Entry<String, byte[]>> files) throws Exception {
        var out = new ByteArrayOutputStream();
        try (var tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(out))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            for (var f : files) {
                var entry = new TarArchiveEntry(f.getKey(), true);
                entry.setSize(f.getValue().length);
                tar.putArchiveEntry(entry);
                tar.write(f.getValue());
                tar.closeArchiveEntry();
            }
        }
        return out.toByteArray();
    }
}
