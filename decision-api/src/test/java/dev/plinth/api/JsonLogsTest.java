package dev.plinth.api;

import static dev.plinth.api.TestPlinth.admin;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plinth.api.logging.JsonLogFormatter;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code PLINTH_LOG_FORMAT=json}: every record one JSON object on one line, and a record made
 * while serving a request carries that request's id — the caller's {@code X-Request-Id} when it
 * is a plain token (echoed), a fresh one when it is not (a header cannot inject into the log).
 */
class JsonLogsTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void recordsAreOneObjectPerLineWithTheRequestId() throws Exception {
        var formatter = new JsonLogFormatter();
        try (var logs = dev.plinth.testing.LogCapture.on("", formatter::format);
             var plinth = TestPlinth.start(JsonLogsTest.class)) {
            var write = plinth.send("POST", "/v1/admin/modes", TestPlinth.with(admin(), "X-Request-Id", "req-42.a"), "{\"id\": \"logged\"}");
            assertThat(write.statusCode()).as(write.body()).isEqualTo(201);
            assertThat(write.headers().firstValue("X-Request-Id")).contains("req-42.a");

            var injected = plinth.send("POST", "/v1/admin/modes", TestPlinth.with(admin(), "X-Request-Id", "x\" \"severity\":\"ERROR"),
                    "{\"id\": \"logged2\"}");
            String fresh = injected.headers().firstValue("X-Request-Id").orElseThrow();
            assertThat(fresh).as("not the caller's").doesNotContain("\"").hasSize(36);
            assertThat(plinth.get("/health/live", java.util.Map.of()).headers().firstValue("X-Request-Id")).isPresent();

            List<String> lines = logs.lines();
            List<JsonNode> parsed = lines.stream().map(JsonLogsTest::parse).toList();
            assertThat(lines).allMatch(l -> l.endsWith(System.lineSeparator()) && l.indexOf('\n') == l.length() - 1);
            assertThat(parsed).allSatisfy(n -> assertThat(n.has("time") && n.has("severity") && n.has("logger") && n.has("message")).isTrue());
            assertThat(parsed).anySatisfy(n -> {
                assertThat(n.path("request_id").asText()).isEqualTo("req-42.a");
                assertThat(n.path("severity").asText()).isEqualTo("INFO");
                assertThat(n.path("message").asText()).contains("control-plane write POST /v1/admin/modes by u_admin acknowledged at revision modes:");
            });
            assertThat(parsed).anySatisfy(n -> assertThat(n.path("request_id").asText()).isEqualTo(fresh));
        }
    }

    private static JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        } catch (Exception e) {
            throw new AssertionError("not one JSON object: " + line, e);
        }
    }
}
