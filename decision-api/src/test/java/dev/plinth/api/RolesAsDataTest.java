package dev.plinth.api;

import static dev.plinth.api.TestPlinth.admin;
import static dev.plinth.api.TestPlinth.as;
import static dev.plinth.api.TestPlinth.with;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plinth.api.http.RouteSpec;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Roles are data (tenants/t_system.defaults.roles, read by plinth/authz/route): every
 * protected route × {owner, admin, member, viewer, non-member} of an ordinary tenant answers
 * what the role table says (viewers read only, members cannot manage, only t_system admins
 * touch global kinds); admins cannot demote, remove or create owners; the last owner stays,
 * also when two owners demote each other at once. (That the table is data, not code, is
 * proven in route_test.rego with another table.)
 */
class RolesAsDataTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TENANT = "t_roles";
    private static final List<String> ROLES = List.of("owner", "admin", "member", "viewer", "outsider");
    private static final Set<String> TENANT_MANAGED = Set.of("members", "projects", "subscriptions");
    private static TestPlinth plinth;
    private static String revision;

    @BeforeAll
    static void start() throws Exception {
        plinth = TestPlinth.start(RolesAsDataTest.class);
        TestPlinth.revisionOf(plinth.send("POST", "/v1/admin/tenants", admin(), "{\"id\": \"" + TENANT + "\", \"allowed_envs\": [\"dev\"]}"));
        for (String role : ROLES) {
            revision = TestPlinth.revisionOf(plinth.send("POST", "/v1/admin/users", admin(), "{\"id\": \"u_r_" + role + "\", \"identities\": "
                    + "[{\"issuer\": \"" + TestPlinth.DEV_ISSUER + "\", \"subject\": \"u_r_" + role + "\"}]}"));
            if (!role.equals("outsider")) {
                revision = TestPlinth.revisionOf(plinth.send("POST", "/v1/admin/tenants/" + TENANT + "/members", admin(),
                        "{\"id\": \"u_r_" + role + "\", \"roles\": [\"" + role + "\"]}"));
            }
        }
        revision = TestPlinth.revisionOf(plinth.send("POST", "/v1/admin/users", admin(), "{\"id\": \"u_r_second\", \"identities\": "
                + "[{\"issuer\": \"" + TestPlinth.DEV_ISSUER + "\", \"subject\": \"u_r_second\"}]}"));
    }

    @AfterAll
    static void stop() throws Exception {
        plinth.close();
    }

    private static Map<String, String> caller(String role) throws Exception {
        return with(as("u_r_" + role, TENANT, "dev"), "X-Min-Revision", revision);
    }

    static Stream<Arguments> routesByRole() {
        var out = new ArrayList<Arguments>();
        for (RouteSpec r : PlinthServer.routeTable()) {
            for (String role : ROLES) {
                out.add(Arguments.of(r.method().text() + " " + r.path(), role, r));
            }
        }
        return out.stream();
    }

    /** What the seeded role table grants a member of an ordinary tenant (docs/policies.md). */
    private static boolean allowed(RouteSpec r, String role) {
        if (role.equals("outsider")) {
            return false;
        }
        if (!r.admin()) {
            return r.action().equals("read") || !role.equals("viewer");
        }
        if ("tenants".equals(r.kind()) && r.action().equals("read") && r.path().endsWith("{id}")) {
            return true; // members read their own tenant's record
        }
        return TENANT_MANAGED.contains(r.kind()) && (role.equals("owner") || role.equals("admin"));
    }

    @ParameterizedTest(name = "{0} as {1}")
    @MethodSource("routesByRole")
    void everyRouteAnswersWhatTheRoleTableSays(String label, String role, RouteSpec r) throws Exception {
        var response = plinth.send(r.method().text(), RouteMatrixTest.concrete(r, TENANT), caller(role), r.jsonExample());
        String code = response.headers().firstValue("Content-Type").orElse("").contains("problem+json")
                ? JSON.readTree(response.body()).path("code").asText() : null;
        if (allowed(r, role)) {
            if (r.path().startsWith("/v1/realtime/") && "FORBIDDEN".equals(code)) {
                // Past the route policy, the thread's own ACL decides (plinth/realtime/acl).
                assertThat(response.body()).as(label + " as " + role).contains("on this thread");
                return;
            }
            assertThat(code).as(label + " as " + role + ": " + response.body()).isNotIn("FORBIDDEN", "CONTEXT_MISMATCH", "UNAUTHENTICATED");
            assertThat(response.statusCode()).as(label + " as " + role + ": " + response.body()).isLessThan(500);
        } else {
            assertThat(response.statusCode()).as(label + " as " + role + ": " + response.body()).isEqualTo(403);
            assertThat(code).isEqualTo("FORBIDDEN");
        }
    }

    private static HttpResponse<String> member(String actor, String method, String user, String body) throws Exception {
        String path = "/v1/admin/tenants/" + TENANT + "/members" + (method.equals("POST") ? "" : "/" + user);
        return plinth.send(method, path, caller(actor), body);
    }

    @Test
    void adminsCannotDemoteRemoveOrCreateOwnersAndTheLastOwnerStays() throws Exception {
        var demote = member("admin", "PUT", "u_r_owner", "{\"roles\": [\"member\"]}");
        assertThat(demote.statusCode()).as(demote.body()).isEqualTo(403);
        assertThat(demote.body()).contains("only an owner");
        assertThat(member("admin", "DELETE", "u_r_owner", null).statusCode()).isEqualTo(403);
        assertThat(member("admin", "POST", null, "{\"id\": \"u_r_outsider\", \"roles\": [\"owner\"]}").statusCode()).isEqualTo(403);
        assertThat(member("admin", "PUT", "u_r_admin", "{\"roles\": [\"owner\"]}").statusCode())
                .as("nor promote themselves").isEqualTo(403);

        for (String[] change : new String[][] {{"PUT", "{\"roles\": [\"admin\"]}"}, {"DELETE", null},
                {"PUT", "{\"roles\": [\"owner\"], \"status\": \"suspended\"}"}}) {
            var last = member("owner", change[0], "u_r_owner", change[1]);
            assertThat(last.statusCode()).as(last.body()).isEqualTo(409);
            assertThat(JSON.readTree(last.body()).path("code").asText()).isEqualTo("LAST_OWNER");
        }
        assertThat(JSON.readTree(plinth.get("/v1/admin/tenants/" + TENANT + "/members/u_r_owner", admin()).body())
                .path("roles").toString()).contains("owner");
    }

    @Test
    void twoOwnersDemotingEachOtherAtOnceLeaveOneOwner() throws Exception {
        revision = TestPlinth.revisionOf(plinth.send("POST", "/v1/admin/tenants/" + TENANT + "/members", admin(),
                "{\"id\": \"u_r_second\", \"roles\": [\"owner\"]}"));
        var results = new ArrayList<HttpResponse<String>>();
        try (var pool = java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor()) {
            var a = pool.submit(() -> plinth.send("PUT", "/v1/admin/tenants/" + TENANT + "/members/u_r_second",
                    with(as("u_r_owner", TENANT, "dev"), "X-Min-Revision", revision), "{\"roles\": [\"admin\"]}"));
            var b = pool.submit(() -> plinth.send("PUT", "/v1/admin/tenants/" + TENANT + "/members/u_r_owner",
                    with(as("u_r_second", TENANT, "dev"), "X-Min-Revision", revision), "{\"roles\": [\"admin\"]}"));
            results.add(a.get());
            results.add(b.get());
        }
        assertThat(results).extracting(HttpResponse::statusCode).as(results.toString()).contains(409);
        int owners = 0;
        for (String user : new String[] {"u_r_owner", "u_r_second"}) {
            if (JSON.readTree(plinth.get("/v1/admin/tenants/" + TENANT + "/members/" + user, admin()).body()).path("roles")
                    .toString().contains("owner")) {
                owners++;
            }
        }
        assertThat(owners).isEqualTo(1);
        // Restore the fixture: the owner the test expects.
        revision = TestPlinth.revisionOf(plinth.send("PUT", "/v1/admin/tenants/" + TENANT + "/members/u_r_owner", admin(), "{\"roles\": [\"owner\"]}"));
        revision = TestPlinth.revisionOf(plinth.send("PUT", "/v1/admin/tenants/" + TENANT + "/members/u_r_second", admin(), "{\"roles\": [\"admin\"]}"));
    }
}
