package dev.plinth.engine;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plinth.engine.api.PolicyEngine;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * crypto.x509.* and crypto.parse_private_keys against OPA itself, on a chain made here with
 * the JDK's keytool (an RSA root, an intermediate with a path length, an EC leaf with every
 * kind of SAN, extended and plain key usages): the pinned OPA CLI and Plinth evaluate the
 * same policy, and every answer must be equal, certificates field by field.
 */
class X509BuiltinsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private static final String POLICY = """
            package t

            opts(extra) := object.union({"CurrentTime": input.now_ns}, extra)

            results := {k: v | some k in input.names; v := one(k)}

            one("certs") := crypto.x509.parse_certificates(input.chain)
            one("base64_der") := crypto.x509.parse_certificates(input.leaf_der)
            one("verified") := crypto.x509.parse_and_verify_certificates_with_options(input.chain,
                opts({"DNSName": "svc.example.com", "KeyUsages": ["KeyUsageServerAuth"]}))
            one("wildcard") := crypto.x509.parse_and_verify_certificates_with_options(input.chain, opts({"DNSName": "a.w.example.com"}))
            one("ip") := crypto.x509.parse_and_verify_certificates_with_options(input.chain, opts({"DNSName": "10.0.0.1"}))
            one("wrong_host") := crypto.x509.parse_and_verify_certificates_with_options(input.chain, opts({"DNSName": "other.example.com"}))
            one("wrong_usage") := crypto.x509.parse_and_verify_certificates_with_options(input.chain, opts({"KeyUsages": ["KeyUsageCodeSigning"]}))
            one("any_usage") := crypto.x509.parse_and_verify_certificates_with_options(input.chain, opts({"KeyUsages": ["KeyUsageAny"]}))
            one("bad_usage") := crypto.x509.parse_and_verify_certificates_with_options(input.chain, opts({"KeyUsages": ["Nope"]}))
            one("bad_option") := crypto.x509.parse_and_verify_certificates_with_options(input.chain, {"Nope": 1})
            one("expired") := crypto.x509.parse_and_verify_certificates_with_options(input.chain, {"CurrentTime": input.late_ns})
            one("reversed") := crypto.x509.parse_and_verify_certificates_with_options(input.reversed, opts({}))
            one("alone") := crypto.x509.parse_and_verify_certificates_with_options(input.leaf, opts({}))
            one("csr") := crypto.x509.parse_certificate_request(input.csr)
            one("pair") := crypto.x509.parse_keypair(input.leaf, input.leaf_key)
            one("mismatch") := crypto.x509.parse_keypair(input.leaf, input.rsa_pkcs8)
            one("rsa_jwk") := crypto.x509.parse_rsa_private_key(input.rsa_pkcs1)
            one("rsa_jwk_b64") := crypto.x509.parse_rsa_private_key(base64.encode(input.rsa_pkcs8))
            one("keys") := crypto.parse_private_keys(concat("", [input.rsa_pkcs1, input.rsa_pkcs8, input.ec_pkcs8]))
            one("no_keys") := crypto.parse_private_keys("no PEM here")
            one("garbage") := crypto.x509.parse_certificates("bm90IGEgY2VydA==")
            one("unpadded") := crypto.x509.parse_certificates("bm90IGEgY2VydA")
            one("wrong_block") := crypto.x509.parse_certificates(input.rsa_pkcs8)
            """;

    private static ObjectNode input;

    private static final List<String> LEFT_OUT = List.of();

    @BeforeAll
    static void makeChain() throws Exception {
        Path dir = Files.createTempDirectory("plinth-x509");
        keytool(dir, "-genkeypair", "-alias", "root", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=Plinth Root,O=Plinth,C=DE",
                "-ext", "bc:c", "-validity", "3650");
        keytool(dir, "-genkeypair", "-alias", "int", "-keyalg", "RSA", "-keysize", "2048", "-dname", "CN=Plinth Intermediate,O=Plinth");
        keytool(dir, "-certreq", "-alias", "int", "-file", "int.csr");
        keytool(dir, "-gencert", "-alias", "root", "-infile", "int.csr", "-outfile", "int.pem", "-rfc", "-ext", "bc:c=ca:true,pathlen:0",
                "-ext", "KU=keyCertSign,cRLSign", "-validity", "3000");
        keytool(dir, "-genkeypair", "-alias", "leaf", "-keyalg", "EC", "-groupname", "secp256r1",
                "-dname", "CN=svc.example.com,OU=Platform,O=Plinth,L=Berlin,ST=Berlin,C=DE");
        keytool(dir, "-certreq", "-alias", "leaf", "-file", "leaf.csr");
        keytool(dir, "-gencert", "-alias", "int", "-infile", "leaf.csr", "-outfile", "leaf.pem", "-rfc", "-validity", "2000",
                "-ext", "SAN=dns:svc.example.com,dns:*.w.example.com,ip:10.0.0.1,ip:2001:db8::1,uri:spiffe://example.com/ns/a,email:ops@example.com",
                "-ext", "EKU=serverAuth,clientAuth", "-ext", "KU=digitalSignature",
                "-ext", "AIA=ocsp:uri:http://ocsp.example.com,caIssuers:uri:http://ca.example.com/int.crt");
        keytool(dir, "-exportcert", "-alias", "root", "-rfc", "-file", "root.pem");
        String root = Files.readString(dir.resolve("root.pem"));
        String intermediate = Files.readString(dir.resolve("int.pem"));
        String leaf = Files.readString(dir.resolve("leaf.pem"));

        var store = KeyStore.getInstance("PKCS12");
        try (var in = Files.newInputStream(dir.resolve("ks.p12"))) {
            store.load(in, "changeit".toCharArray());
        }
        var leafKey = (PrivateKey) store.getKey("leaf", "changeit".toCharArray());
        var rsa = KeyPairGenerator.getInstance("RSA");
        rsa.initialize(2048);
        byte[] rsaPkcs8 = rsa.generateKeyPair().getPrivate().getEncoded();
        var ec = KeyPairGenerator.getInstance("EC");
        ec.initialize(256);
        byte[] ecPkcs8 = ec.generateKeyPair().getPrivate().getEncoded();
        // PKCS#1 is the octet string inside PKCS#8's RSA wrapping: its last element.
        byte[] rsaPkcs1 = lastElement(rsaPkcs8);

        var cf = java.security.cert.CertificateFactory.getInstance("X.509");
        byte[] leafDer = cf.generateCertificate(new ByteArrayInputStream(leaf.getBytes())).getEncoded();

        input = JSON.createObjectNode();
        input.put("chain", root + intermediate + leaf);
        input.put("reversed", leaf + intermediate + root);
        input.put("leaf", leaf);
        input.put("leaf_der", Base64.getEncoder().encodeToString(leafDer));
        input.put("csr", Files.readString(dir.resolve("leaf.csr")).replace("NEW CERTIFICATE REQUEST", "CERTIFICATE REQUEST"));
        input.put("leaf_key", pem("PRIVATE KEY", leafKey.getEncoded()));
        input.put("rsa_pkcs8", pem("PRIVATE KEY", rsaPkcs8));
        input.put("rsa_pkcs1", pem("RSA PRIVATE KEY", rsaPkcs1));
        input.put("ec_pkcs8", pem("PRIVATE KEY", ecPkcs8));
        Instant now = Instant.now();
        input.put("now_ns", now.getEpochSecond() * 1_000_000_000L);
        input.put("late_ns", now.plusSeconds(86400L * 4000).getEpochSecond() * 1_000_000_000L);
        var names = input.putArray("names");
        for (String line : POLICY.split("\n")) {
            if (line.startsWith("one(\"")) {
                names.add(line.substring(5, line.indexOf('"', 5)));
            }
        }
    }

    private static String pem(String type, byte[] der) {
        return "-----BEGIN " + type + "-----\n" + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der) + "\n-----END " + type + "-----\n";
    }

    /** The content of the last element of a DER SEQUENCE (here PKCS#8's private key octet string). */
    private static byte[] lastElement(byte[] seq) {
        int i = 1;
        i += (seq[i] & 0x80) == 0 ? 1 : 1 + (seq[i] & 0x7f);
        byte[] content = null;
        while (i < seq.length) {
            i++;
            int len = seq[i] & 0xff;
            i++;
            if (len >= 0x80) {
                int n = len & 0x7f;
                len = 0;
                for (int k = 0; k < n; k++) {
                    len = (len << 8) | (seq[i++] & 0xff);
                }
            }
            content = java.util.Arrays.copyOfRange(seq, i, i + len);
            i += len;
        }
        return content;
    }

    private static void keytool(Path dir, String... args) throws Exception {
        var cmd = new ArrayList<String>(List.of(Path.of(System.getProperty("java.home"), "bin", "keytool").toString()));
        cmd.addAll(List.of(args));
        cmd.addAll(List.of("-keystore", "ks.p12", "-storetype", "PKCS12", "-storepass", "changeit", "-keypass", "changeit"));
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor()).as(out).isZero();
    }

    @Test
    void everyX509BuiltinAnswersWhatOpaAnswersOnTheSameChainAndKeys() throws Exception {
        JsonNode opa = OpaOracle.eval(POLICY, input, "data.t.results");
        var engine = new PolicyEngine(HostBuiltinsTest.build(POLICY, "t/results"), 1, 0);
        JsonNode plinth = engine.evaluate("t/results", input).orElseThrow();

        assertThat(plinth.path("verified").path(0).asBoolean()).as("the chain verifies for its host (OPA: %s)", opa.path("verified").path(0)).isTrue();
        assertThat(plinth.path("wrong_host").path(0).asBoolean(true)).isFalse();
        assertThat(plinth.path("certs").path(2).path("URIStrings").toString()).isEqualTo("[\"spiffe://example.com/ns/a\"]");
        for (var names = opa.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            assertThat(plinth.has(name)).as("%s is defined in OPA: %s", name, opa.get(name)).isTrue();
            JsonNode want = comparable(plinth.get(name), opa.get(name));
            assertThat(plinth.get(name)).as("%s differs at %s", name, firstDifference(want, plinth.get(name), "")).isEqualTo(want);
        }
        var left = new java.util.TreeSet<String>();
        opa.path("certs").get(2).fieldNames().forEachRemaining(left::add);
        plinth.path("certs").get(2).fieldNames().forEachRemaining(left::remove);
        assertThat(left).as("the Go fields Plinth leaves out (X509Builtins' comment names them)").isEqualTo(new java.util.TreeSet<>(LEFT_OUT));
        for (var names = plinth.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            assertThat(opa.has(name)).as("%s is undefined in OPA, Plinth answered %s", name, plinth.get(name)).isTrue();
        }
    }

    /**
     * OPA's answer cut down to the shape of Plinth's: an object keeps only the keys Plinth's
     * has (Go's fields Plinth leaves out), everything else whole.
     */
    private static JsonNode comparable(JsonNode plinth, JsonNode opa) {
        if (plinth == null || opa == null) {
            return opa;
        }
        if (plinth.isObject() && opa.isObject()) {
            ObjectNode out = JSON.createObjectNode();
            for (Iterator<String> it = plinth.fieldNames(); it.hasNext(); ) {
                String k = it.next();
                if (opa.has(k)) {
                    out.set(k, comparable(plinth.get(k), opa.get(k)));
                }
            }
            return out;
        }
        if (plinth.isArray() && opa.isArray() && plinth.size() == opa.size()) {
            var out = JSON.createArrayNode();
            for (int i = 0; i < opa.size(); i++) {
                out.add(comparable(plinth.get(i), opa.get(i)));
            }
            return out;
        }
        return opa;
    }

    /** Where two answers first differ, with both values there. */
    private static String firstDifference(JsonNode a, JsonNode b, String at) {
        if (a.isObject() && b.isObject()) {
            var keys = new java.util.TreeSet<String>();
            a.fieldNames().forEachRemaining(keys::add);
            b.fieldNames().forEachRemaining(keys::add);
            for (String k : keys) {
                if (!a.has(k) || !b.has(k)) {
                    return at + "/" + k + " (only in " + (a.has(k) ? "OPA" : "Plinth") + ")";
                }
                String d = firstDifference(a.get(k), b.get(k), at + "/" + k);
                if (d != null) {
                    return d;
                }
            }
            return null;
        }
        if (a.isArray() && b.isArray() && a.size() == b.size()) {
            for (int i = 0; i < a.size(); i++) {
                String d = firstDifference(a.get(i), b.get(i), at + "/" + i);
                if (d != null) {
                    return d;
                }
            }
            return null;
        }
        return a.equals(b) ? null : at + ": OPA " + a + ", Plinth " + b;
    }

}
