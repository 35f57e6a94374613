package dev.plinth.api.http;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plinth.core.resources.ResourceService;
import dev.plinth.datasync.model.Json;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.ServerResponse;
import java.util.List;

/**
 * {@code /v1/resources/{kind}/{key}} (GET, PUT, DELETE) and {@code /v1/resources/{kind}}
 * (list by prefix, paginated in key order) in the caller's tenant and env, on the backend
 * the routing spine chose. Responses name that backend in {@code X-Plinth-Backend}.
 */
final class ResourceRoutes {

    private static final io.helidon.http.HeaderName BACKEND = io.helidon.http.HeaderNames.create("X-Plinth-Backend");
    private static final io.helidon.http.HeaderName ROUTE = io.helidon.http.HeaderNames.create("X-Plinth-Route");

    static final RouteSpec.Param IDEMPOTENCY_KEY = RouteSpec.Param.header(dev.plinth.core.resources.Idempotency.HEADER,
            "a retry with the same key and body answers the first outcome and applies nothing twice; "
                    + "the same key with another body is 422 IDEMPOTENCY_KEY_REUSED");

    private final ResourceService resources;

    ResourceRoutes(ResourceService resources) {
        this.resources = resources;
    }

    List<RouteSpec> routes() {
        String item = "/v1/resources/{kind}/{key}";
        return List.of(
                new RouteSpec(Method.GET, "/v1/resources/{kind}", null, "read", false, null,
                        "List resources of a kind in the caller's tenant and env (key order)", null, this::list)
                        .with(RouteSpec.Param.query("prefix", "string", "only keys starting with this"),
                                AdminRoutes.PAGE_SIZE, AdminRoutes.PAGE_TOKEN),
                new RouteSpec(Method.GET, item, null, "read", false, null, "Read a resource", null, this::get),
                new RouteSpec(Method.PUT, item, null, "write", false, null, "Write a document (kinds of model document only; "
                        + "JSON; a body tenant_id/env must match the context)", "{\"enabled\": true}", this::put).with(IDEMPOTENCY_KEY),
                new RouteSpec(Method.DELETE, item, null, "write", false, null, "Delete a document (kinds of model document only)",
                        null, this::delete).with(IDEMPOTENCY_KEY),
                new RouteSpec(Method.POST, item + "/{op}", null, "write", false, null,
                        "Atomic operation of the kind's model: counter increment; lock acquire/renew/release (TTL, fencing token); "
                                + "budget debit/credit (never below zero); event_log append/range; rate_limit take "
                                + "(bodies and answers: docs/resources.md)", "{\"by\": 1}", this::operate).with(IDEMPOTENCY_KEY),
                new RouteSpec(Method.POST, "/v1/admin/tenants/{tenant}/copy", "copy", "write", true, "tenant",
                        "Copy a tenant's resources of one kind from one backend to another (before flipping its route); "
                                + "answers the counts per env",
                        "{\"kind\": \"feature_flags\", \"from_backend\": \"firestore_default\", \"to_backend\": \"redis_eu\"}",
                        this::copy));
    }

    private void get(RouteSpec.Call call, ServerResponse res) {
        var read = resources.get(call.context(), call.param("kind"), call.param("key"));
        placed(res, read.placement());
        String json = read.json().orElseThrow(() -> new dev.plinth.core.PlinthException.NotFound("NOT_FOUND",
                call.param("kind") + "/" + call.param("key") + " does not exist in this tenant and env"));
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(json);
    }

    private void put(RouteSpec.Call call, ServerResponse res) {
        if (call.body() == null) {
            throw new dev.plinth.core.PlinthException.Invalid("MALFORMED_REQUEST", "a JSON body is required");
        }
        var placement = resources.put(call.context(), call.param("kind"), call.param("key"), call.body().toString(),
                call.header(dev.plinth.core.resources.Idempotency.HEADER));
        placed(res, placement);
        JsonResponses.send(res, 200, Json.MAPPER.createObjectNode().put("key", call.param("key"))
                .put("backend", placement.backendId()).put("route", placement.routeId()));
    }

    private void delete(RouteSpec.Call call, ServerResponse res) {
        var deleted = resources.delete(call.context(), call.param("kind"), call.param("key"),
                call.header(dev.plinth.core.resources.Idempotency.HEADER));
        placed(res, deleted.placement());
        if (!deleted.existed()) {
            throw new dev.plinth.core.PlinthException.NotFound("NOT_FOUND", call.param("kind") + "/" + call.param("key") + " does not exist");
        }
        JsonResponses.send(res, 200, Json.MAPPER.createObjectNode().put("deleted", true));
    }

    private void list(RouteSpec.Call call, ServerResponse res) {
        var listing = resources.list(call.context(), call.param("kind"), call.query("prefix"), call.query("page_token"),
                call.longQuery("page_size", 100));
        placed(res, listing.placement());
        ObjectNode body = Json.MAPPER.createObjectNode();
        var items = body.putArray("items");
        for (var item : listing.items()) {
            ObjectNode o = items.addObject().put("key", item.key());
            try {
                o.set("value", Json.MAPPER.readTree(item.json()));
            } catch (java.io.IOException e) {
                o.put("value", item.json());
            }
        }
        body.put("next_page_token", listing.nextKey());
        JsonResponses.send(res, 200, body);
    }

    private void operate(RouteSpec.Call call, ServerResponse res) {
        var outcome = resources.operate(call.context(), call.param("kind"), call.param("key"),
                OperationBodies.read(call.param("op"), call.body()), call.header(dev.plinth.core.resources.Idempotency.HEADER));
        res.header(BACKEND, outcome.backend());
        JsonResponses.send(res, 200, Json.MAPPER.valueToTree(outcome));
    }

    private void copy(RouteSpec.Call call, ServerResponse res) {
        var body = call.body();
        String kind = body == null ? null : body.path("kind").asText(null);
        String from = body == null ? null : body.path("from_backend").asText(null);
        String to = body == null ? null : body.path("to_backend").asText(null);
        if (kind == null || from == null || to == null) {
            throw new dev.plinth.core.PlinthException.Invalid("VALIDATION_FAILED", "'kind', 'from_backend' and 'to_backend' are required");
        }
        var counts = resources.copy(call.param("tenant"), kind, from, to);
        ObjectNode out = Json.MAPPER.createObjectNode().put("kind", kind).put("from_backend", from).put("to_backend", to);
        out.set("copied", Json.MAPPER.valueToTree(counts));
        out.put("total", counts.values().stream().mapToInt(Integer::intValue).sum());
        JsonResponses.send(res, 200, out);
    }

    private static void placed(ServerResponse res, ResourceService.Placement p) {
        res.header(BACKEND, p.backendId());
        res.header(ROUTE, p.routeId());
    }
}
