package dev.plinth.conformance.spine;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plinth.conformance.spine.SpineClient.Answer;
import java.io.PrintStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * The seed's acceptance criteria as black-box checks against a base URL: only HTTP and the
 * contract the service itself publishes ({@code /contract/openapi.json}). Everything it
 * creates is named {@code *_conf_<run>}; the route matrix's valid calls use the contract's
 * example bodies.
 *
 * <p>Tokens come from outside (a dev-token command locally, the platform's IdP elsewhere):
 * the suite asks for one per user id it needs. A restart between the write and verify
 * phases comes from outside too; without one the restart checks do not run and say so.
 */
public final class SpineSuite {

    /** Context errors a request with valid auth and tenant headers must never get. */
    private static final Set<String> CONTEXT_ERRORS = Set.of("UNAUTHENTICATED", "MALFORMED_CONTEXT", "FORBIDDEN", "CONTEXT_MISMATCH");
    private static final String ENV = "dev";

    public enum Outcome { PASSED, FAILED, NOT_RUN }

    public record Result(String check, Outcome outcome, String detail) {}

    private final SpineClient client;
    private final Function<String, String> tokens;
    private final Runnable restart;
    private final PrintStream out;
    private final String run = Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
    private final String tenant = "t_conf_" + run;
    private final String stranger = "t_conf_" + run + "_stranger";
    private final List<Result> results = new ArrayList<>();
    private String adminToken;

    /**
     * @param tokens  a token for a user id (the suite needs the seeded admin {@code u_admin}
     *                and {@code u_conf_<run>_reader}, a user it creates with an identity at
     *                the service's dev issuer)
     * @param restart restarts the service and returns when it is back, or null
     */
    public SpineSuite(URI base, Function<String, String> tokens, Runnable restart, PrintStream out) {
        this.client = new SpineClient(base);
        this.tokens = tokens;
        this.restart = restart;
        this.out = out;
    }

    public List<Result> run() {
        try {
            client.awaitReady(Duration.ofSeconds(30));
        } catch (IllegalStateException e) {
            // One clear failure instead of every check failing on a connection refused.
            results.add(new Result("the service answers /health/ready", Outcome.FAILED, e.getMessage()));
            out.println("FAIL the service answers /health/ready — " + e.getMessage());
            return List.copyOf(results);
        }
        adminToken = tokens.apply("u_admin");
        check("setup: a tenant of our own, a stranger tenant, a reader user", this::setup);
        check("matrix: every route of the published contract answers 401/400/403 as the context contract says", this::matrix);
        check("matrix: with valid auth and tenant headers no route answers a 400 (or any context error)", this::neverBadRequest);
        check("routing: a missing route fails fast naming the kind and the scopes tried", this::missingRoute);
        check("routing: a tenant's backend is switched A→B by one route write", this::switchBackend);
        check("modes: a tenant's mode is set by data and read back in its context", this::mode);
        var written = new ArrayList<String>();
        check("durability: a value is written for every resource kind", () -> writeEveryKind(written));
        check("realtime: a thread's ACL is written and enforced", this::writeAcl);
        check("side doors: kinds a Plinth service owns are refused by /v1/resources", this::serviceKindsClosed);
        check("side doors: only documents take a raw PUT/DELETE; other models keep their invariants", this::modelsOwnTheirOperations);
        check("side doors: a viewer reads but never writes; nobody but an owner demotes an owner", () -> rolesAreEnforced(written));
        check("side doors: a retry with the same Idempotency-Key applies nothing twice", this::idempotentRetry);
        check("limits: oversized headers are 431, a wrong method is 405, both problem+json", this::requestLimits);
        if (restart == null) {
            results.add(new Result("durability: every kind's value survives a service restart", Outcome.NOT_RUN, "no restart command given"));
            results.add(new Result("realtime: ACLs survive a service restart", Outcome.NOT_RUN, "no restart command given"));
        } else {
            out.println("spine: restarting the service");
            restart.run();
            client.awaitReady(Duration.ofSeconds(120));
            check("durability: every kind's value survives a service restart", () -> readEveryKind(written));
            check("realtime: ACLs survive a service restart", this::aclEnforced);
        }
        return List.copyOf(results);
    }

    private interface Check {
        String run() throws Exception;
    }

    private void check(String name, Check check) {
        Result r;
        try {
            r = new Result(name, Outcome.PASSED, check.run());
        } catch (AssertionError | Exception e) {
            r = new Result(name, Outcome.FAILED, String.valueOf(e.getMessage()));
        }
        results.add(r);
        out.printf("%s %s%s%n", r.outcome() == Outcome.PASSED ? "PASS" : "FAIL", name,
                r.detail() == null || r.detail().isEmpty() ? "" : " — " + r.detail());
    }

    private static void expect(boolean condition, String what) {
        if (!condition) {
            throw new AssertionError(what);
        }
    }

    private Map<String, String> admin(String t) {
        return SpineClient.headers(adminToken, t, ENV);
    }

    private Answer adminWrite(String method, String path, String body) {
        Answer a = client.send(method, path, admin("t_system"), body);
        expect(a.status() < 300, method + " " + path + " answered " + a);
        return a;
    }

    /** Waits for our own writes on any replica behind the URL. */
    private Map<String, String> after(Answer write, Map<String, String> headers) {
        String revision = write.json().path("revision").asText(null);
        if (revision == null) {
            return headers;
        }
        var h = new java.util.LinkedHashMap<>(headers);
        h.put("X-Min-Revision", revision);
        return h;
    }

    private String reader() {
        return "u_conf_" + run + "_reader";
    }

    private String setup() {
        adminWrite("POST", "/v1/admin/tenants", "{\"id\": \"" + tenant + "\", \"allowed_envs\": [\"dev\"]}");
        adminWrite("POST", "/v1/admin/tenants", "{\"id\": \"" + stranger + "\", \"allowed_envs\": [\"dev\"]}");
        adminWrite("POST", "/v1/admin/tenants/" + tenant + "/members", "{\"id\": \"u_admin\", \"roles\": [\"owner\"]}");
        String issuer = null;
        for (JsonNode idp : client.get("/v1/admin/identity_providers", admin("t_system")).json().path("items")) {
            if (idp.path("dev").asBoolean(false)) {
                issuer = idp.path("issuer").asText();
            }
        }
        expect(issuer != null, "the service has no dev identity provider, so the suite cannot make a user that can sign in");
        adminWrite("POST", "/v1/admin/users", "{\"id\": \"" + reader() + "\", \"identities\": [{\"issuer\": \"" + issuer
                + "\", \"subject\": \"" + reader() + "\"}]}");
        Answer m = adminWrite("POST", "/v1/admin/tenants/" + tenant + "/members", "{\"id\": \"" + reader() + "\", \"roles\": [\"member\"]}");
        Answer ctx = client.get("/v1/context", after(m, admin(tenant)));
        expect(ctx.status() == 200, "GET /v1/context in our tenant answered " + ctx);
        return tenant + ", " + stranger + ", " + reader();
    }

    /** @param example the contract's JSON example body; @param binary true when the contract declares a non-JSON body */
    private record Route(String method, String path, String example, boolean binary) {}

    private List<Route> contractRoutes() {
        Answer doc = client.get("/contract/openapi.json", Map.of());
        expect(doc.status() == 200, "GET /contract/openapi.json answered " + doc);
        var routes = new ArrayList<Route>();
        Iterator<Map.Entry<String, JsonNode>> paths = doc.json().path("paths").fields();
        while (paths.hasNext()) {
            var p = paths.next();
            p.getValue().fields().forEachRemaining(op -> {
                JsonNode content = op.getValue().path("requestBody").path("content");
                JsonNode example = content.path("application/json").path("example");
                routes.add(new Route(op.getKey().toUpperCase(java.util.Locale.ROOT), p.getKey(),
                        example.isMissingNode() ? null : example.toString(), !content.isMissingNode() && !content.has("application/json")));
            });
        }
        expect(routes.size() > 10, "the contract lists only " + routes.size() + " operations");
        return routes;
    }

    /** Path parameters: our own tenant, ids that do not exist (so a valid DELETE destroys nothing), the example's id for a PUT. */
    private String concrete(Route r) {
        String collection = r.path().replaceAll("/\\{[a-z_]+}.*$", "");
        collection = collection.substring(collection.lastIndexOf('/') + 1);
        String id = switch (collection) {
            case "tenants" -> "t_conf_" + run + "_absent";
            case "users", "members" -> "u_conf_" + run + "_absent";
            case "surfaces" -> "s_conf_" + run + "_absent";
            case "apps", "subscriptions" -> "a_conf_" + run + "_absent";
            case "projects" -> "p_conf_" + run + "_absent";
            default -> "conf_" + run + "_absent";
        };
        if (r.example() != null && "PUT".equals(r.method())) {
            try {
                String bodyId = SpineClient.JSON.readTree(r.example()).path("id").asText(null);
                id = bodyId == null ? id : bodyId;
            } catch (java.io.IOException ignored) {
                // an unreadable example is reported by the call itself
            }
        }
        String query = r.path().endsWith("/events") ? "?max_ms=100" : "";
        return r.path().replace("/*", "/plinth/authz/decision").replace("{tenant}", tenant).replace("{id}", id)
                .replace("{kind}", r.path().contains("{op}") ? counterKind() : "feature_flags").replace("{key}", "conf-key")
                .replace("{op}", "increment")
                .replace("{name}", "conf-" + run + "-absent") + query;
    }

    private String counterKind;

    /** A kind whose model offers increment, for the operation route. */
    private String counterKind() {
        if (counterKind == null) {
            counterKind = "feature_flags";
            for (JsonNode kind : client.get("/v1/admin/resource_kinds?page_size=200", admin("t_system")).json().path("items")) {
                if ("counter".equals(kind.path("model").asText())) {
                    counterKind = kind.path("id").asText();
                    break;
                }
            }
        }
        return counterKind;
    }

    private String matrix() {
        int n = 0;
        var failures = new ArrayList<String>();
        for (Route r : contractRoutes()) {
            String path = concrete(r);
            String label = r.method() + " " + path;
            String body = r.example();
            expectStatus(failures, label + " without a token", client.send(r.method(), path, SpineClient.headers(null, tenant, ENV), body), 401, "UNAUTHENTICATED");
            expectStatus(failures, label + " with a bad token", client.send(r.method(), path, SpineClient.headers("not.a.token", tenant, ENV), body), 401, "UNAUTHENTICATED");
            expectStatus(failures, label + " without a tenant", client.send(r.method(), path, SpineClient.headers(adminToken, null, ENV), body), 400, "MALFORMED_CONTEXT");
            expectStatus(failures, label + " with a malformed tenant", client.send(r.method(), path, SpineClient.headers(adminToken, "Tenant 1", ENV), body), 400, "MALFORMED_CONTEXT");
            expectStatus(failures, label + " without membership", client.send(r.method(), path, admin(stranger), body), 403, "FORBIDDEN");
            ObjectNode foreign = body == null ? SpineClient.JSON.createObjectNode() : (ObjectNode) SpineClient.json(body);
            foreign.put("tenant_id", stranger);
            // A caller the route refuses outright is refused before its body is read (FORBIDDEN);
            // any other caller learns that the body names another tenant.
            Answer plain = client.send(r.method(), path, admin(tenant), body);
            expectStatus(failures, label + " with a body naming another tenant", client.send(r.method(), path, admin(tenant), foreign.toString()),
                    403, plain.status() == 403 && "FORBIDDEN".equals(plain.code()) ? "FORBIDDEN" : "CONTEXT_MISMATCH");
            n++;
        }
        expect(failures.isEmpty(), failures.size() + " wrong answers: " + String.join("; ", failures.subList(0, Math.min(5, failures.size()))));
        return n + " operations × 6 cases";
    }

    private static void expectStatus(List<String> failures, String label, Answer a, int status, String code) {
        if (a.status() != status || !code.equals(a.code())) {
            failures.add(label + ": wanted " + status + " " + code + ", got " + a);
        }
    }

    private String neverBadRequest() {
        int n = 0;
        var failures = new ArrayList<String>();
        var binary = new ArrayList<String>();
        for (Route r : contractRoutes()) {
            if (r.binary()) {
                binary.add(r.method() + " " + r.path()); // a generic client cannot make a valid binary body
                continue;
            }
            // As the t_system admin, with the contract's example body; tenant-scoped routes in
            // our own tenant (where the admin is owner), the platform's own routes in t_system.
            boolean platform = !r.path().contains("{tenant}") && r.path().startsWith("/v1/admin") || r.path().startsWith("/v1/policies")
                    || r.path().endsWith("/copy");
            String path = platform ? concrete(r).replace(tenant, "t_system") : concrete(r);
            Answer a = client.send(r.method(), path, admin(platform ? "t_system" : tenant), r.example());
            String code = a.code() == null ? "" : a.code();
            if (a.status() == 400 || CONTEXT_ERRORS.contains(code) || a.status() >= 500) {
                failures.add(r.method() + " " + path + ": " + a);
            }
            n++;
        }
        expect(failures.isEmpty(), failures.size() + " routes: " + String.join("; ", failures.subList(0, Math.min(5, failures.size()))));
        return n + " operations, none answered 400, a context error or a 5xx"
                + (binary.isEmpty() ? "" : "; not exercised (binary body): " + binary);
    }

    private String missingRoute() {
        String kind = "conf_" + run + "_unrouted";
        Answer k = adminWrite("POST", "/v1/admin/resource_kinds", "{\"id\": \"" + kind + "\", \"model\": \"document\"}");
        Answer a = client.get("/v1/routes/" + kind, after(k, admin(tenant)));
        expect(a.status() == 503 && "ROUTE_MISSING".equals(a.code()), "GET /v1/routes/" + kind + " answered " + a);
        String detail = a.json().path("detail").asText();
        expect(detail.contains(kind) && detail.contains(tenant), "the problem does not name the kind and the scopes tried: " + detail);
        Answer put = client.send("PUT", "/v1/resources/" + kind + "/x", admin(tenant), "{\"a\": 1}");
        expect(put.status() == 503 && "ROUTE_MISSING".equals(put.code()), "a write to an unrouted kind answered " + put);
        return detail;
    }

    private String backendOf(Answer routes) {
        return routes.json().path("backend").path("id").asText();
    }

    private String switchBackend() {
        String kind = "feature_flags";
        Answer before = client.get("/v1/routes/" + kind, admin(tenant));
        expect(before.status() == 200, "GET /v1/routes/" + kind + " answered " + before);
        String a = backendOf(before);
        String b = null;
        for (JsonNode backend : client.get("/v1/admin/backends", admin("t_system")).json().path("items")) {
            if (!backend.path("id").asText().equals(a) && backend.path("status").asText("active").equals("active")) {
                b = backend.path("id").asText();
                break;
            }
        }
        expect(b != null, "the service has only one backend (" + a + "); a switch needs a second");
        Answer putA = client.send("PUT", "/v1/resources/" + kind + "/on-a", admin(tenant), "{\"where\": \"" + a + "\"}");
        expect(putA.status() == 200 && a.equals(putA.header("X-Plinth-Backend")), "write on " + a + " answered " + putA);
        Answer route = adminWrite("POST", "/v1/admin/routes", "{\"id\": \"conf_" + run + "_flags\", \"kind\": \"" + kind
                + "\", \"tenant\": \"" + tenant + "\", \"backend\": \"" + b + "\"}");
        Answer after = client.get("/v1/routes/" + kind, after(route, admin(tenant)));
        expect(b.equals(backendOf(after)), "after the route write the kind is served by " + backendOf(after) + ", not " + b);
        Answer putB = client.send("PUT", "/v1/resources/" + kind + "/on-b", admin(tenant), "{\"where\": \"" + b + "\"}");
        expect(putB.status() == 200 && b.equals(putB.header("X-Plinth-Backend")), "write after the switch answered " + putB);
        Answer old = client.get("/v1/resources/" + kind + "/on-a", admin(tenant));
        expect(old.status() == 404, "the value written on " + a + " is visible on " + b + " (not a different store?): " + old);
        Answer other = client.get("/v1/routes/" + kind, admin("t_system"));
        expect(a.equals(backendOf(other)), "the switch leaked to t_system: " + other);
        return kind + " for " + tenant + ": " + a + " → " + b + " by one route write; other tenants stay on " + a;
    }

    private String mode() {
        Answer modes = client.get("/v1/admin/modes", admin("t_system"));
        String target = null;
        String current = client.get("/v1/context", admin(tenant)).json().path("mode").asText();
        for (JsonNode m : modes.json().path("items")) {
            if (!m.path("id").asText().equals(current)) {
                target = m.path("id").asText();
                break;
            }
        }
        expect(target != null, "no mode other than '" + current + "' exists");
        Answer put = adminWrite("PUT", "/v1/admin/tenants/" + tenant, "{\"id\": \"" + tenant + "\", \"allowed_envs\": [\"dev\"], \"mode\": \"" + target + "\"}");
        Answer ctx = client.get("/v1/context", after(put, admin(tenant)));
        expect(target.equals(ctx.json().path("mode").asText()), "context mode is " + ctx.json().path("mode") + " after setting " + target);
        Answer read = client.get("/v1/admin/tenants/" + tenant, admin("t_system"));
        expect(target.equals(read.json().path("mode").asText()), "the tenant record reads back " + read);
        return current + " → " + target;
    }

    /** How a value is written to each model, how it is read back, and what the answer holds (see docs/resources.md). */
    private record Durable(String write, String body, String read, String readBody, String holds) {}

    private Durable durable(String model) {
        String key = "/conf-durable";
        return switch (model) {
            case "document" -> new Durable("PUT " + key, "{\"run\": \"" + run + "\"}", "GET " + key, null, run);
            case "counter" -> new Durable("POST " + key + "/increment", "{\"by\": 7}", "GET " + key, null, "\"value\"");
            case "budget" -> new Durable("POST " + key + "/credit", "{\"amount\": 9}", "GET " + key, null, "\"remaining\"");
            case "lock" -> new Durable("POST " + key + "/acquire", "{\"owner\": \"conf-" + run + "\", \"ttl_ms\": 86400000}", "GET " + key, null,
                    "conf-" + run);
            case "event_log" -> new Durable("POST " + key + "/append", "{\"event\": \"" + run + "\"}", "POST " + key + "/range", "{}", run);
            case "rate_limit" -> new Durable("POST " + key + "/take", "{\"capacity\": 5, \"refill_per_second\": 0}", "GET " + key, null,
                    "\"tokens\"");
            default -> null;
        };
    }

    private final Map<String, String> models = new java.util.TreeMap<>();

    private String writeEveryKind(List<String> written) {
        var failures = new ArrayList<String>();
        var notHere = new ArrayList<String>();
        for (JsonNode kind : client.get("/v1/admin/resource_kinds?page_size=200", admin("t_system")).json().path("items")) {
            String id = kind.path("id").asText();
            Durable d = durable(kind.path("model").asText());
            if (id.startsWith("conf_") || kind.hasNonNull("service") || d == null) {
                notHere.add(id); // our own unrouted kind, a service's kind (its API keeps it), or stored outside Plinth
                continue;
            }
            models.put(id, kind.path("model").asText());
            String[] w = d.write().split(" ", 2);
            Answer a = client.send(w[0], "/v1/resources/" + id + w[1], admin(tenant), d.body());
            if (a.status() == 200) {
                written.add(id);
            } else if ("ROUTE_MISSING".equals(a.code())) {
                notHere.add(id + " (ROUTE_MISSING)");
            } else {
                failures.add(id + ": " + a);
            }
        }
        expect(failures.isEmpty(), "writes failed: " + failures);
        expect(written.size() >= 10, "only " + written.size() + " kinds");
        return written.size() + " kinds written through their models' operations" + (notHere.isEmpty() ? "" : "; not through this API: " + notHere);
    }

    private String readEveryKind(List<String> written) {
        var failures = new ArrayList<String>();
        for (String id : written) {
            Durable d = durable(models.get(id));
            String[] r = d.read().split(" ", 2);
            Answer got = client.send(r[0], "/v1/resources/" + id + r[1], admin(tenant), d.readBody());
            if (got.status() != 200 || !got.body().contains(d.holds())) {
                failures.add(id + ": " + got);
            }
        }
        expect(!written.isEmpty(), "nothing was written before the restart");
        expect(failures.isEmpty(), "lost after the restart: " + failures);
        return written.size() + " kinds read back";
    }

    private java.util.Optional<String> kindOf(java.util.function.Predicate<JsonNode> which) {
        for (JsonNode kind : client.get("/v1/admin/resource_kinds?page_size=200", admin("t_system")).json().path("items")) {
            if (which.test(kind)) {
                return java.util.Optional.of(kind.path("id").asText());
            }
        }
        return java.util.Optional.empty();
    }

    private String serviceKindsClosed() {
        var closed = new ArrayList<String>();
        for (JsonNode kind : client.get("/v1/admin/resource_kinds?page_size=200", admin("t_system")).json().path("items")) {
            if (!kind.hasNonNull("service")) {
                continue;
            }
            String id = kind.path("id").asText();
            for (String[] call : new String[][] {{"PUT", "/thread-x", "{\"writers\": [\"u_admin\"]}"}, {"GET", "/thread-x", null},
                    {"POST", "/thread-x/range", "{}"}, {"POST", "/thread-x/append", "{\"event\": 1}"}}) {
                Answer a = client.send(call[0], "/v1/resources/" + id + call[1], admin(tenant), call[2]);
                expect(a.status() == 403 && "KIND_NOT_SERVED".equals(a.code()), call[0] + " /v1/resources/" + id + call[1] + " answered " + a);
            }
            closed.add(id);
        }
        expect(!closed.isEmpty(), "no kind names a service (the realtime kinds should)");
        return "refused: " + closed;
    }

    private String modelsOwnTheirOperations() {
        String lock = kindOf(k -> "lock".equals(k.path("model").asText()) && !k.hasNonNull("service")).orElse(null);
        expect(lock != null, "no lock kind to try");
        String path = "/v1/resources/" + lock + "/conf-fence-" + run;
        Answer first = client.send("POST", path + "/acquire", admin(tenant), "{\"owner\": \"a\", \"ttl_ms\": 60000}");
        expect(first.status() == 200, "acquire answered " + first);
        long token = first.json().path("fencing_token").asLong();
        Answer put = client.send("PUT", path, admin(tenant), "{\"owner\": \"b\", \"fencing_token\": 1, \"expires_at_ms\": 0}");
        expect(put.status() == 400 && "OPERATION_NOT_SUPPORTED".equals(put.code()), "a raw PUT of a lock answered " + put);
        Answer delete = client.send("DELETE", path, admin(tenant), null);
        expect(delete.status() == 400 && "OPERATION_NOT_SUPPORTED".equals(delete.code()), "a raw DELETE of a lock answered " + delete);
        client.send("POST", path + "/release", admin(tenant), "{\"owner\": \"a\", \"fencing_token\": " + token + "}");
        Answer next = client.send("POST", path + "/acquire", admin(tenant), "{\"owner\": \"b\", \"ttl_ms\": 60000}");
        expect(next.status() == 200 && next.json().path("fencing_token").asLong() > token, "the next token must grow: " + next);
        return lock + ": PUT and DELETE refused, fencing token " + token + " → " + next.json().path("fencing_token").asLong();
    }

    private String viewer() {
        return "u_conf_" + run + "_viewer";
    }

    private String rolesAreEnforced(List<String> written) {
        String issuer = client.get("/v1/admin/identity_providers", admin("t_system")).json().path("items").findValues("issuer").stream()
                .map(JsonNode::asText).filter(i -> i.contains("dev")).findFirst().orElse(null);
        adminWrite("POST", "/v1/admin/users", "{\"id\": \"" + viewer() + "\", \"identities\": [{\"issuer\": \"" + issuer
                + "\", \"subject\": \"" + viewer() + "\"}]}");
        Answer m = adminWrite("POST", "/v1/admin/tenants/" + tenant + "/members", "{\"id\": \"" + viewer() + "\", \"roles\": [\"viewer\"]}");
        var asViewer = after(m, SpineClient.headers(tokens.apply(viewer()), tenant, ENV));
        String document = written.stream().filter(id -> "document".equals(models.get(id))).findFirst().orElseThrow();
        Answer read = client.get("/v1/resources/" + document + "/conf-durable", asViewer);
        expect(read.status() == 200 || read.status() == 404, "a viewer's read answered " + read);
        Answer write = client.send("PUT", "/v1/resources/" + document + "/conf-viewer", asViewer, "{\"v\": 1}");
        expect(write.status() == 403 && "FORBIDDEN".equals(write.code()), "a viewer's write answered " + write);
        var asMember = after(m, SpineClient.headers(tokens.apply(reader()), tenant, ENV));
        Answer demote = client.send("PUT", "/v1/admin/tenants/" + tenant + "/members/u_admin", asMember, "{\"roles\": [\"viewer\"]}");
        expect(demote.status() == 403, "a member demoting the owner answered " + demote);
        return "viewer write 403, member demoting the owner 403";
    }

    private String idempotentRetry() {
        String budget = kindOf(k -> "budget".equals(k.path("model").asText()) && !k.hasNonNull("service")).orElse(null);
        expect(budget != null, "no budget kind to try");
        String path = "/v1/resources/" + budget + "/conf-idem-" + run;
        client.send("POST", path + "/credit", admin(tenant), "{\"amount\": 100}");
        var keyed = new java.util.LinkedHashMap<>(admin(tenant));
        keyed.put("Idempotency-Key", "conf-" + run);
        Answer first = client.send("POST", path + "/debit", keyed, "{\"amount\": 30}");
        Answer retry = client.send("POST", path + "/debit", keyed, "{\"amount\": 30}");
        expect(first.status() == 200 && retry.status() == 200, "debit and its retry answered " + first + " / " + retry);
        Answer now = client.get(path, admin(tenant));
        expect(now.json().path("remaining").asLong() == 70, "after a debit and its retry the budget holds " + now);
        Answer reused = client.send("POST", path + "/debit", keyed, "{\"amount\": 31}");
        expect(reused.status() == 422, "the same key with another body answered " + reused);
        return "100 → 70 once; another body under the key 422";
    }

    private String requestLimits() {
        var big = new java.util.LinkedHashMap<>(admin(tenant));
        big.put("X-Padding", "p".repeat(40_000));
        Answer headers = client.get("/v1/context", big);
        expect(headers.status() == 431 || headers.status() == 400, "40 KB of headers answered " + headers);
        expect(headers.body().contains("\"code\""), "the refusal is not problem+json: " + headers);
        Answer method = client.send("PATCH", "/v1/context", admin(tenant), "{}");
        expect(method.status() == 405 && "METHOD_NOT_ALLOWED".equals(method.code()), "PATCH /v1/context answered " + method);
        return "headers " + headers.status() + ", method 405";
    }

    private String thread() {
        return "conf-" + run;
    }

    private String writeAcl() {
        Answer put = client.send("PUT", "/v1/realtime/threads/" + thread(), admin(tenant),
                "{\"readers\": [\"" + reader() + "\"], \"writers\": [\"u_admin\"]}");
        expect(put.status() == 200, "PUT thread answered " + put);
        return aclEnforced();
    }

    private String aclEnforced() {
        String readerToken = tokens.apply(reader());
        var asReader = SpineClient.headers(readerToken, tenant, ENV);
        Answer read = client.get("/v1/realtime/threads/" + thread(), asReader);
        expect(read.status() == 200 && read.json().path("readers").toString().contains(reader()), "the reader reads the thread: " + read);
        Answer denied = client.send("POST", "/v1/realtime/threads/" + thread() + "/messages", asReader, "{\"message\": {\"text\": \"no\"}}");
        expect(denied.status() == 403, "a reader's publish must be refused, was " + denied);
        Answer allowed = client.send("POST", "/v1/realtime/threads/" + thread() + "/messages", admin(tenant), "{\"message\": {\"text\": \"yes\"}}");
        expect(allowed.status() < 300, "a writer's publish answered " + allowed);
        Answer events = client.get("/v1/realtime/threads/" + thread() + "/events?max_ms=300", asReader);
        expect(events.status() == 200, "a reader's subscription answered " + events);
        return "reader may subscribe, not publish; writer publishes";
    }
}
