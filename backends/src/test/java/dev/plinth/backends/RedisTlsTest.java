package dev.plinth.backends;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.plinth.datasync.model.Records;
import dev.plinth.datasync.secrets.SecretException;
import dev.plinth.datasync.secrets.SecretValue;
import dev.plinth.infra.LocalInfra;
import dev.plinth.infra.bootstrap.InfraTools;
import java.io.StringWriter;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A managed Redis the way production runs one: TLS with a password, both from the secrets
 * contract (logical names on the backend record, values from the secret provider), against
 * a real redis-server with TLS enabled and a CA and certificate of the test's own. A client
 * that trusts another CA, speaks plaintext to the TLS port, names the server by a host its
 * certificate does not cover, or has no password is refused.
 */
class RedisTlsTest {

    @TempDir
    Path dir;

    @Test
    void aTlsBackendWithItsPasswordAndCaFromTheSecretsContract() throws Exception {
        KeyPair caKeys = keys();
        X509Certificate ca = certificate("CN=plinth test CA", caKeys, "CN=plinth test CA", caKeys, true, null);
        KeyPair serverKeys = keys();
        X509Certificate server = certificate("CN=redis", serverKeys, "CN=plinth test CA", caKeys, false, "127.0.0.1");
        KeyPair otherKeys = keys();
        X509Certificate otherCa = certificate("CN=another CA", otherKeys, "CN=another CA", otherKeys, true, null);
        Files.writeString(dir.resolve("ca.pem"), pem(ca));
        Files.writeString(dir.resolve("server.pem"), pem(server));
        // PKCS#8, the form OpenSSL 3 reads without guessing.
        Files.writeString(dir.resolve("server.key"), "-----BEGIN PRIVATE KEY-----\n"
                + java.util.Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(serverKeys.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n");

        int port = LocalInfra.freePort();
        Process redis = new ProcessBuilder(InfraTools.fromEnvironment().redisServer().toString(),
                "--bind", "127.0.0.1", "--port", "0", "--tls-port", String.valueOf(port),
                "--tls-cert-file", dir.resolve("server.pem").toString(), "--tls-key-file", dir.resolve("server.key").toString(),
                "--tls-ca-cert-file", dir.resolve("ca.pem").toString(), "--tls-auth-clients", "no",
                "--requirepass", "s3cret-tls-password", "--save", "", "--appendonly", "no", "--dir", dir.toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("redis.log").toFile()).start();
        try {
            Map<String, String> values = Map.of("redis_tls_password", "s3cret-tls-password", "redis_tls_ca", pem(ca),
                    "other_ca", pem(otherCa));
            try (var registry = new StoreRegistry("p", null, name -> {
                String v = values.get(name);
                if (v == null) {
                    throw new SecretException(name, "no secret " + name);
                }
                return new SecretValue(v.getBytes(StandardCharsets.UTF_8));
            })) {
                var partition = new Partition("t_a", "dev", "memory");
                org.awaitility.Awaitility.await("redis-server answers on its TLS port").atMost(java.time.Duration.ofSeconds(15))
                        .ignoreExceptions().until(() -> registry.storeFor(backend("tls_ok", "127.0.0.1", port, true,
                                "redis_tls_password", "redis_tls_ca")) != null);
                ResourceStore store = registry.storeFor(backend("tls_ok", "127.0.0.1", port, true, "redis_tls_password", "redis_tls_ca"));
                store.put(partition, "k", "{\"v\": 1}", null);
                assertThat(store.get(partition, "k")).contains("{\"v\": 1}");

                assertThatThrownBy(() -> registry.storeFor(backend("tls_other_ca", "127.0.0.1", port, true, "redis_tls_password", "other_ca")))
                        .as("a server certificate from a CA the backend does not trust").isInstanceOf(StoreException.BackendUnavailable.class);
                assertThatThrownBy(() -> registry.storeFor(backend("tls_host", "localhost", port, true, "redis_tls_password", "redis_tls_ca")))
                        .as("a host name the certificate does not cover").isInstanceOf(StoreException.BackendUnavailable.class);
                assertThatThrownBy(() -> registry.storeFor(backend("plaintext", "127.0.0.1", port, false, "redis_tls_password", null)))
                        .as("plaintext to the TLS port").isInstanceOf(StoreException.class);
                assertThatThrownBy(() -> {
                    ResourceStore noPassword = registry.storeFor(backend("tls_nopass", "127.0.0.1", port, true, null, "redis_tls_ca"));
                    noPassword.get(partition, "k");
                }).as("no password: the server refuses every command").isInstanceOf(StoreException.class);
                assertThatThrownBy(() -> registry.storeFor(backend("tls_missing", "127.0.0.1", port, true, "redis_tls_password", "no_such")))
                        .isInstanceOf(StoreException.Misconfigured.class).hasMessageContaining("backends/tls_missing");
            }
        } finally {
            redis.destroyForcibly().waitFor();
        }
    }

    private static Records.Backend backend(String id, String host, int port, boolean tls, String password, String ca) {
        var secrets = new java.util.HashMap<String, String>();
        if (password != null) {
            secrets.put("password", password);
        }
        if (ca != null) {
            secrets.put("ca_certificate", ca);
        }
        return new Records.Backend(id, "redis", Map.of("host", host, "port", port, "tls", tls), secrets, "active");
    }

    private static KeyPair keys() throws Exception {
        var g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        return g.generateKeyPair();
    }

    private static X509Certificate certificate(String subject, KeyPair subjectKeys, String issuer, KeyPair issuerKeys, boolean ca,
                                               String ip) throws Exception {
        Instant now = Instant.now();
        var b = new JcaX509v3CertificateBuilder(new X500Name(issuer), BigInteger.valueOf(now.toEpochMilli()),
                Date.from(now.minusSeconds(60)), Date.from(now.plusSeconds(3600)), new X500Name(subject), subjectKeys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(ca));
        if (ip != null) {
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName(GeneralName.iPAddress, ip)));
        }
        return new JcaX509CertificateConverter().getCertificate(
                b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKeys.getPrivate())));
    }

    private static String pem(Object o) throws Exception {
        var out = new StringWriter();
        try (var w = new JcaPEMWriter(out)) {
            w.writeObject(o);
        }
        return out.toString();
    }

}
