package dev.plinth.api;

import static dev.plinth.api.TestPlinth.admin;
import static dev.plinth.api.TestPlinth.as;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plinth.testing.RestartableRedis;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * A routed backend's credential goes through the secrets contract: a password-protected
 * redis-server is reachable only with the password its backend record maps to a logical
 * secret, and the password never appears in an answer.
 */
class BackendCredentialsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String PASSWORD = "redis-pass-7f3a9c0e";

    @Test
    void theRedisPasswordComesFromTheSecretResolver() throws Exception {
        try (var redis = new RestartableRedis(PASSWORD); var plinth = TestPlinth.start(BackendCredentialsTest.class)) {
            // The replica's secrets file gets the password under a reference the mapping names.
            Files.writeString(plinth.home.resolve("secrets.json"),
                    "{\"dev_jwt_signing_key\": \"" + TestPlinth.KEY + "\", \"redis_locked\": \"" + PASSWORD + "\", \"wrong\": \"nope\"}");
            plinth.send("POST", "/v1/admin/secrets", admin(), "{\"id\": \"locked_password\", \"provider\": \"file\", \"reference\": \"redis_locked\"}");
            plinth.send("POST", "/v1/admin/secrets", admin(), "{\"id\": \"wrong_password\", \"provider\": \"file\", \"reference\": \"wrong\"}");
            for (String[] b : new String[][] {{"redis_locked", "locked_password"}, {"redis_wrong", "wrong_password"}}) {
                var r = plinth.send("POST", "/v1/admin/backends", admin(), "{\"id\": \"" + b[0] + "\", \"type\": \"redis\", \"settings\": "
                        + "{\"host\": \"127.0.0.1\", \"port\": " + redis.port() + "}, \"secrets\": {\"password\": \"" + b[1] + "\"}}");
                assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
            }
            plinth.send("POST", "/v1/admin/routes", admin(), "{\"id\": \"locked\", \"kind\": \"memory\", \"tenant\": \"t_system\", \"backend\": \"redis_locked\"}");
            String rev = JSON.readTree(plinth.send("POST", "/v1/admin/routes", admin(),
                    "{\"id\": \"wrong\", \"kind\": \"seo\", \"tenant\": \"t_system\", \"backend\": \"redis_wrong\"}").body()).path("revision").asText();
            var headers = TestPlinth.with(as("u_admin", "t_system", "dev"), "X-Min-Revision", rev);

            var ok = plinth.send("PUT", "/v1/resources/memory/secret-safe", headers, "{\"x\": 1}");
            assertThat(ok.statusCode()).as(ok.body()).isEqualTo(200);
            var refused = plinth.send("PUT", "/v1/resources/seo/page", headers, "{\"x\": 1}");
            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
            assertThat(refused.body()).doesNotContain(PASSWORD).doesNotContain("nope");
            assertThat(plinth.get("/v1/routes/memory", headers).body()).contains("locked_password").doesNotContain(PASSWORD);
        }
    }
}
