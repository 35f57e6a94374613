package dev.plinth.datasync;

import com.google.cloud.firestore.DocumentSnapshot;
import dev.plinth.datasync.model.Records;
import dev.plinth.datasync.model.Records.App;
import dev.plinth.datasync.model.Records.Identity;
import dev.plinth.datasync.model.Records.Project;
import dev.plinth.datasync.model.Records.Subscription;
import dev.plinth.datasync.model.Records.Surface;
import dev.plinth.datasync.model.Records.IdentityProvider;
import dev.plinth.datasync.model.Records.Membership;
import dev.plinth.datasync.model.Records.Mode;
import dev.plinth.datasync.model.Records.SecretMapping;
import dev.plinth.datasync.model.Records.Tenant;
import dev.plinth.datasync.model.Records.User;
import java.util.List;
import java.util.Map;

/** Turns Firestore documents into records. Missing optional fields get their documented defaults. */
final class DocumentParser {
    private DocumentParser() {}

    static Tenant tenant(DocumentSnapshot d) {
        return new Tenant(d.getId(), str(d, "status", "active"), str(d, "mode", null),
                strings(d, "allowed_envs"), strings(d, "surfaces"), stringMap(d, "labels"), str(d, "display_name", null),
                objectMap(d, "defaults"));
    }

    static User user(DocumentSnapshot d) {
        List<Identity> identities = maps(d, "identities").stream()
                .map(m -> new Identity(String.valueOf(m.get("issuer")), String.valueOf(m.get("subject"))))
                .toList();
        return new User(d.getId(), str(d, "status", "active"), identities);
    }

    /** A membership lives at {@code tenants/{t}/members/{u}}: the tenant is the grandparent. */
    static Membership membership(DocumentSnapshot d) {
        return new Membership(tenantOf(d), d.getId(), strings(d, "roles"), str(d, "status", "active"));
    }

    static Surface surface(DocumentSnapshot d) {
        return new Surface(d.getId(), str(d, "status", "active"), str(d, "mode", null), objectMap(d, "policy_defaults"),
                str(d, "display_name", null));
    }

    static App app(DocumentSnapshot d) {
        return new App(d.getId(), str(d, "surface", null), Boolean.TRUE.equals(d.getBoolean("subscribable")),
                str(d, "status", "active"), str(d, "display_name", null));
    }

    static Subscription subscription(DocumentSnapshot d) {
        return new Subscription(tenantOf(d), d.getId(), str(d, "status", "active"));
    }

    static Project project(DocumentSnapshot d) {
        return new Project(tenantOf(d), d.getId(), str(d, "app", null), str(d, "name", null), str(d, "status", "active"));
    }

    /** The tenant of a document at {@code tenants/{t}/<collection>/{id}}. */
    static String tenantOf(DocumentSnapshot d) {
        return d.getReference().getParent().getParent().getId();
    }

    static Records.Backend backend(DocumentSnapshot d) {
        return new Records.Backend(d.getId(), str(d, "type", null), objectMap(d, "settings"), stringMap(d, "secrets"),
                str(d, "status", "active"));
    }

    static Records.Route route(DocumentSnapshot d) {
        return new Records.Route(d.getId(), str(d, "kind", null), str(d, "tenant", "*"), str(d, "surface", "*"),
                str(d, "app", "*"), str(d, "project", "*"), str(d, "backend", null));
    }

    static Records.ResourceKind resourceKind(DocumentSnapshot d) {
        return new Records.ResourceKind(d.getId(), str(d, "model", null), str(d, "description", null));
    }

    static Mode mode(DocumentSnapshot d) {
        return new Mode(d.getId(), objectMap(d, "attributes"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> objectMap(DocumentSnapshot d, String field) {
        Object v = d.get(field);
        return v instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    static IdentityProvider identityProvider(DocumentSnapshot d) {
        return new IdentityProvider(d.getId(), str(d, "issuer", null), str(d, "audience", null),
                str(d, "algorithm", null), str(d, "key_secret", null), str(d, "jwks_url", null),
                Boolean.TRUE.equals(d.getBoolean("dev")));
    }

    static SecretMapping secret(DocumentSnapshot d) {
        return new SecretMapping(d.getId(), str(d, "provider", null), str(d, "reference", null));
    }

    private static String str(DocumentSnapshot d, String field, String fallback) {
        Object v = d.get(field);
        return v instanceof String s ? s : fallback;
    }

    private static List<String> strings(DocumentSnapshot d, String field) {
        Object v = d.get(field);
        if (v instanceof List<?> list) {
            return list.stream().filter(String.class::isInstance).map(String.class::cast).toList();
        }
        return List.of();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> maps(DocumentSnapshot d, String field) {
        Object v = d.get(field);
        if (v instanceof List<?> list) {
            return list.stream().filter(Map.class::isInstance).map(m -> (Map<String, Object>) m).toList();
        }
        return List.of();
    }

    private static Map<String, String> stringMap(DocumentSnapshot d, String field) {
        Object v = d.get(field);
        if (v instanceof Map<?, ?> m) {
            var out = new java.util.HashMap<String, String>();
            m.forEach((k, val) -> out.put(String.valueOf(k), String.valueOf(val)));
            return out;
        }
        return Map.of();
    }
}
