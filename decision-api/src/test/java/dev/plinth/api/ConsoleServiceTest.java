package dev.plinth.api;

import static dev.plinth.api.TestPlinth.admin;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Collections;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * What the console adds to the server, seen by an attacker: only its three files, each with a
 * policy that runs no other script and cannot be framed; a dev sign-in that answers only on
 * this machine, only while data enables a dev identity provider, only for a user id; and
 * its tokens are ordinary tokens the policies judge (an unknown user's is refused).
 */
class ConsoleServiceTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void servesOnlyItsFilesWithAStrictPolicy() throws Exception {
        try (var plinth = TestPlinth.start(ConsoleServiceTest.class)) {
            var page = plinth.get("/console/", Map.of());
            assertThat(page.statusCode()).isEqualTo(200);
            assertThat(page.headers().firstValue("Content-Security-Policy").orElse("")).contains("script-src 'self'")
                    .contains("frame-ancestors 'none'");
            assertThat(page.body()).contains("/console/console.js").doesNotContain("<script>");
            assertThat(plinth.get("/console/console.js", Map.of()).headers().firstValue("Content-Type")).hasValue("text/javascript; charset=utf-8");
            for (String probe : new String[] {"/console/..%2fplinth.properties", "/console/secrets.json", "/console/ConsoleService.class"}) {
                assertThat(plinth.get(probe, Map.of()).statusCode()).as(probe).isEqualTo(404);
            }
        }
    }

    @Test
    void theDevSignInMintsOnlyLocallyWhileDataEnablesIt() throws Exception {
        try (var plinth = TestPlinth.startWith(ConsoleServiceTest.class, Map.of("PLINTH_HOST", "0.0.0.0"))) {
            assertThat(JSON.readTree(plinth.get("/console/dev-sign-in", Map.of()).body()).path("available").asBoolean()).isTrue();
            var bad = plinth.send("POST", "/console/dev-sign-in", Map.of(), "{\"user_id\": \"../u_admin\"}");
            assertThat(bad.statusCode()).isEqualTo(400);
            var minted = plinth.send("POST", "/console/dev-sign-in", Map.of(), "{\"user_id\": \"u_nobody\"}");
            assertThat(minted.statusCode()).isEqualTo(200);
            String token = JSON.readTree(minted.body()).path("token").asText();
            var refused = plinth.get("/v1/context", Map.of("Authorization", "Bearer " + token, "X-Tenant-Id", "t_system", "X-Env", "dev"));
            assertThat(refused.statusCode()).as("a minted token is judged by the policies like any other").isEqualTo(403);

            // From another address of this machine: not loopback, refused.
            Optional<InetAddress> other = Collections.list(NetworkInterface.getNetworkInterfaces()).stream()
                    .flatMap(i -> Collections.list(i.getInetAddresses()).stream())
                    .filter(a -> a instanceof Inet4Address && !a.isLoopbackAddress()).findFirst();
            if (other.isPresent()) {
                var request = HttpRequest.newBuilder(URI.create("http://" + other.get().getHostAddress() + ":" + plinth.port()
                        + "/console/dev-sign-in")).POST(HttpRequest.BodyPublishers.ofString("{\"user_id\": \"u_admin\"}"))
                        .header("Content-Type", "application/json").build();
                var remote = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
                assertThat(remote.statusCode()).as(remote.body()).isEqualTo(403);
                assertThat(remote.body()).contains("DEV_SIGN_IN_LOCAL_ONLY").doesNotContain("token\"");
            }

            // Data turns the dev provider off: the sign-in is gone.
            var provider = plinth.get("/v1/admin/identity_providers/plinth-dev", admin());
            var off = JSON.readTree(provider.body());
            ((com.fasterxml.jackson.databind.node.ObjectNode) off).put("dev", false);
            String revision = TestPlinth.revisionOf(plinth.send("PUT", "/v1/admin/identity_providers/plinth-dev", admin(), off.toString()));
            org.awaitility.Awaitility.await("the replica sees the change").atMost(java.time.Duration.ofSeconds(10))
                    .until(() -> plinth.get("/v1/context", TestPlinth.with(admin(), "X-Min-Revision", revision)).statusCode() != 503);
            assertThat(JSON.readTree(plinth.get("/console/dev-sign-in", Map.of()).body()).path("available").asBoolean()).isFalse();
            var gone = plinth.send("POST", "/console/dev-sign-in", Map.of(), "{\"user_id\": \"u_admin\"}");
            assertThat(gone.statusCode()).isEqualTo(404);
            assertThat(gone.body()).contains("DEV_SIGN_IN_OFF");
        }
    }
}
