package dev.plinth.api;

import static dev.plinth.api.TestPlinth.admin;
import static dev.plinth.api.TestPlinth.as;
import static dev.plinth.api.TestPlinth.with;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plinth.testing.TestInfra;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

/**
 * Two replicas on one emulator: a write acknowledged by replica A, with A's revision token in
 * X-Min-Revision, is seen by replica B's very next decision — grants and revocations alike.
 */
class ReplicaConsistencyTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aRevocationThroughOneReplicaIsEnforcedByTheOtherWithTheRevisionToken() throws Exception {
        String project = TestInfra.newProjectId(ReplicaConsistencyTest.class);
        try (var a = TestPlinth.startOn(project, Files.createTempDirectory("plinth-a"));
             var b = TestPlinth.startOn(project, Files.createTempDirectory("plinth-b"))) {
            a.send("POST", "/v1/admin/tenants", admin(), "{\"id\": \"t_shared\", \"allowed_envs\": [\"dev\"]}");
            a.send("POST", "/v1/admin/users", admin(), "{\"id\": \"u_eve\", \"identities\": [{\"issuer\": \""
                    + TestPlinth.DEV_ISSUER + "\", \"subject\": \"u_eve\"}]}");
            var eve = as("u_eve", "t_shared", "dev");
            for (int round = 0; round < 10; round++) {
                var grant = a.send("POST", "/v1/admin/tenants/t_shared/members", admin(), "{\"id\": \"u_eve\", \"roles\": [\"member\"]}");
                assertThat(grant.statusCode()).as(grant.body()).isEqualTo(201);
                String granted = JSON.readTree(grant.body()).path("revision").asText();
                assertThat(b.get("/v1/context", with(eve, "X-Min-Revision", granted)).statusCode())
                        .as("round %d: grant visible on B", round).isEqualTo(200);

                var revoke = a.send("DELETE", "/v1/admin/tenants/t_shared/members/u_eve", admin(), null);
                assertThat(revoke.statusCode()).as(revoke.body()).isEqualTo(200);
                String revoked = JSON.readTree(revoke.body()).path("revision").asText();
                var denied = b.get("/v1/context", with(eve, "X-Min-Revision", revoked));
                assertThat(denied.statusCode()).as("round %d: revocation enforced on B", round).isEqualTo(403);
            }
        }
    }

    @Test
    void aTokenFromTheFutureIsRefusedAfterTheDataDefinedWait() throws Exception {
        try (var a = TestPlinth.start(ReplicaConsistencyTest.class)) {
            var far = with(admin(), "X-Min-Revision", "members:" + Long.MAX_VALUE);
            var response = a.get("/v1/context", far);
            assertThat(response.statusCode()).isEqualTo(503);
            assertThat(JSON.readTree(response.body()).path("code").asText()).isEqualTo("REVISION_NOT_REACHED");
            var malformed = a.get("/v1/context", with(admin(), "X-Min-Revision", "12345"));
            assertThat(malformed.statusCode()).isEqualTo(400);
        }
    }
}
