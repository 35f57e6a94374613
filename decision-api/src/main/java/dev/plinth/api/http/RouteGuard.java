package dev.plinth.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plinth.api.context.Decisions;
import dev.plinth.api.context.ProblemException;
import dev.plinth.api.context.RequestContext;
import dev.plinth.datasync.model.Json;
import dev.plinth.engine.api.PolicyEngine;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import java.util.List;
import java.util.function.Supplier;

/**
 * Wraps each protected route: parses the JSON body (400 {@code MALFORMED_REQUEST} when it
 * is not JSON), then asks {@code plinth/authz/route} whether the resolved context may use
 * this route with this body and path ({@code CONTEXT_MISMATCH}, admin rights). Handlers
 * never compare tenant ids themselves.
 */
final class RouteGuard {

    static final String ENTRYPOINT = "plinth/authz/route";

    private final Supplier<PolicyEngine> engine;

    RouteGuard(Supplier<PolicyEngine> engine) {
        this.engine = engine;
    }

    Handler guard(RouteSpec spec) {
        return (req, res) -> {
            RequestContext context = ContextFilter.context(req);
            JsonNode body = body(req);
            var call = new RouteSpec.Call(spec, context, req, body);
            authorize(spec, call);
            refuseUnknownQuery(spec, req);
            spec.handler().handle(call, res);
        };
    }

    /**
     * A query parameter the route does not take is refused rather than ignored: a client
     * asking for {@code ?limit=10} must learn that it got the default page size. Checked
     * after the route policy, so a caller without rights learns nothing about the route.
     */
    private static void refuseUnknownQuery(RouteSpec spec, ServerRequest req) {
        List<String> known = spec.queryNames();
        for (String name : req.query().names()) {
            if (!known.contains(name)) {
                throw new ProblemException(400, "MALFORMED_REQUEST", "unknown query parameter '" + name + "': "
                        + spec.method().text() + " " + spec.path() + " takes "
                        + (known.isEmpty() ? "none" : String.join(", ", known)));
            }
        }
    }

    private static JsonNode body(ServerRequest req) {
        if (!req.content().hasEntity()) {
            return null;
        }
        // Binary uploads (policy bundles) are read by their handler; everything else is JSON.
        String type = req.headers().first(io.helidon.http.HeaderNames.CONTENT_TYPE).orElse("");
        if (type.startsWith("application/gzip") || type.startsWith("application/octet-stream")
                || type.startsWith("application/x-gzip")) {
            return null;
        }
        String text = req.content().as(String.class);
        if (text.isBlank()) {
            return null;
        }
        try {
            return Json.MAPPER.readTree(text);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new ProblemException(400, "MALFORMED_REQUEST", "the request body is not valid JSON: "
                    + e.getOriginalMessage());
        }
    }

    private void authorize(RouteSpec spec, RouteSpec.Call call) {
        var json = Json.MAPPER;
        ObjectNode input = json.createObjectNode();
        input.set("context", json.valueToTree(call.context()));
        input.putObject("route").put("admin", spec.admin()).put("kind", spec.kind()).put("action", spec.action());
        ObjectNode target = input.putObject("target");
        if (spec.targetParam() != null && call.param(spec.targetParam()) != null) {
            target.put("tenant_id", call.param(spec.targetParam()));
        }
        ObjectNode body = input.putObject("body");
        if (call.body() != null && call.body().isObject()) {
            copyText(call.body(), body, "tenant_id");
            copyText(call.body(), body, "env");
        }
        // The input is a pure function of these values, so the decision can be cached by them.
        var key = new RouteKey(call.context(), spec.method().text() + " " + spec.path(), target.path("tenant_id").asText(null),
                body.path("tenant_id").asText(null), body.path("env").asText(null));
        Decisions.enforce(ENTRYPOINT, () -> engine.get().evaluateCached(ENTRYPOINT, key, () -> input));
    }

    private record RouteKey(RequestContext context, String route, String targetTenant, String bodyTenant, String bodyEnv) {}

    private static void copyText(JsonNode from, ObjectNode to, String field) {
        JsonNode v = from.get(field);
        if (v != null && !v.isNull()) {
            to.put(field, v.asText());
        }
    }
}
