package dev.plinth.api;

import static dev.plinth.api.TestPlinth.admin;
import static dev.plinth.api.TestPlinth.as;
import static dev.plinth.api.TestPlinth.with;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Request limits (bootstrap settings, small here): a JSON body over the limit is 413 before it
 * is parsed, and a caller the route policy refuses is refused before its body is read at all;
 * oversized headers are 431 problem+json; a wrong method is 405 naming the allowed ones;
 * lenient JSON (trailing data, invalid UTF-8, a number beyond a double, a duplicated key) is
 * 400; a connection that stalls mid-request is closed; connections beyond the cap are refused.
 */
class RequestLimitsTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static TestPlinth plinth;

    @BeforeAll
    static void start() throws Exception {
        plinth = TestPlinth.startWith(RequestLimitsTest.class, Map.of(
                "PLINTH_MAX_JSON_BYTES", "65536", "PLINTH_MAX_BODY_BYTES", "1048576", "PLINTH_MAX_HEADER_BYTES", "8192",
                "PLINTH_IDLE_TIMEOUT_SECONDS", "2", "PLINTH_HEADER_TIMEOUT_SECONDS", "1", "PLINTH_MAX_CONNECTIONS", "16"));
        plinth.send("POST", "/v1/admin/users", admin(), "{\"id\": \"u_looker\", \"identities\": [{\"issuer\": \""
                + TestPlinth.DEV_ISSUER + "\", \"subject\": \"u_looker\"}]}");
        plinth.send("POST", "/v1/admin/tenants/t_system/members", admin(), "{\"id\": \"u_looker\", \"roles\": [\"viewer\"]}");
    }

    @AfterAll
    static void stop() throws Exception {
        plinth.close();
    }

    private static String code(HttpResponse<String> r) throws Exception {
        assertThat(r.headers().firstValue("Content-Type").orElse("")).as(r.body()).contains("problem+json");
        return JSON.readTree(r.body()).path("code").asText();
    }

    @Test
    void aJsonBodyOverTheLimitIs413() throws Exception {
        var r = plinth.send("PUT", "/v1/resources/memory/big", admin(), "{\"x\": \"" + "a".repeat(70_000) + "\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(413);
        assertThat(code(r)).isEqualTo("PAYLOAD_TOO_LARGE");
        // Expect: 100-continue, as a careful client sends a large upload: the listener refuses on
        // the declared length before any body byte. Without it the client may still be writing
        // when the server answers and closes, and the reset can discard the 413 (a TCP race, not
        // a refusal that did not happen; seen once in a full run).
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + plinth.server.port() + "/v1/policies/bundles/big"))
                .expectContinue(true).PUT(HttpRequest.BodyPublishers.ofString("x".repeat(1_100_000)))
                .header("Content-Type", "application/gzip");
        admin().forEach(request::header);
        var any = HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(any.statusCode()).as("over the listener's limit, whatever the route").isEqualTo(413);
    }

    @Test
    void theRoutePolicyRunsBeforeTheBodyIsRead() throws Exception {
        var viewer = with(as("u_looker", "t_system", "dev"), "X-Min-Revision", "members:0");
        var r = plinth.send("POST", "/v1/admin/tenants", viewer, "{ not json at all " + "x".repeat(60_000));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
        assertThat(code(r)).isEqualTo("FORBIDDEN");
    }

    @Test
    void oversizedHeadersAre431ProblemJson() throws Exception {
        var r = plinth.get("/v1/context", with(admin(), "X-Padding", "p".repeat(10_000)));
        assertThat(r.statusCode()).as(r.headers().map() + " " + r.body()).isEqualTo(431);
        assertThat(code(r)).isEqualTo("HEADERS_TOO_LARGE");
    }

    @Test
    void anAnonymousCallerIsToldAtOnceAndNotHeldForARevision() throws Exception {
        var r = plinth.get("/v1/context", Map.of("X-Tenant-Id", "t_system", "X-Env", "dev", "X-Min-Revision", "members:9999999999999999"));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(401);
        assertThat(code(r)).isEqualTo("UNAUTHENTICATED");
    }

    @Test
    void aWrongMethodIs405NamingTheAllowedOnes() throws Exception {
        var r = plinth.send("PATCH", "/v1/resources/memory/x", admin(), "{}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(405);
        assertThat(code(r)).isEqualTo("METHOD_NOT_ALLOWED");
        assertThat(r.headers().firstValue("Allow")).hasValue("DELETE, GET, PUT");
        assertThat(plinth.send("PATCH", "/v1/nowhere", admin(), "{}").statusCode()).isEqualTo(404);
    }

    @Test
    void lenientJsonIsRefused() throws Exception {
        for (String body : List.of("{\"a\": 1} trailing", "{\"a\": 1e999999999}", "{\"a\": 1, \"a\": 2}")) {
            var r = plinth.send("PUT", "/v1/resources/memory/strict", admin(), body);
            assertThat(r.statusCode()).as(body + " -> " + r.body()).isEqualTo(400);
            assertThat(code(r)).isEqualTo("MALFORMED_REQUEST");
        }
        var request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + plinth.server.port() + "/v1/resources/memory/strict"))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'}))
                .header("Content-Type", "application/json");
        admin().forEach(request::header);
        var invalidUtf8 = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(invalidUtf8.statusCode()).isEqualTo(400);
        assertThat(invalidUtf8.body()).contains("UTF-8");
        assertThat(plinth.get("/v1/resources/memory/strict", admin()).statusCode()).as("nothing was stored").isEqualTo(404);
    }

    @Test
    void anIdleConnectionIsClosed() throws Exception {
        try (var socket = new Socket("127.0.0.1", plinth.server.port())) {
            socket.setSoTimeout(30_000); // a bound for the test, far above the server's 2 s
            OutputStream out = socket.getOutputStream();
            out.write("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] answer = in.readAllBytes(); // returns once the server closes the kept-alive connection
            assertThat(new String(answer, StandardCharsets.US_ASCII)).startsWith("HTTP/1.1 200");
        }
    }

    @Test
    void aClientTricklingItsHeadersIsCutOff() throws Exception {
        try (var socket = new Socket("127.0.0.1", plinth.server.port())) {
            socket.setSoTimeout(30_000); // a bound for the test, far above the server's 1 s
            OutputStream out = socket.getOutputStream();
            out.write("GET /health/live HTTP/1.1\r\nHost: x\r\nX-Slow: ".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // A byte now and then keeps the connection from ever being idle; the headers never end.
            var trickle = Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        Thread.sleep(100);
                        out.write('a');
                        out.flush();
                    }
                } catch (Exception closed) {
                    // the server closed the connection: what the test waits for
                }
            });
            int first;
            try {
                first = socket.getInputStream().read(); // -1 once the server closes it
            } catch (java.net.SocketException reset) {
                first = -1; // closed while bytes were in flight: a reset
            }
            assertThat(first).as("no answer, only the connection closed").isEqualTo(-1);
            trickle.join(30_000);
            assertThat(trickle.isAlive()).as("writes fail once the server has closed the connection").isFalse();
        }
        assertThat(plinth.get("/health/live", admin()).statusCode()).as("the server still answers others").isEqualTo(200);
    }

    @Test
    void connectionsBeyondTheCapWaitForAFreeSlot() throws Exception {
        var open = new ArrayList<Socket>();
        try {
            for (int i = 0; i < 16; i++) {
                open.add(new Socket("127.0.0.1", plinth.server.port()));
            }
            try (var extra = new Socket("127.0.0.1", plinth.server.port())) {
                extra.getOutputStream().write("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                extra.setSoTimeout(300);
                assertThat(org.junit.jupiter.api.Assertions.assertThrows(java.net.SocketTimeoutException.class,
                        () -> extra.getInputStream().read())).as("not served while the cap is reached").isNotNull();
                open.remove(0).close();
                extra.setSoTimeout(30_000);
                byte[] head = extra.getInputStream().readNBytes(12);
                assertThat(new String(head, StandardCharsets.US_ASCII)).isEqualTo("HTTP/1.1 200");
            }
        } finally {
            for (Socket s : open) {
                s.close();
            }
        }
    }
}
