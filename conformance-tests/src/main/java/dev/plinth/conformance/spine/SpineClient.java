package dev.plinth.conformance.spine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/** HTTP only: the suite knows Plinth by its base URL and its published contract, nothing else. */
final class SpineClient {

    static final ObjectMapper JSON = new ObjectMapper();

    record Answer(int status, String body, Map<String, java.util.List<String>> headers) {
        JsonNode json() {
            try {
                return body.isEmpty() ? JSON.createObjectNode() : JSON.readTree(body);
            } catch (IOException e) {
                return JSON.createObjectNode().put("unparsed", body);
            }
        }

        /** The problem's {@code code}, or null when the answer is not a problem. */
        String code() {
            return json().path("code").isTextual() ? json().path("code").asText() : null;
        }

        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).findFirst()
                    .map(e -> e.getValue().getFirst()).orElse(null);
        }

        @Override
        public String toString() {
            return status + " " + (body.length() > 300 ? body.substring(0, 300) + "…" : body);
        }
    }

    static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + text, e);
        }
    }

    private final URI base;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    SpineClient(URI base) {
        this.base = base;
    }

    static Map<String, String> headers(String token, String tenant, String env) {
        var h = new LinkedHashMap<String, String>();
        if (token != null) {
            h.put("Authorization", "Bearer " + token);
        }
        if (tenant != null) {
            h.put("X-Tenant-Id", tenant);
        }
        if (env != null) {
            h.put("X-Env", env);
        }
        return h;
    }

    Answer send(String method, String path, Map<String, String> headers, String body) {
        var request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        headers.forEach(request::header);
        try {
            HttpResponse<String> r = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.body(), r.headers().map());
        } catch (IOException e) {
            throw new IllegalStateException(method + " " + base.resolve(path) + " failed: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    Answer get(String path, Map<String, String> headers) {
        return send("GET", path, headers, null);
    }

    /** Waits until {@code /health/ready} answers 200, for after a restart. */
    void awaitReady(Duration bound) {
        long deadline = System.nanoTime() + bound.toNanos();
        while (System.nanoTime() < deadline) {
            try {
                if (get("/health/ready", Map.of()).status() == 200) {
                    return;
                }
            } catch (IllegalStateException notYet) {
                // connection refused while the service restarts
            }
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        throw new IllegalStateException(base + "/health/ready did not answer 200 within " + bound.toSeconds() + " s");
    }
}
