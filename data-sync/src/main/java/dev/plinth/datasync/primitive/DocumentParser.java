package dev.plinth.datasync.primitive;

import com.google.common.collect.Interner;
import com.google.common.collect.Interners;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns Firestore documents, as the Listen protocol delivers them (fields as plain Java
 * values, see {@link ListenWire}), into records. Missing optional fields get their
 * documented defaults.
 */
public final class DocumentParser {
    private DocumentParser() {}

    /**
     * Statuses, role lists, issuers, modes and apps repeat across up to millions of
     * documents; the snapshot keeps one copy of each (a third less heap at a million
     * memberships, and fewer long-lived objects for the collector to copy).
     */
    private static final Interner<Object> COMMON = Interners.newWeakInterner();

    @SuppressWarnings("unchecked")
    private static <T> T common(T value) {
        return value == null ? null : (T) COMMON.intern(value);
    }

    /**
     * A document: its path below {@code documents/}, its id, the tenant it lives under (for
     * {@code tenants/{t}/<collection>/{id}}, else null) and its fields as plain values
     * ({@link ListenWire}). The id and tenant are passed in rather than cut from the path so
     * that a record shares one string with its map key, and a tenant's memberships share
     * one tenant id (a tenth less heap at a million memberships).
     */
    public record Doc(String path, String id, String tenant, Map<String, Object> fields) {
        Object get(String field) {
            return fields.get(field);
        }
    }

    static Tenant tenant(Doc d) {
        return new Tenant(d.id(), common(str(d, "status", "active")), common(str(d, "mode", null)),
                strings(d, "allowed_envs"), strings(d, "surfaces"), stringMap(d, "labels"), str(d, "display_name", null),
                objectMap(d, "defaults"));
    }

    static User user(Doc d) {
        var identities = new ArrayList<Identity>(1);
        for (Map<String, Object> m : maps(d, "identities")) {
            identities.add(new Identity(common(String.valueOf(m.get("issuer"))), String.valueOf(m.get("subject"))));
        }
        return new User(d.id(), common(str(d, "status", "active")), identities, str(d, "display_name", null));
    }

    /** A membership lives at {@code tenants/{t}/members/{u}}: the tenant is the grandparent. */
    static Membership membership(Doc d) {
        return new Membership(d.tenant(), d.id(), common(strings(d, "roles")), common(str(d, "status", "active")));
    }

    static Surface surface(Doc d) {
        return new Surface(d.id(), common(str(d, "status", "active")), common(str(d, "mode", null)), objectMap(d, "policy_defaults"),
                str(d, "display_name", null));
    }

    static App app(Doc d) {
        return new App(d.id(), str(d, "surface", null), Boolean.TRUE.equals(d.get("subscribable")),
                common(str(d, "status", "active")), str(d, "display_name", null));
    }

    static Subscription subscription(Doc d) {
        return new Subscription(d.tenant(), d.id(), common(str(d, "status", "active")));
    }

    static Project project(Doc d) {
        return new Project(d.tenant(), d.id(), common(str(d, "app", null)), str(d, "name", null), common(str(d, "status", "active")));
    }

    /** The last segment of a document path: the document's id. */
    public static String idOf(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }

    /** The tenant of a path {@code tenants/{t}/<collection>/{id}}; a path of any other shape is refused. */
    public static String tenantOf(String path) {
        // Called for each of a million memberships at a cold start: no regex, no array.
        int tenantEnd = path.indexOf('/', TENANTS.length());
        int collectionEnd = tenantEnd < 0 ? -1 : path.indexOf('/', tenantEnd + 1);
        if (!path.startsWith(TENANTS) || tenantEnd <= TENANTS.length() || collectionEnd <= tenantEnd + 1
                || collectionEnd == path.length() - 1 || path.indexOf('/', collectionEnd + 1) >= 0) {
            throw new IllegalArgumentException("not a tenant-scoped document (tenants/{t}/<collection>/{id}): " + path);
        }
        return path.substring(TENANTS.length(), tenantEnd);
    }

    private static final String TENANTS = "tenants/";

    static Records.Backend backend(Doc d) {
        return new Records.Backend(d.id(), str(d, "type", null), objectMap(d, "settings"), stringMap(d, "secrets"),
                common(str(d, "status", "active")));
    }

    static Records.Route route(Doc d) {
        return new Records.Route(d.id(), str(d, "kind", null), str(d, "tenant", "*"), str(d, "surface", "*"),
                str(d, "app", "*"), str(d, "project", "*"), str(d, "backend", null));
    }

    static Records.ResourceKind resourceKind(Doc d) {
        return new Records.ResourceKind(d.id(), str(d, "model", null), str(d, "description", null), str(d, "service", null));
    }

    static Mode mode(Doc d) {
        return new Mode(d.id(), objectMap(d, "attributes"), str(d, "display_name", null));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> objectMap(Doc d, String field) {
        Object v = d.get(field);
        return v instanceof Map<?, ?> m ? (Map<String, Object>) m : Map.of();
    }

    static IdentityProvider identityProvider(Doc d) {
        return new IdentityProvider(d.id(), str(d, "issuer", null), str(d, "audience", null),
                str(d, "algorithm", null), str(d, "key_secret", null), str(d, "jwks_url", null),
                Boolean.TRUE.equals(d.get("dev")),
                d.get("max_token_lifetime_seconds") instanceof Number n ? n.longValue() : 0);
    }

    static SecretMapping secret(Doc d) {
        return new SecretMapping(d.id(), str(d, "provider", null), str(d, "reference", null));
    }

    private static String str(Doc d, String field, String fallback) {
        Object v = d.get(field);
        return v instanceof String s ? s : fallback;
    }

    /** The strings of a list field (anything else in it is ignored), immutable. */
    private static List<String> strings(Doc d, String field) {
        if (d.get(field) instanceof List<?> list) {
            var out = new ArrayList<String>(list.size());
            for (Object o : list) {
                if (o instanceof String s) {
                    out.add(s);
                }
            }
            return List.copyOf(out);
        }
        return List.of();
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> maps(Doc d, String field) {
        if (d.get(field) instanceof List<?> list) {
            var out = new ArrayList<Map<String, Object>>(list.size());
            for (Object o : list) {
                if (o instanceof Map<?, ?> m) {
                    out.add((Map<String, Object>) m);
                }
            }
            return out;
        }
        return List.of();
    }

    private static Map<String, String> stringMap(Doc d, String field) {
        Object v = d.get(field);
        if (v instanceof Map<?, ?> m) {
            var out = new HashMap<String, String>();
            m.forEach((k, val) -> out.put(String.valueOf(k), String.valueOf(val)));
            return out;
        }
        return Map.of();
    }
}
