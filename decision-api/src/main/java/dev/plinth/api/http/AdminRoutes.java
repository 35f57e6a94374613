package dev.plinth.api.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plinth.datasync.admin.AdminStore;
import dev.plinth.datasync.primitive.Kind;
import dev.plinth.datasync.model.Json;
import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.ServerResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code /v1/admin/…}: list, create, read, replace and delete for every control-plane
 * primitive of {@link Kind}. Global kinds live at {@code /v1/admin/{kind}}, tenant-scoped
 * ones at {@code /v1/admin/tenants/{tenant}/{kind}}. Writes answer the revision token they
 * produced ({@code X-Revision} and {@code revision}); reads and writes carry an ETag, and
 * {@code If-Match} on PUT/DELETE prevents lost updates.
 */
final class AdminRoutes {

    /** The example body the OpenAPI document shows for a kind: the registry's. */
    static String example(Kind kind) {
        return kind.example();
    }

    private final AdminStore store;

    AdminRoutes(AdminStore store) {
        this.store = store;
    }

    List<RouteSpec> routes() {
        var routes = new ArrayList<RouteSpec>();
        for (Kind kind : Kind.values()) {
            String collection = kind.tenantScoped()
                    ? "/v1/admin/tenants/{tenant}/" + kind.collection()
                    : "/v1/admin/" + kind.collection();
            String item = collection + "/{id}";
            // The tenant a route acts on: the path's {tenant}, or a tenant's own {id}.
            String collectionTarget = kind.tenantScoped() ? "tenant" : null;
            String itemTarget = kind.tenantScoped() ? "tenant" : kind == Kind.TENANTS ? "id" : null;
            String name = kind.collection();
            routes.add(spec(Method.GET, collection, kind, "read", collectionTarget, "List " + name + " (paginated, id order)", null, this::list)
                    .with(PAGE_SIZE, PAGE_TOKEN));
            routes.add(spec(Method.POST, collection, kind, "write", collectionTarget, "Create one of " + name, kind.example(), this::create)
                    .created().with(ResourceRoutes.IDEMPOTENCY_KEY));
            routes.add(spec(Method.GET, item, kind, "read", itemTarget, "Read one of " + name, null, this::get));
            routes.add(spec(Method.PUT, item, kind, "write", itemTarget, "Replace one of " + name + " (If-Match honoured)", kind.example(), this::replace)
                    .with(IF_MATCH, ResourceRoutes.IDEMPOTENCY_KEY));
            RouteSpec delete = spec(Method.DELETE, item, kind, "write", itemTarget, "Delete one of " + name + " (If-Match honoured"
                    + (kind == Kind.TENANTS ? "; cascade=true for a tenant's members, subscriptions and projects)" : ")"), null, this::delete)
                    .with(IF_MATCH, ResourceRoutes.IDEMPOTENCY_KEY);
            routes.add(kind == Kind.TENANTS ? delete.with(CASCADE) : delete);
        }
        return routes;
    }

    static final RouteSpec.Param PAGE_SIZE = RouteSpec.Param.query("page_size", "integer", "items per page (default 100)");
    static final RouteSpec.Param PAGE_TOKEN = RouteSpec.Param.query("page_token", "string", "the previous page's next_page_token");
    private static final RouteSpec.Param IF_MATCH = RouteSpec.Param.header("If-Match",
            "the ETag this change is based on; 412 PRECONDITION_FAILED when the resource changed since");
    private static final RouteSpec.Param CASCADE = RouteSpec.Param.query("cascade", "boolean",
            "true: also delete the tenant's members, subscriptions and projects (without it, a tenant that has any is refused)");

    private interface KindHandler {
        void handle(Kind kind, RouteSpec.Call call, ServerResponse res) throws Exception;
    }

    private static RouteSpec spec(Method method, String path, Kind kind, String action, String target, String summary,
                                  String example, KindHandler handler) {
        return new RouteSpec(method, path, kind.collection(), action, true, target, summary, example,
                (call, res) -> handler.handle(kind, call, res));
    }

