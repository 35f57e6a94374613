package dev.plinth.api;

import static dev.plinth.api.TestPlinth.admin;
import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Adding an issuer is a data write: an RS256 identity provider whose public keys are served
 * as a JWKS by a real HTTP server on loopback is accepted as soon as its document exists.
 */
class IdentityProvidersAsDataTest {

    private static final String ISSUER = "https://idp.loopback.test";

    @Test
    void anIssuerAddedAsDataIsAcceptedAndItsUnknownKeysAreNot() throws Exception {
        RSAKey key = new RSAKeyGenerator(2048).keyID("k1").generate();
        RSAKey stranger = new RSAKeyGenerator(2048).keyID("k2").generate();
        HttpServer jwks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        byte[] body = new JWKSet(key.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
        jwks.createContext("/jwks.json", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        jwks.start();
        try (var plinth = TestPlinth.start(IdentityProvidersAsDataTest.class)) {
            var headers = Map.of("Authorization", "Bearer " + rs256(key, "ext-123"), "X-Tenant-Id", "t_system", "X-Env", "dev");
            assertThat(plinth.get("/v1/context", headers).statusCode()).as("unknown issuer").isEqualTo(401);

            String url = "http://127.0.0.1:" + jwks.getAddress().getPort() + "/jwks.json";
            assertThat(plinth.send("POST", "/v1/admin/identity_providers", admin(), "{\"id\": \"loopback\", \"issuer\": \""
                    + ISSUER + "\", \"audience\": \"plinth\", \"algorithm\": \"RS256\", \"jwks_url\": \"" + url + "\"}").statusCode()).isEqualTo(201);
            assertThat(plinth.send("POST", "/v1/admin/users", admin(), "{\"id\": \"u_ext\", \"identities\": [{\"issuer\": \""
                    + ISSUER + "\", \"subject\": \"ext-123\"}]}").statusCode()).isEqualTo(201);
            var member = plinth.send("POST", "/v1/admin/tenants/t_system/members", admin(), "{\"id\": \"u_ext\", \"roles\": [\"viewer\"]}");
            String revision = new com.fasterxml.jackson.databind.ObjectMapper().readTree(member.body()).path("revision").asText();

            var accepted = plinth.get("/v1/context", TestPlinth.with(headers, "X-Min-Revision", revision));
            assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(200);
            assertThat(accepted.body()).contains("\"user_id\":\"u_ext\"");

            var forged = Map.of("Authorization", "Bearer " + rs256(stranger, "ext-123"), "X-Tenant-Id", "t_system", "X-Env", "dev");
            assertThat(plinth.get("/v1/context", forged).statusCode()).as("key not in the JWKS").isEqualTo(401);
        } finally {
            jwks.stop(0);
        }
    }

    private static String rs256(RSAKey key, String subject) throws Exception {
        Instant now = Instant.now();
        var jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(key.getKeyID()).build(),
                new JWTClaimsSet.Builder().issuer(ISSUER).audience("plinth").subject(subject)
                        .expirationTime(Date.from(now.plusSeconds(600))).build());
        jwt.sign(new RSASSASigner(key));
        return jwt.serialize();
    }
}
