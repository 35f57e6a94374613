package dev.plinth.datasync.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plinth.datasync.model.Records.App;
import dev.plinth.datasync.model.Records.IdentityProvider;
import dev.plinth.datasync.model.Records.Membership;
import dev.plinth.datasync.model.Records.Mode;
import dev.plinth.datasync.model.Records.Project;
import dev.plinth.datasync.model.Records.SecretMapping;
import dev.plinth.datasync.model.Records.Subscription;
import dev.plinth.datasync.model.Records.Surface;
import dev.plinth.datasync.model.Records.Tenant;
import dev.plinth.datasync.model.Records.User;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One immutable, complete view of the control plane.
 *
 * <p>Per-request facts (tenant, user, membership, surface, app, subscription, project) are
 * O(1) map look-ups here and go to the policy as {@code input}; only slowly changing
 * global data ({@link #globalData()}) is loaded into the wasm instances, so a decision
 * costs the same with any number of tenants.
 *
 * @param revision  the newest Firestore read time (µs since the epoch) this view includes;
 *                  for display and provenance only — read-your-writes waits use {@code readTimes}
 * @param readTimes per listened collection, the read time (µs) its listener has reached
 * @param platform  {@code tenants/t_system.defaults}, typed (built once per change of t_system:
 *                  the token verifier reads it on every cache hit)
 * @param generation unique to this snapshot in this process and larger for every later one:
 *                  the version of values derived from it (the engine's global data, cached
 *                  facts). Not the revision: a change that one listener delivers with a read
 *                  time below another listener's leaves the revision where it was.
 */
public record Snapshot(
        long revision,
        Map<String, Long> readTimes,
        Entities entities,
        Map<String, Map<String, String>> userByIdentity,
        Map<String, IdentityProvider> providerByIssuer,
        Map<String, Records.Route> routeByScope,
        JsonNode globalData,
        PlatformDefaults platform,
        long generation) {

    public static final String SYSTEM_TENANT = "t_system";

    private static final java.util.concurrent.atomic.AtomicLong GENERATIONS = new java.util.concurrent.atomic.AtomicLong();

    /**
     * The entity maps, keyed by id (members, subscriptions and projects by
     * {@code tenantId/id}).
     */
    public record Entities(Map<String, Tenant> tenants, Map<String, User> users, Map<String, Membership> memberships,
                           Map<String, Mode> modes, Map<String, IdentityProvider> identityProviders,
                           Map<String, SecretMapping> secrets, Map<String, Surface> surfaces, Map<String, App> apps,
                           Map<String, Subscription> subscriptions, Map<String, Project> projects,
                           Map<String, Records.Backend> backends, Map<String, Records.Route> routes,
                           Map<String, Records.ResourceKind> resourceKinds) {}

    /** Builds a snapshot, deriving the indexes and the global data from the entity maps. */
    public static Snapshot of(long revision, Map<String, Long> readTimes, Entities e) {
        return of(revision, readTimes, e, null);
    }

    /**
     * Builds a snapshot, reusing the previous one's derived indexes and global data where
     * the maps they derive from are the very same objects (collections are shared between
     * snapshots while they do not change), so a membership change does not re-index users.
     */
    public static Snapshot of(long revision, Map<String, Long> readTimes, Entities e, Snapshot previous) {
        return of(revision, readTimes, e, previous, null);
    }

    /**
     * As {@link #of(long, Map, Entities, Snapshot)}; when {@code changedUsers} names every user
     * that differs from {@code previous}'s, the identity index is updated for those users
     * alone instead of re-indexing all of them (a user write at a million users would
     * otherwise rebuild a million-entry index on the listener thread).
     */
    public static Snapshot of(long revision, Map<String, Long> readTimes, Entities e, Snapshot previous,
                              Set<String> changedUsers) {
        // Issuer → subject → user id, keyed by the strings the users already hold (no key
        // strings built: at a million users that is ~80 MB and a second less on the listener thread).
        Map<String, Map<String, String>> byIdentity;
        if (previous != null && previous.entities.users() == e.users()) {
            byIdentity = previous.userByIdentity;
        } else if (previous != null && changedUsers != null && previous.userByIdentity instanceof PersistentMap<String, Map<String, String>> index) {
            for (String id : changedUsers) {
                User before = previous.entities.users().get(id);
                if (before != null) {
                    for (var i : before.identities()) {
                        if (index.get(i.issuer()) instanceof PersistentMap<String, String> bySubject && id.equals(bySubject.get(i.subject()))) {
                            bySubject = bySubject.minus(i.subject());
                            index = bySubject.isEmpty() ? index.minus(i.issuer()) : index.plus(i.issuer(), bySubject);
                        }
                    }
                }
                User after = e.users().get(id);
                if (after != null) {
                    for (var i : after.identities()) {
                        PersistentMap<String, String> bySubject = index.get(i.issuer()) instanceof PersistentMap<String, String> m ? m : PersistentMap.empty();
                        index = index.plus(i.issuer(), bySubject.plus(i.subject(), id));
                    }
                }
            }
            byIdentity = index;
        } else {
            var index = new HashMap<String, HashMap<String, String>>();
            e.users().values().forEach(u -> u.identities().forEach(i ->
                    index.computeIfAbsent(i.issuer(), k -> new HashMap<>()).put(i.subject(), u.id())));
            var adopted = new HashMap<String, Map<String, String>>();
            index.forEach((issuer, bySubject) -> adopted.put(issuer, PersistentMap.adopt(bySubject)));
            byIdentity = PersistentMap.adopt(adopted);
        }
        Map<String, IdentityProvider> byIssuer;
        if (previous != null && previous.entities.identityProviders() == e.identityProviders()) {
            byIssuer = previous.providerByIssuer;
        } else {
            var index = new HashMap<String, IdentityProvider>();
            e.identityProviders().values().forEach(p -> index.put(p.issuer(), p));
            byIssuer = Map.copyOf(index);
        }
        Tenant system = e.tenants().get(SYSTEM_TENANT);
        boolean sameSystem = previous != null && java.util.Objects.equals(previous.entities.tenants().get(SYSTEM_TENANT), system);
        JsonNode global;
        if (sameSystem && previous.entities.modes() == e.modes()) {
            global = previous.globalData;
        } else {
            global = globalData(e.modes(), system == null ? Map.of() : system.defaults());
        }
        PlatformDefaults platform = sameSystem ? previous.platform
                : system == null ? PlatformDefaults.NONE : PlatformDefaults.of(system.defaults());
        Map<String, Records.Route> byScope;
        if (previous != null && previous.entities.routes() == e.routes()) {
            byScope = previous.routeByScope;
        } else {
            var index = new HashMap<String, Records.Route>();
            e.routes().values().forEach(r -> index.put(routeKey(r.kind(), r.tenant(), r.surface(), r.app(), r.project()), r));
            byScope = Map.copyOf(index);
        }
        return new Snapshot(revision, Map.copyOf(readTimes), e, byIdentity, byIssuer, byScope, global, platform,
                GENERATIONS.incrementAndGet());
    }

    private static JsonNode globalData(Map<String, Mode> modes, Map<String, Object> systemDefaults) {
        ObjectNode plinth = JsonNodeFactory.instance.objectNode();
        plinth.set("defaults", Json.MAPPER.valueToTree(systemDefaults));
        plinth.set("modes", Json.MAPPER.valueToTree(modes));
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.set("plinth", plinth);
        return root;
    }

    /** The key of a route's exact scope; {@code *} stands for "any". */
    public static String routeKey(String kind, String tenant, String surface, String app, String project) {
        return kind + "|" + tenant + "|" + surface + "|" + app + "|" + project;
    }

    /**
     * Every route of {@code kind} whose scope matches: each scope field either names the
     * given value or is {@code *}. At most 16 look-ups, whatever the number of routes.
     */
    public java.util.List<Records.Route> matchingRoutes(String kind, String tenant, String surface, String app, String project) {
        var found = new java.util.ArrayList<Records.Route>();
        String[] values = {tenant, surface, app, project};
        for (int mask = 0; mask < 16; mask++) {
            String[] scope = new String[4];
            boolean possible = true;
            for (int i = 0; i < 4; i++) {
                boolean specific = (mask & (1 << i)) != 0;
                if (specific && values[i] == null) {
                    possible = false;
                    break;
                }
                scope[i] = specific ? values[i] : "*";
            }
            if (possible) {
                Records.Route r = routeByScope.get(routeKey(kind, scope[0], scope[1], scope[2], scope[3]));
                if (r != null) {
                    found.add(r);
                }
            }
        }
        return found;
    }

    /** Key of a document under a tenant: members, subscriptions, projects. */
    public static String tenantScopedKey(String tenantId, String id) {
        return tenantId + "/" + id;
    }

    public Map<String, Tenant> tenants() {
        return entities.tenants();
    }

    public Map<String, Mode> modes() {
        return entities.modes();
    }

    public Map<String, SecretMapping> secrets() {
        return entities.secrets();
    }

    public Map<String, IdentityProvider> identityProviders() {
        return entities.identityProviders();
    }

    public Optional<Tenant> tenant(String id) {
        return lookup(entities.tenants(), id);
    }

    public Optional<User> user(String id) {
        return lookup(entities.users(), id);
    }

    public Optional<Membership> membership(String tenantId, String userId) {
        return tenantId == null ? Optional.empty() : lookup(entities.memberships(), userId == null ? null : tenantScopedKey(tenantId, userId));
    }

    public Optional<Surface> surface(String id) {
        return lookup(entities.surfaces(), id);
    }

    public Optional<App> app(String id) {
        return lookup(entities.apps(), id);
    }

    public Optional<Subscription> subscription(String tenantId, String appId) {
        return tenantId == null ? Optional.empty() : lookup(entities.subscriptions(), appId == null ? null : tenantScopedKey(tenantId, appId));
    }

    public Optional<Project> project(String tenantId, String projectId) {
        return tenantId == null ? Optional.empty() : lookup(entities.projects(), projectId == null ? null : tenantScopedKey(tenantId, projectId));
    }

    public Optional<User> userForIdentity(String issuer, String subject) {
        Map<String, String> bySubject = userByIdentity.get(issuer);
        return Optional.ofNullable(bySubject == null || subject == null ? null : bySubject.get(subject)).map(entities.users()::get);
    }

    public Optional<IdentityProvider> providerForIssuer(String issuer) {
        return lookup(providerByIssuer, issuer);
    }

    private static <T> Optional<T> lookup(Map<String, T> map, String key) {
        return key == null ? Optional.empty() : Optional.ofNullable(map.get(key));
    }
}