    private void list(Kind kind, RouteSpec.Call call, ServerResponse res) {
        long size = call.longQuery("page_size", 100);
        AdminStore.Page page = store.list(kind, call.param("tenant"), size, call.query("page_token"));
        ObjectNode body = Json.MAPPER.createObjectNode();
        var items = body.putArray("items");
        page.items().forEach(r -> items.add(Json.MAPPER.valueToTree(r.data())));
        body.put("next_page_token", page.nextPageToken());
        JsonResponses.send(res, 200, body);
    }

    private void get(Kind kind, RouteSpec.Call call, ServerResponse res) {
        AdminStore.Resource r = store.get(kind, call.param("tenant"), call.param("id"));
        res.header(HeaderNames.ETAG, r.etag());
        JsonResponses.send(res, 200, Json.MAPPER.valueToTree(r.data()));
    }

    private void create(Kind kind, RouteSpec.Call call, ServerResponse res) {
        Map<String, Object> body = bodyMap(call);
        Object id = body.remove("id");
        if (!(id instanceof String)) {
            throw new dev.plinth.core.PlinthException.Invalid("VALIDATION_FAILED", "'id' is required and must be a string");
        }
        AdminStore.WriteResult w = store.create(kind, call.param("tenant"), (String) id, body, call.context().userId(), idempotency(call));
        res.header(HeaderNames.LOCATION, call.request().path().path() + "/" + id);
        written(call, res, 201, w);
    }

    private void replace(Kind kind, RouteSpec.Call call, ServerResponse res) {
        Map<String, Object> body = bodyMap(call);
        Object id = body.remove("id");
        if (id != null && !id.equals(call.param("id"))) {
            throw new dev.plinth.core.PlinthException.Invalid("VALIDATION_FAILED", "body id '" + id + "' differs from the path's id '" + call.param("id") + "'");
        }
        String ifMatch = call.header("If-Match");
        written(call, res, 200, store.replace(kind, call.param("tenant"), call.param("id"), body, ifMatch, call.context().userId(),
                idempotency(call)));
    }

    private void delete(Kind kind, RouteSpec.Call call, ServerResponse res) {
        String ifMatch = call.header("If-Match");
        boolean cascade = kind == Kind.TENANTS && call.booleanQuery("cascade");
        written(call, res, 200, store.delete(kind, call.param("tenant"), call.param("id"), ifMatch, cascade, call.context().userId(),
                idempotency(call)));
    }

    /** The request's Idempotency-Key, scoped to the caller, and its fingerprint (method, path, query, body); null without one. */
    static AdminStore.Idempotency idempotency(RouteSpec.Call call) {
        String key = call.header(dev.plinth.core.resources.Idempotency.HEADER);
        if (key == null) {
            return null;
        }
        String request = call.request().prologue().method().text() + " " + call.request().path().path() + "?"
                + call.request().query().rawValue() + " " + (call.body() == null ? "" : call.body().toString());
        return new AdminStore.Idempotency(dev.plinth.core.resources.Idempotency.scopedId(call.context(), key),
                dev.plinth.core.resources.Idempotency.sha256(request));
    }

    private static final java.util.logging.Logger AUDIT = java.util.logging.Logger.getLogger("dev.plinth.audit");

    private static void written(RouteSpec.Call call, ServerResponse res, int status, AdminStore.WriteResult w) {
        // One line per acknowledged control-plane write: who, what, and the revision it made.
        AUDIT.info("control-plane write " + call.request().prologue().method().text() + " " + call.request().path().path()
                + " by " + call.context().userId() + " acknowledged at revision " + w.revision());
        ObjectNode body = Json.MAPPER.createObjectNode();
        body.put("revision", w.revision());
        if (w.resource() != null) {
            res.header(HeaderNames.ETAG, w.resource().etag());
            body.set("resource", Json.MAPPER.valueToTree(w.resource().data()));
        } else {
            body.put("deleted", true).put("cascaded", w.cascaded());
        }
        res.header(ContextFilter.REVISION, w.revision());
        JsonResponses.send(res, status, body);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> bodyMap(RouteSpec.Call call) {
        JsonNode body = call.body();
        if (body == null || !body.isObject()) {
            throw new dev.plinth.core.PlinthException.Invalid("MALFORMED_REQUEST", "a JSON object body is required");
        }
        return new java.util.LinkedHashMap<>(Json.MAPPER.convertValue(body, Map.class));
    }

}
