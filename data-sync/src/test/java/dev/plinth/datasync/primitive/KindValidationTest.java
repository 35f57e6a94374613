package dev.plinth.datasync.primitive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The id grammar of every primitive, and what each kind references: pure rules, no Firestore. */
class KindValidationTest {

    private static final Map<Kind, Map<String, Object>> MINIMAL = Map.of(
            Kind.TENANTS, Map.of("allowed_envs", List.of("dev")),
            Kind.USERS, Map.of(),
            Kind.MODES, Map.of(),
            Kind.SURFACES, Map.of(),
            Kind.APPS, Map.of("surface", "s_home"),
            Kind.IDENTITY_PROVIDERS, Map.of("issuer", "i", "audience", "a", "algorithm", "RS256", "jwks_url", "https://x/jwks"),
            Kind.MEMBERS, Map.of("roles", List.of("member")),
            Kind.SUBSCRIPTIONS, Map.of(),
            Kind.PROJECTS, Map.of("app", "a_notes", "name", "P"));

    @ParameterizedTest(name = "{0} {1} valid={2}")
    @CsvSource(delimiter = '|', textBlock = """
        TENANTS            | t_acme       | true
        TENANTS            | t_a-b_9      | true
        TENANTS            | t_           | false
        TENANTS            | acme         | false
        TENANTS            | t_Acme       | false
        TENANTS            | t_acmé       | false
        TENANTS            | t_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa | true
        TENANTS            | t_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa | false
        USERS              | u_ana        | true
        USERS              | ana          | false
        USERS              | u_ana smith  | false
        MODES              | enterprise   | true
        MODES              | -lab         | false
        SURFACES           | s_squared    | true
        SURFACES           | squared      | false
        APPS               | a_notes      | true
        APPS               | s_notes      | false
        IDENTITY_PROVIDERS | google-oidc  | true
        IDENTITY_PROVIDERS | Google       | false
        MEMBERS            | u_ana        | true
        MEMBERS            | t_ana        | false
        SUBSCRIPTIONS      | a_notes      | true
        SUBSCRIPTIONS      | notes        | false
        PROJECTS           | p_one        | true
        PROJECTS           | one          | false
        """)
    void idGrammars(Kind kind, String id, boolean valid) {
        assertThat(id.length() <= 64 || !valid).as("ids are at most 64 characters").isTrue();
        if (valid) {
            assertThat(kind.validate("t_acme", id, MINIMAL.get(kind)).document()).isNotNull();
        } else {
            assertThatThrownBy(() -> kind.validate("t_acme", id, MINIMAL.get(kind)))
                    .isInstanceOf(Kind.Invalid.class).hasMessageContaining("must match");
        }
    }

    @Test
    void referencesAreDeclaredForEveryRelation() {
        assertThat(paths(Kind.MEMBERS.validate("t_acme", "u_ana", MINIMAL.get(Kind.MEMBERS))))
                .containsExactlyInAnyOrder("tenants/t_acme", "users/u_ana");
        assertThat(paths(Kind.PROJECTS.validate("t_acme", "p_one", MINIMAL.get(Kind.PROJECTS))))
                .containsExactlyInAnyOrder("tenants/t_acme", "tenants/t_acme/subscriptions/a_notes");
        assertThat(paths(Kind.SUBSCRIPTIONS.validate("t_acme", "a_notes", Map.of())))
                .containsExactlyInAnyOrder("tenants/t_acme", "apps/a_notes");
        assertThat(paths(Kind.APPS.validate(null, "a_notes", MINIMAL.get(Kind.APPS)))).containsExactly("surfaces/s_home");
        assertThat(paths(Kind.TENANTS.validate(null, "t_x", Map.of("allowed_envs", List.of("dev"), "mode", "lab",
                "surfaces", List.of("s_home"))))).containsExactlyInAnyOrder("modes/lab", "surfaces/s_home");
    }

    @Test
    void derivedFieldsAreWrittenByPlinthNotTheCaller() {
        var doc = Kind.MEMBERS.validate("t_acme", "u_ana", Map.of("roles", List.of("owner"), "tenant_id", "t_evil")).document();
        assertThat(doc).containsEntry("tenant_id", "t_acme").containsEntry("user_id", "u_ana").containsEntry("status", "active");
    }

    @Test
    void everyErrorIsReportedAtOnce() {
        assertThatThrownBy(() -> Kind.TENANTS.validate(null, "bad", Map.of("allowed_envs", "dev", "colour", "red")))
                .isInstanceOfSatisfying(Kind.Invalid.class, e -> assertThat(e.errors()).hasSize(3));
    }

    private static List<String> paths(Kind.Validated v) {
        return v.references().stream().map(Kind.Ref::path).toList();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', textBlock = """
        {"type": "redis", "settings": {"host": "h", "port": 6379}}                                 | true  |
        {"type": "redis", "settings": {"host": "h", "port": 6379, "database": 2}}                  | true  |
        {"type": "redis", "settings": {"host": "h", "port": 6379}, "secrets": {"password": "pw"}}  | true  |
        {"type": "redis", "settings": {"host": "h", "port": 6379, "auth": "hunter2"}}              | false | 'auth' is not one
        {"type": "redis", "settings": {"host": "h", "port": 6379, "dsn": "redis://:pw@h"}}         | false | 'dsn' is not one
        {"type": "redis", "settings": {"host": "h", "port": "6379"}}                               | false | 'port' must be an integer
        {"type": "redis", "settings": {"host": "h", "port": 6379}, "secrets": {"pwd": "pw"}}       | false | 'pwd' is not one
        {"type": "redis", "settings": {"host": "h", "port": 6380, "tls": true}, "secrets": {"password": "pw", "ca_certificate": "ca"}} | true |
        {"type": "redis", "settings": {"host": "h", "port": 6380, "tls": "yes"}}                   | false | 'tls' must be true or false
        {"type": "redis", "settings": {"host": "h", "port": 6379}, "secrets": {"password": "hunter2 x"}} | false | must name a logical secret
        {"type": "firestore", "settings": {"database": "(default)", "collection": "resources"}}   | true  |
        {"type": "firestore", "settings": {"host": "h"}}                                          | false | 'host' is not one
        """)
    void backendSettingsFollowTheirTypesSchema(String body, boolean valid, String error) throws Exception {
        @SuppressWarnings("unchecked")
        Map<String, Object> input = new com.fasterxml.jackson.databind.ObjectMapper().readValue(body, Map.class);
        if (valid) {
            assertThat(Kind.BACKENDS.validate(null, "b1", input).document()).isNotNull();
        } else {
            assertThatThrownBy(() -> Kind.BACKENDS.validate(null, "b1", input)).isInstanceOf(Kind.Invalid.class)
                    .hasMessageContaining(error);
        }
    }
}
