package dev.plinth.api;

import static dev.plinth.api.TestPlinth.admin;
import static dev.plinth.api.TestPlinth.with;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Instant;
import java.util.Date;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Identity cannot be hijacked: an (issuer, subject) belongs to one user and an issuer to one
 * identity provider (409 for a second claim, which would otherwise take over u_admin); a
 * rotated signing key cuts off the tokens the old key signed even while they are cached; and
 * a token may not outlive its issuer's maximum lifetime (an exp in 2200 is 401).
 */
class IdentityIntegrityTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ISSUER = "https://rotating.test";
    private static TestPlinth plinth;

    @BeforeAll
    static void start() throws Exception {
        plinth = TestPlinth.start(IdentityIntegrityTest.class);
    }

    @AfterAll
    static void stop() throws Exception {
        plinth.close();
    }

    @Test
    void aSecondClaimOnAnIdentityOrAnIssuerIsRefused() throws Exception {
        var thief = plinth.send("POST", "/v1/admin/users", admin(), "{\"id\": \"u_thief\", \"identities\": [{\"issuer\": \""
                + TestPlinth.DEV_ISSUER + "\", \"subject\": \"u_admin\"}]}");
        assertThat(thief.statusCode()).as(thief.body()).isEqualTo(409);
        assertThat(thief.body()).contains("users/u_admin");
        TestPlinth.revisionOf(plinth.send("POST", "/v1/admin/users", admin(), "{\"id\": \"u_thief\"}"));
        var replaced = plinth.send("PUT", "/v1/admin/users/u_thief", admin(), "{\"identities\": [{\"subject\": \"u_admin\", \"issuer\": \""
                + TestPlinth.DEV_ISSUER + "\"}]}");
        assertThat(replaced.statusCode()).as("nor by a replace, in any key order").isEqualTo(409);

        TestPlinth.revisionOf(plinth.send("POST", "/v1/admin/secrets", admin(), "{\"id\": \"other_key\", \"provider\": \"file\", \"reference\": \"other\"}"));
        var idp = plinth.send("POST", "/v1/admin/identity_providers", admin(), "{\"id\": \"impostor\", \"issuer\": \""
                + TestPlinth.DEV_ISSUER + "\", \"audience\": \"plinth\", \"algorithm\": \"HS256\", \"key_secret\": \"other_key\"}");
        assertThat(idp.statusCode()).as(idp.body()).isEqualTo(409);
        assertThat(idp.body()).contains("identity_providers/plinth-dev");
        // The real key still signs in.
        assertThat(plinth.get("/v1/context", admin()).statusCode()).isEqualTo(200);
    }

    @Test
    void aRotatedKeyCutsOffItsCachedTokensAndLifetimesAreBounded() throws Exception {
        String k1 = "rotating-key-one-0123456789abcdef0123456789abcdef";
        String k2 = "rotating-key-two-0123456789abcdef0123456789abcdef";
        writeSecrets(k1);
        // Secrets are re-read at once (a TTL of 0), so a rotation is visible to the next request.
        ObjectNode system = (ObjectNode) JSON.readTree(plinth.get("/v1/admin/tenants/t_system", admin()).body());
        system.remove("id");
        ((ObjectNode) system.path("defaults")).put("secret_ttl_seconds", 0);
        TestPlinth.revisionOf(plinth.send("PUT", "/v1/admin/tenants/t_system", admin(), system.toString()));
        TestPlinth.revisionOf(plinth.send("POST", "/v1/admin/secrets", admin(), "{\"id\": \"rotating_key\", \"provider\": \"file\", \"reference\": \"rotating\"}"));
        TestPlinth.revisionOf(plinth.send("POST", "/v1/admin/identity_providers", admin(), "{\"id\": \"rotating\", \"issuer\": \"" + ISSUER
                + "\", \"audience\": \"plinth\", \"algorithm\": \"HS256\", \"key_secret\": \"rotating_key\", \"max_token_lifetime_seconds\": 3600}"));
        TestPlinth.revisionOf(plinth.send("POST", "/v1/admin/users", admin(), "{\"id\": \"u_rot\", \"identities\": [{\"issuer\": \"" + ISSUER
                + "\", \"subject\": \"u_rot\"}]}"));
        String rev = TestPlinth.revisionOf(plinth.send("POST", "/v1/admin/tenants/t_system/members", admin(), "{\"id\": \"u_rot\", \"roles\": [\"viewer\"]}"));

        String old = token(k1, 600, 0);
        assertThat(get(old, rev).statusCode()).isEqualTo(200);
        assertThat(get(old, rev).statusCode()).as("served from the token cache").isEqualTo(200);
        writeSecrets(k2);
        var cut = get(old, rev);
        assertThat(cut.statusCode()).as("the old key's cached token after the rotation: " + cut.body()).isEqualTo(401);
        assertThat(get(token(k2, 600, 0), rev).statusCode()).isEqualTo(200);

        var eternal = get(token(k2, 5_000_000_000L, 0), rev);
        assertThat(eternal.statusCode()).as("exp in 2160+: " + eternal.body()).isEqualTo(401);
        assertThat(eternal.body()).contains("3600");
        var backdated = get(token(k2, 600, 7200), rev);
        assertThat(backdated.statusCode()).as("issued two hours ago, valid for ten more minutes").isEqualTo(401);
    }

    private static HttpResponse<String> get(String token, String revision) throws Exception {
        return plinth.get("/v1/context", with(Map.of("Authorization", "Bearer " + token, "X-Tenant-Id", "t_system", "X-Env", "dev"),
                "X-Min-Revision", revision));
    }

    private static void writeSecrets(String rotating) throws Exception {
        Files.writeString(plinth.home.resolve("secrets.json"), "{\"dev_jwt_signing_key\": \"" + TestPlinth.KEY
                + "\", \"rotating\": \"" + rotating + "\", \"other\": \"" + rotating + "-other\"}");
    }

    /** A token that expires {@code lifetime} seconds after its issue time, issued {@code agoSeconds} ago. */
    private static String token(String key, long lifetime, long agoSeconds) throws Exception {
        Instant issued = Instant.now().minusSeconds(agoSeconds);
        return TestPlinth.sign(c -> c.issuer(ISSUER).subject("u_rot").issueTime(Date.from(issued))
                .expirationTime(Date.from(issued.plusSeconds(lifetime))), key);
    }
}
