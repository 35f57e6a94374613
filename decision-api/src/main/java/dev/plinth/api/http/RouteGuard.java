package dev.plinth.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plinth.core.context.Decisions;
import dev.plinth.core.context.RequestContext;
import dev.plinth.core.inputs.RouteInput;
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

    static final String ENTRYPOINT = RouteInput.ENTRYPOINT;

    private final Supplier<PolicyEngine> engine;
    private final dev.plinth.datasync.admin.AdminStore admin;

    private final long maxJsonBytes;

    /**
     * @param admin        where the facts of a membership write come from (its stored roles, the tenant's owners)
     * @param maxJsonBytes the largest JSON body read; larger is 413 before anything is parsed
     */
    RouteGuard(Supplier<PolicyEngine> engine, dev.plinth.datasync.admin.AdminStore admin, long maxJsonBytes) {
        this.engine = engine;
        this.admin = admin;
        this.maxJsonBytes = maxJsonBytes;
    }

    /**
     * The route policy runs twice when a request has a body: first on what the route needs
     * without it (who may use the route at all), so a caller without rights never makes the
     * server read or parse a large body; then with the body's facts (CONTEXT_MISMATCH, roles
     * a membership write grants). Both are cached decisions.
     */
    Handler guard(RouteSpec spec) {
        return (req, res) -> {
            RequestContext context = ContextFilter.context(req);
            if (req.content().hasEntity()) {
                authorize(spec, new RouteSpec.Call(spec, context, req, null), true);
            }
            JsonNode body = body(req);
            var call = new RouteSpec.Call(spec, context, req, body);
            authorize(spec, call, false);
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
                throw new dev.plinth.core.PlinthException.Invalid("MALFORMED_REQUEST", "unknown query parameter '" + name + "': "
                        + spec.method().text() + " " + spec.path() + " takes "
                        + (known.isEmpty() ? "none" : String.join(", ", known)));
            }
        }
    }

    private JsonNode body(ServerRequest req) {
        if (!req.content().hasEntity()) {
            return null;
        }
        // Binary uploads (policy bundles) are read by their handler; everything else is JSON.
        String type = req.headers().first(io.helidon.http.HeaderNames.CONTENT_TYPE).orElse("");
        if (type.startsWith("application/gzip") || type.startsWith("application/octet-stream")
                || type.startsWith("application/x-gzip")) {
            return null;
        }
        return StrictJson.parse(bounded(req));
    }

    /** The body's bytes, refusing (413) as soon as they exceed the JSON limit: a declared length first, then as read. */
    private byte[] bounded(ServerRequest req) {
        long declared = req.headers().contentLength().orElse(-1);
        if (declared > maxJsonBytes) {
            throw tooLarge(declared);
        }
        try (var in = req.content().inputStream()) {
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxJsonBytes + 1));
            if (bytes.length > maxJsonBytes) {
                throw tooLarge(-1);
            }
            return bytes;
        } catch (java.io.IOException e) {
            throw new dev.plinth.core.PlinthException.Invalid("MALFORMED_REQUEST", "the request body could not be read: " + e.getMessage());
        }
    }

    private dev.plinth.core.PlinthException tooLarge(long declared) {
        return new dev.plinth.core.PlinthException.TooLarge("PAYLOAD_TOO_LARGE", "a JSON body may have at most " + maxJsonBytes + " bytes"
                + (declared > 0 ? "; this one declares " + declared : "") + " (PLINTH_MAX_JSON_BYTES)");
    }

    /** @param bodyPending the body is not read yet: the policy decides only what does not depend on it */
    private void authorize(RouteSpec spec, RouteSpec.Call call, boolean bodyPending) {
        RouteInput.Target target = RouteInput.Target.NONE;
        if (spec.targetParam() != null && call.param(spec.targetParam()) != null) {
            target = new RouteInput.Target(call.param(spec.targetParam()), null, null, null);
        }
        RouteInput.Body body = RouteInput.Body.NONE;
        if (call.body() != null && call.body().isObject()) {
            body = new RouteInput.Body(text(call.body(), "tenant_id"), text(call.body(), "env"), text(call.body(), "status"),
                    call.body().get("roles") instanceof com.fasterxml.jackson.databind.node.ArrayNode roles ? roles : null);
        }
        if ("members".equals(spec.kind()) && "write".equals(spec.action()) && admin != null && !bodyPending) {
            target = membershipFacts(call, target);
        }
        // The input is the decision-cache key: the decision is a pure function of it.
        var input = new RouteInput(bodyPending ? Boolean.TRUE : null, call.context(),
                new RouteInput.Route(spec.admin(), spec.kind(), spec.action(), spec.method().text()), target, body);
        Decisions.enforce(ENTRYPOINT, () -> engine.get().evaluateCached(ENTRYPOINT, input, () -> Json.MAPPER.valueToTree(input)));
    }

    /** The membership a write names, as stored, and how many active owners its tenant has. */
    private RouteInput.Target membershipFacts(RouteSpec.Call call, RouteInput.Target target) {
        String tenant = call.param("tenant");
        String id = call.param("id") != null ? call.param("id")
                : call.body() != null && call.body().path("id").isTextual() ? call.body().path("id").asText() : null;
        if (tenant == null || id == null || !dev.plinth.datasync.primitive.Kind.Ids.TENANT.matcher(tenant).matches()
                || !dev.plinth.datasync.primitive.Kind.MEMBERS.idPattern().matcher(id).matches()) {
            return target; // the handler refuses a malformed id; there is nothing stored to protect
        }
        var facts = admin.ownerFacts(tenant, id);
        return new RouteInput.Target(target.tenantId(), id, facts.activeOwners(), facts.membership());
    }


    private static String text(JsonNode from, String field) {
        JsonNode v = from.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }
}
