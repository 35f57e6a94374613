package dev.plinth.api;

import static dev.plinth.api.TestPlinth.admin;
import static dev.plinth.api.TestPlinth.as;
import static dev.plinth.api.TestPlinth.with;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plinth.testing.RestartableFirestore;
import dev.plinth.testing.RestartableRedis;
import dev.plinth.testing.TestInfra;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/**
 * Redis frozen mid-write (SIGSTOP): the write that was sent answers 504 OUTCOME_UNKNOWN, the
 * writes after it are refused before they are sent (503 BACKEND_UNAVAILABLE, and truly
 * nothing is applied when Redis resumes), and a retry of the unknown one with its
 * Idempotency-Key answers its real outcome without applying it twice. Before, five debits
 * answered 503 and all five were applied on resume. The same for a Firestore resource: a
 * write that timed out before its commit was sent answers 503 and never lands, not even when
 * the client's own retries run after the emulator resumes.
 */
class TruthfulOutcomesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void aFrozenRedisNeverTurnsA503IntoAWrite() throws Exception {
        try (var redis = new RestartableRedis(); var plinth = TestPlinth.start(TruthfulOutcomesTest.class)) {
            plinth.send("POST", "/v1/admin/backends", admin(), "{\"id\": \"redis_frozen\", \"type\": \"redis\", \"settings\": "
                    + "{\"host\": \"127.0.0.1\", \"port\": " + redis.port() + "}}");
            String rev = JSON.readTree(plinth.send("POST", "/v1/admin/routes", admin(),
                    "{\"id\": \"frozen_budgets\", \"kind\": \"budgets\", \"tenant\": \"t_system\", \"backend\": \"redis_frozen\"}").body())
                    .path("revision").asText();
            var h = with(as("u_admin", "t_system", "dev"), "X-Min-Revision", rev);
            assertThat(plinth.send("POST", "/v1/resources/budgets/b/credit", h, "{\"amount\": 1000}").statusCode()).isEqualTo(200);

            redis.pause();
            HttpResponse<String> sent;
            var keyed = with(h, "Idempotency-Key", "the-unknown-one");
            try {
                sent = plinth.send("POST", "/v1/resources/budgets/b/debit", keyed, "{\"amount\": 100}");
                assertThat(sent.statusCode()).as(sent.body()).isEqualTo(504);
                assertThat(JSON.readTree(sent.body()).path("code").asText()).isEqualTo("OUTCOME_UNKNOWN");
                for (int i = 0; i < 5; i++) {
                    var refused = plinth.send("POST", "/v1/resources/budgets/b/debit", h, "{\"amount\": 100}");
                    assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
                    assertThat(JSON.readTree(refused.body()).path("code").asText()).isEqualTo("BACKEND_UNAVAILABLE");
                }
            } finally {
                redis.resume();
            }

            // The sent debit ran when Redis resumed; the five refused ones never did.
            var retry = plinth.send("POST", "/v1/resources/budgets/b/debit", keyed, "{\"amount\": 100}");
            assertThat(retry.statusCode()).as(retry.body()).isEqualTo(200);
            assertThat(JSON.readTree(retry.body()).path("remaining").asLong()).isEqualTo(900);
            assertThat(JSON.readTree(plinth.get("/v1/resources/budgets/b", h).body()).path("remaining").asLong()).isEqualTo(900);
        }
    }

    @Test
    void aFrozenFirestoreNeverTurnsA503IntoAWrite() throws Exception {
        String project = TestInfra.newProjectId(TruthfulOutcomesTest.class);
        try (var firestore = new RestartableFirestore(project);
             var plinth = TestPlinth.startOn(project, java.nio.file.Files.createTempDirectory("plinth-frozen"), firestore.host())) {
            var h = as("u_admin", "t_system", "dev");
            assertThat(plinth.send("PUT", "/v1/resources/memory/before", h, "{\"n\": 1}").statusCode()).isEqualTo(200);

            firestore.pause();
            HttpResponse<String> during;
            try {
                during = plinth.send("PUT", "/v1/resources/memory/during", with(h, "Idempotency-Key", "frozen-put"), "{\"n\": 2}");
            } finally {
                firestore.resume();
            }
            // Frozen before the request: the transaction's first read never came back, so its commit
            // was never sent, and the abandoned body refuses every later retry of the client.
            assertThat(during.statusCode()).as(during.body()).isEqualTo(503);
            assertThat(JSON.readTree(during.body()).path("code").asText()).isEqualTo("BACKEND_UNAVAILABLE");
            var after = plinth.get("/v1/resources/memory/during", h);
            assertThat(after.statusCode()).as("a 503 wrote nothing, even after the emulator resumed: " + after.body()).isEqualTo(404);
            // The retry with the key writes it, once.
            var retry = plinth.send("PUT", "/v1/resources/memory/during", with(h, "Idempotency-Key", "frozen-put"), "{\"n\": 2}");
            assertThat(retry.statusCode()).as(retry.body()).isEqualTo(200);
            assertThat(JSON.readTree(plinth.get("/v1/resources/memory/during", h).body()).path("n").asInt()).isEqualTo(2);
        }
    }
}
