package dev.plinth.api;

import static org.awaitility.Awaitility.await;
import static dev.plinth.api.TestPlinth.admin;
import static dev.plinth.api.TestPlinth.as;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The admin API on a real replica: validation, references, ETags, cascades, authorization by policy. */
class AdminApiTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static TestPlinth plinth;

    @BeforeAll
    static void start() throws Exception {
        plinth = TestPlinth.start(AdminApiTest.class);
        // A small world: surface, app, tenant on the surface, a user who owns the tenant.
        ok(post("/v1/admin/surfaces", "{\"id\": \"s_squared\", \"mode\": \"lab\"}"));
        ok(post("/v1/admin/apps", "{\"id\": \"a_notes\", \"surface\": \"s_squared\"}"));
        ok(post("/v1/admin/apps", "{\"id\": \"a_private\", \"surface\": \"s_squared\", \"subscribable\": false}"));
        ok(post("/v1/admin/tenants", "{\"id\": \"t_acme\", \"allowed_envs\": [\"dev\", \"prod\"], \"surfaces\": [\"s_squared\"]}"));
        ok(post("/v1/admin/users", "{\"id\": \"u_owner\", \"identities\": [{\"issuer\": \"" + TestPlinth.DEV_ISSUER + "\", \"subject\": \"u_owner\"}]}"));
        ok(post("/v1/admin/users", "{\"id\": \"u_viewer\", \"identities\": [{\"issuer\": \"" + TestPlinth.DEV_ISSUER + "\", \"subject\": \"u_viewer\"}]}"));
        ok(post("/v1/admin/tenants/t_acme/members", "{\"id\": \"u_owner\", \"roles\": [\"owner\"]}"));
        ok(post("/v1/admin/tenants/t_acme/members", "{\"id\": \"u_viewer\", \"roles\": [\"viewer\"]}"));
        ok(post("/v1/admin/tenants/t_acme/subscriptions", "{\"id\": \"a_notes\"}"));
    }

    @AfterAll
    static void stop() throws Exception {
        plinth.close();
    }

    private static HttpResponse<String> post(String path, String body) throws Exception {
        return plinth.send("POST", path, admin(), body);
    }

    private static JsonNode ok(HttpResponse<String> r) throws Exception {
        assertThat(r.statusCode()).as(r.body()).isBetween(200, 201);
        return JSON.readTree(r.body());
    }

    private static String code(HttpResponse<String> r) throws Exception {
        assertThat(r.headers().firstValue("Content-Type")).hasValue("application/problem+json");
        return JSON.readTree(r.body()).path("code").asText();
    }

    @Test
    void createAnswersTheResourceItsEtagAndTheRevisionItProduced() throws Exception {
        var r = post("/v1/admin/modes", "{\"id\": \"trial\", \"attributes\": {\"days\": 30}}");
        assertThat(r.statusCode()).isEqualTo(201);
        JsonNode body = JSON.readTree(r.body());
        assertThat(body.path("revision").asText()).matches("modes:\\d+");
        assertThat(r.headers().firstValue("X-Revision")).hasValue(body.path("revision").asText());
        assertThat(r.headers().firstValue("ETag")).isPresent();
        assertThat(body.path("resource").path("attributes").path("days").asInt()).isEqualTo(30);
        var read = plinth.get("/v1/admin/modes/trial", admin());
        assertThat(read.headers().firstValue("ETag")).isEqualTo(r.headers().firstValue("ETag"));
    }

    @ParameterizedTest(name = "{0} {1} -> {3} {4}")
    @CsvSource(delimiter = '|', textBlock = """
        POST | /v1/admin/tenants                 | {"id": "acme", "allowed_envs": ["dev"]}                  | 400 | VALIDATION_FAILED
        POST | /v1/admin/tenants                 | {"id": "t_Upper", "allowed_envs": ["dev"]}               | 400 | VALIDATION_FAILED
        POST | /v1/admin/tenants                 | {"id": "t_noenv"}                                        | 400 | VALIDATION_FAILED
        POST | /v1/admin/tenants                 | {"id": "t_badenv", "allowed_envs": ["Dev Env"]}          | 400 | VALIDATION_FAILED
        POST | /v1/admin/tenants                 | {"id": "t_typo", "allowed_envs": ["dev"], "moed": "lab"} | 400 | VALIDATION_FAILED
        POST | /v1/admin/tenants                 | {"id": "t_x", "allowed_envs": ["dev"], "status": "gone"} | 400 | VALIDATION_FAILED
        POST | /v1/admin/tenants                 | {"id": "t_x", "allowed_envs": ["dev"], "mode": "nomode"} | 409 | REFERENCE_MISSING
        POST | /v1/admin/tenants                 | {"id": "t_x", "allowed_envs": ["dev"], "surfaces": ["s_nope"]} | 409 | REFERENCE_MISSING
        POST | /v1/admin/tenants                 | {"id": "t_system", "allowed_envs": ["dev"]}              | 409 | PROTECTED
        POST | /v1/admin/tenants                 | {"id": "t_acme", "allowed_envs": ["dev"]}                | 409 | ALREADY_EXISTS
        POST | /v1/admin/users                   | {"id": "x_user"}                                         | 400 | VALIDATION_FAILED
        POST | /v1/admin/users                   | {"id": "u_bad", "identities": [{"issuer": "x"}]}         | 400 | VALIDATION_FAILED
        POST | /v1/admin/apps                    | {"id": "a_orphan", "surface": "s_nope"}                  | 409 | REFERENCE_MISSING
        POST | /v1/admin/apps                    | {"id": "a_nosurface"}                                    | 400 | VALIDATION_FAILED
        POST | /v1/admin/tenants/t_acme/members   | {"id": "u_ghost", "roles": ["member"]}                   | 409 | REFERENCE_MISSING
        POST | /v1/admin/tenants/t_acme/members   | {"id": "u_owner", "roles": ["god"]}                      | 400 | VALIDATION_FAILED
        POST | /v1/admin/tenants/t_acme/members   | {"id": "u_viewer", "roles": []}                          | 400 | VALIDATION_FAILED
        POST | /v1/admin/tenants/t_ghost/members  | {"id": "u_owner", "roles": ["member"]}                   | 409 | REFERENCE_MISSING
        POST | /v1/admin/tenants/t_acme/subscriptions | {"id": "a_private"}                                 | 409 | REFERENCE_MISSING
        POST | /v1/admin/tenants/t_acme/subscriptions | {"id": "a_ghost"}                                   | 409 | REFERENCE_MISSING
        POST | /v1/admin/tenants/t_acme/projects  | {"id": "p_unsubscribed", "app": "a_private", "name": "P"} | 409 | REFERENCE_MISSING
        POST | /v1/admin/tenants/t_acme/projects  | {"id": "p_noname", "app": "a_notes"}                    | 400 | VALIDATION_FAILED
        POST | /v1/admin/identity_providers      | {"id": "idp", "issuer": "i", "audience": "a", "algorithm": "RS256"} | 400 | VALIDATION_FAILED
        POST | /v1/admin/identity_providers      | {"id": "idp", "issuer": "i", "audience": "a", "algorithm": "none", "key_secret": "k"} | 400 | VALIDATION_FAILED
        POST | /v1/admin/modes                   | not json                                                 | 400 | MALFORMED_REQUEST
        DELETE | /v1/admin/tenants/t_system      |                                                          | 409 | PROTECTED
        GET  | /v1/admin/tenants/t_nowhere       |                                                          | 404 | NOT_FOUND
        GET  | /v1/admin/tenants?page_size=0     |                                                          | 400 | VALIDATION_FAILED
        GET  | /v1/admin/tenants?page_size=4294967297 |                                                     | 400 | VALIDATION_FAILED
        DELETE | /v1/admin/surfaces/s_squared    |                                                          | 409 | HAS_DEPENDENTS
        DELETE | /v1/admin/users/u_owner         |                                                          | 409 | HAS_DEPENDENTS
        """)
    void badWritesAreRefusedWithACode(String method, String path, String body, int status, String code) throws Exception {
        var r = plinth.send(method, path, admin(), body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(code(r)).isEqualTo(code);
    }

    @Test
    void projectNeedsASubscribedAppAndTheTenantCannotBeDeletedWithoutCascade() throws Exception {
        ok(post("/v1/admin/tenants", "{\"id\": \"t_cascade\", \"allowed_envs\": [\"dev\"]}"));
        ok(post("/v1/admin/tenants/t_cascade/members", "{\"id\": \"u_viewer\", \"roles\": [\"member\"]}"));
        ok(post("/v1/admin/tenants/t_cascade/subscriptions", "{\"id\": \"a_notes\"}"));
        ok(post("/v1/admin/tenants/t_cascade/projects", "{\"id\": \"p_one\", \"app\": \"a_notes\", \"name\": \"One\"}"));

        var unsubscribe = plinth.send("DELETE", "/v1/admin/tenants/t_cascade/subscriptions/a_notes", admin(), null);
        assertThat(code(unsubscribe)).isEqualTo("HAS_DEPENDENTS");
        var plain = plinth.send("DELETE", "/v1/admin/tenants/t_cascade", admin(), null);
        assertThat(plain.statusCode()).isEqualTo(409);
        assertThat(code(plain)).isEqualTo("HAS_DEPENDENTS");
        // Anything but true/false is refused, not read as false.
        var yes = plinth.send("DELETE", "/v1/admin/tenants/t_cascade?cascade=yes", admin(), null);
        assertThat(yes.statusCode()).as(yes.body()).isEqualTo(400);
        assertThat(code(yes)).isEqualTo("MALFORMED_REQUEST");
        // Only a tenant cascades: elsewhere the parameter is unknown, and says so.
        var elsewhere = plinth.send("DELETE", "/v1/admin/tenants/t_cascade/subscriptions/a_notes?cascade=true", admin(), null);
        assertThat(elsewhere.statusCode()).as(elsewhere.body()).isEqualTo(400);
        assertThat(elsewhere.body()).contains("unknown query parameter 'cascade'");

        JsonNode deleted = ok(plinth.send("DELETE", "/v1/admin/tenants/t_cascade?cascade=true", admin(), null));
        assertThat(deleted.path("cascaded").asInt()).isEqualTo(3);
        assertThat(plinth.get("/v1/admin/tenants/t_cascade/members/u_viewer", admin()).statusCode()).isEqualTo(404);
    }

    @Test
    void ifMatchPreventsLostUpdates() throws Exception {
        ok(post("/v1/admin/tenants", "{\"id\": \"t_etag\", \"allowed_envs\": [\"dev\"]}"));
        String etag = plinth.get("/v1/admin/tenants/t_etag", admin()).headers().firstValue("ETag").orElseThrow();
        var first = plinth.send("PUT", "/v1/admin/tenants/t_etag", TestPlinth.with(admin(), "If-Match", etag),
                "{\"allowed_envs\": [\"dev\", \"prod\"]}");
        assertThat(first.statusCode()).as(first.body()).isEqualTo(200);
        var lost = plinth.send("PUT", "/v1/admin/tenants/t_etag", TestPlinth.with(admin(), "If-Match", etag),
                "{\"allowed_envs\": [\"dev\"], \"status\": \"suspended\"}");
        assertThat(lost.statusCode()).isEqualTo(412);
        assertThat(code(lost)).isEqualTo("PRECONDITION_FAILED");
        assertThat(JSON.readTree(plinth.get("/v1/admin/tenants/t_etag", admin()).body()).path("allowed_envs")).hasSize(2);
    }

    @Test
    void tSystemCannotBeSuspendedButCanBeUpdated() throws Exception {
        JsonNode current = JSON.readTree(plinth.get("/v1/admin/tenants/t_system", admin()).body());
        var suspend = plinth.send("PUT", "/v1/admin/tenants/t_system", admin(),
                ((com.fasterxml.jackson.databind.node.ObjectNode) current.deepCopy()).put("status", "suspended").toString());
        assertThat(code(suspend)).isEqualTo("PROTECTED");
    }

    @Test
    void listingIsPaginatedInIdOrder() throws Exception {
        for (int i = 0; i < 5; i++) {
            ok(post("/v1/admin/users", "{\"id\": \"u_page" + i + "\"}"));
        }
        var seen = new java.util.ArrayList<String>();
        String token = null;
        do {
            JsonNode page = ok(plinth.get("/v1/admin/users?page_size=2" + (token == null ? "" : "&page_token=" + token), admin()));
            page.path("items").forEach(u -> seen.add(u.path("id").asText()));
            token = page.path("next_page_token").isNull() ? null : page.path("next_page_token").asText();
        } while (token != null);
        assertThat(seen).isSorted().contains("u_admin", "u_page0", "u_page4").doesNotHaveDuplicates();
    }

    @Test
    void tenantOwnerManagesItsOwnMembersButNothingGlobal() throws Exception {
        var owner = as("u_owner", "t_acme", "dev");
        ok(plinth.send("POST", "/v1/admin/tenants/t_acme/projects", owner, "{\"id\": \"p_owned\", \"app\": \"a_notes\", \"name\": \"Owned\"}"));
        ok(plinth.send("PUT", "/v1/admin/tenants/t_acme/members/u_viewer", owner, "{\"roles\": [\"member\"]}"));
        assertThat(plinth.get("/v1/admin/tenants/t_acme", owner).statusCode()).isEqualTo(200);

        var global = plinth.send("POST", "/v1/admin/users", owner, "{\"id\": \"u_sneaky\"}");
        assertThat(global.statusCode()).isEqualTo(403);
        assertThat(code(global)).isEqualTo("FORBIDDEN");
        var otherTenant = plinth.get("/v1/admin/tenants/t_system/members", owner);
        assertThat(code(otherTenant)).isEqualTo("CONTEXT_MISMATCH");
        var viewer = plinth.send("POST", "/v1/admin/tenants/t_acme/members", as("u_viewer", "t_acme", "dev"),
                "{\"id\": \"u_owner\", \"roles\": [\"viewer\"]}");
        assertThat(code(viewer)).isEqualTo("FORBIDDEN");
        var mismatch = plinth.send("POST", "/v1/admin/tenants/t_acme/members", owner,
                "{\"id\": \"u_admin\", \"roles\": [\"viewer\"], \"tenant_id\": \"t_system\"}");
        assertThat(code(mismatch)).isEqualTo("CONTEXT_MISMATCH");
    }

    @Test
    void effectiveModeComesFromTheSurfaceWhenTheTenantHasNone() throws Exception {
        var owner = as("u_owner", "t_acme", "dev");
        var scoped = TestPlinth.with(TestPlinth.with(owner, "X-Surface-Id", "s_squared"), "X-App-Id", "a_notes");
        JsonNode context = awaitContext(scoped);
        assertThat(context.path("mode").asText()).isEqualTo("lab");
        assertThat(context.path("surface_id").asText()).isEqualTo("s_squared");
        JsonNode plain = awaitContext(owner);
        assertThat(plain.path("mode").asText()).isEqualTo("saas");

        // Setting the tenant's mode is a data write; the next request sees it.
        JsonNode tenant = JSON.readTree(plinth.get("/v1/admin/tenants/t_acme", admin()).body());
        var put = plinth.send("PUT", "/v1/admin/tenants/t_acme", TestPlinth.with(admin(), "X-Min-Revision", "tenants:0"),
                ((com.fasterxml.jackson.databind.node.ObjectNode) tenant).put("mode", "enterprise").toString());
        String revision = ok(put).path("revision").asText();
        JsonNode after = ok(plinth.get("/v1/context", TestPlinth.with(owner, "X-Min-Revision", revision)));
        assertThat(after.path("mode").asText()).isEqualTo("enterprise");
    }

    /** The admin API's writes reach this replica's snapshot through its listener: read with a bounded retry. */
    private static JsonNode awaitContext(Map<String, String> headers) throws Exception {
        var r = await("the context resolves").atMost(java.time.Duration.ofSeconds(5)).pollInterval(java.time.Duration.ofMillis(50))
                .until(() -> plinth.get("/v1/context", headers), answer -> answer.statusCode() == 200);
        return JSON.readTree(r.body());
    }
}
