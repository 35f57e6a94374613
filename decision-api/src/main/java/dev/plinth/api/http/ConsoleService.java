package dev.plinth.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import dev.plinth.datasync.model.Json;
import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * {@code /console}: the operators' console, static files the server serves from its class
 * path (no second server, no build step). The page calls only the documented API with the
 * operator's token, so every view and change is authorized by the same policies as any
 * client. The one thing it adds is the dev sign-in ({@code /console/dev-sign-in}), which exists
 * only while data enables a dev identity provider and answers only a caller on this machine
 * (loopback): it mints what {@code plinth token} mints.
 */
public final class ConsoleService implements HttpService {

    /** The files, by name: nothing else under {@code console/} on the class path is served. */
    private static final Map<String, String> FILES = Map.of(
            "index.html", "text/html; charset=utf-8",
            "console.js", "text/javascript; charset=utf-8",
            "console.css", "text/css; charset=utf-8");
    private static final Duration DEV_TOKEN_TTL = Duration.ofHours(1);

    private final BiFunction<String, Duration, Optional<String>> devToken;
    private final java.util.function.BooleanSupplier devEnabled;
    private final Map<String, byte[]> files = new java.util.HashMap<>();

    /**
     * @param devToken   mints a dev token for a user id, or answers empty when data enables no dev identity provider
     * @param devEnabled whether data enables a dev identity provider now
     */
    public ConsoleService(BiFunction<String, Duration, Optional<String>> devToken, java.util.function.BooleanSupplier devEnabled) {
        this.devToken = devToken;
        this.devEnabled = devEnabled;
        FILES.keySet().forEach(name -> files.put(name, read(name)));
    }

    @Override
    public void routing(HttpRules rules) {
        rules.get("/", (req, res) -> file("index.html", res))
             .get("/dev-sign-in", (req, res) -> JsonResponses.send(res, 200, Json.MAPPER.createObjectNode()
                     .put("available", devEnabled.getAsBoolean() && loopback(req))))
             .post("/dev-sign-in", this::devSignIn)
             .get("/{file}", (req, res) -> {
                 String name = req.path().pathParameters().get("file");
                 if (!FILES.containsKey(name)) {
                     throw new ProblemException(404, "NOT_FOUND", "no console file " + name);
                 }
                 file(name, res);
             });
    }

    private void file(String name, ServerResponse res) {
        res.header(HeaderNames.CONTENT_TYPE, FILES.get(name));
        // The console runs only its own script: no inline code, no other origin, no framing.
        res.header(HeaderNames.create("Content-Security-Policy"),
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'");
        res.header(HeaderNames.create("X-Content-Type-Options"), "nosniff");
        res.header(HeaderNames.create("Referrer-Policy"), "no-referrer");
        res.header(HeaderNames.CACHE_CONTROL, "no-cache");
        res.send(files.get(name));
    }

    private void devSignIn(ServerRequest req, ServerResponse res) {
        if (!loopback(req)) {
            throw new ProblemException(403, "DEV_SIGN_IN_LOCAL_ONLY", "the dev sign-in answers only a browser on the server's machine");
        }
        JsonNode body = req.content().hasEntity() ? StrictJson.parse(req.content().as(byte[].class)) : null;
        String user = body == null ? null : body.path("user_id").asText(null);
        if (user == null || !dev.plinth.datasync.primitive.Kind.USERS.idPattern().matcher(user).matches()) {
            throw new ProblemException(400, "VALIDATION_FAILED", "user_id must be a user id matching "
                    + dev.plinth.datasync.primitive.Kind.USERS.idPattern().pattern() + ", such as u_admin");
        }
        String token = devToken.apply(user, DEV_TOKEN_TTL).orElseThrow(() -> new ProblemException(404, "DEV_SIGN_IN_OFF",
                "no identity provider with dev: true is enabled: sign in with a token from your identity provider"));
        JsonResponses.send(res, 200, Json.MAPPER.createObjectNode().put("token", token).put("user_id", user)
                .put("expires_in_seconds", DEV_TOKEN_TTL.toSeconds()));
    }

    private static boolean loopback(ServerRequest req) {
        return req.remotePeer().address() instanceof InetSocketAddress a && a.getAddress().isLoopbackAddress();
    }

    private static byte[] read(String name) {
        try (InputStream in = ConsoleService.class.getResourceAsStream("/console/" + name)) {
            if (in == null) {
                throw new IllegalStateException("console/" + name + " is missing from the class path");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
