package dev.plinth.datasync.model;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/** The control-plane primitives of DESIGN.md §3, as immutable records. */
public final class Records {
    private Records() {}

    /**
     * {@code tenants/{id}}. {@code defaults} is read only on {@code t_system}: the platform
     * defaults (e.g. the default mode) that other tenants fall back to.
     */
    public record Tenant(String id, String status, String mode, List<String> allowedEnvs,
                         List<String> surfaces, Map<String, String> labels, String displayName,
                         Map<String, Object> defaults) {
        public Tenant {
            Objects.requireNonNull(id, "id");
            allowedEnvs = List.copyOf(allowedEnvs);
            surfaces = List.copyOf(surfaces);
            labels = Map.copyOf(labels);
            defaults = Map.copyOf(defaults);
        }
    }

    /** One identity-provider subject that maps to a user. */
    public record Identity(String issuer, String subject) {}

    /** {@code users/{id}}. */
    public record User(String id, String status, List<Identity> identities, String displayName) {
        public User {
            Objects.requireNonNull(id, "id");
            identities = List.copyOf(identities);
        }
    }

    /** {@code tenants/{tenantId}/members/{userId}}. */
    public record Membership(String tenantId, String userId, List<String> roles, String status) {
        public Membership {
            Objects.requireNonNull(tenantId, "tenantId");
            Objects.requireNonNull(userId, "userId");
            roles = List.copyOf(roles);
        }
    }

    /** {@code modes/{id}}: enterprise, saas, lab and their attributes. */
    public record Mode(String id, Map<String, Object> attributes, String displayName) {
        public Mode {
            attributes = Map.copyOf(attributes);
        }
    }

    /**
     * {@code identity_providers/{id}}: whose JWTs are accepted. The verification key is
     * never stored here: either the logical name of the secret that holds it, or the URL
     * of the issuer's public JWKS.
     */
    /**
     * {@code identity_providers/{id}}: an issuer whose tokens Plinth verifies.
     *
     * @param maxTokenLifetimeSeconds the longest a token of this issuer may live ({@code exp}
     *                                minus issue time), or 0 for the platform's
     *                                ({@code tenants/t_system.defaults.max_token_lifetime_seconds})
     */
    public record IdentityProvider(String id, String issuer, String audience, String algorithm,
                                   String keySecret, String jwksUrl, boolean dev, long maxTokenLifetimeSeconds) {}

    /** {@code secrets/{name}}: which provider holds a logical secret, and under what reference. */
    public record SecretMapping(String name, String provider, String reference) {}

    /** {@code surfaces/{id}}: scopes policy defaults and a mode across apps. */
    public record Surface(String id, String status, String mode, Map<String, Object> policyDefaults, String displayName) {
        public Surface {
            Objects.requireNonNull(id, "id");
            policyDefaults = Map.copyOf(policyDefaults);
        }
    }

    /** {@code apps/{id}}: a subscribable product unit on a surface. */
    public record App(String id, String surface, boolean subscribable, String status, String displayName) {}

    /** {@code tenants/{tenantId}/subscriptions/{appId}}. */
    public record Subscription(String tenantId, String appId, String status) {}

    /** {@code tenants/{tenantId}/projects/{id}}: a grouping under a tenant and a subscribed app. */
    public record Project(String tenantId, String id, String app, String name, String status) {}

    /**
     * {@code backends/{id}}: a place resources can live. {@code settings} are non-secret
     * connection settings; {@code secrets} maps a setting name to the logical secret that
     * holds its value (e.g. {@code password → redis_main_password}).
     */
    public record Backend(String id, String type, Map<String, Object> settings, Map<String, String> secrets, String status) {
        public Backend {
            settings = Map.copyOf(settings);
            secrets = Map.copyOf(secrets);
        }
    }

    /**
     * {@code routes/{id}}: resources of {@code kind} in this scope live in {@code backend}.
     * Each scope field is an id or {@code *}; the most specific matching route wins.
     */
    public record Route(String id, String kind, String tenant, String surface, String app, String project, String backend) {}

    /**
     * {@code resource_kinds/{id}}: a kind of routed resource and its model. {@code service}
     * names the Plinth service that owns the kind's data (e.g. {@code realtime}); such a kind
     * is reachable only through that service's API, never through {@code /v1/resources}.
     */
    public record ResourceKind(String id, String model, String description, String service) {}
}
