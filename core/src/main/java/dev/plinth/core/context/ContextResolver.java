package dev.plinth.core.context;

import dev.plinth.core.PlinthException;

import com.fasterxml.jackson.databind.JsonNode;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.plinth.core.auth.Credentials;
import dev.plinth.core.auth.TokenFacts;
import dev.plinth.core.auth.TokenVerifier;
import dev.plinth.core.inputs.AuthzDecisionInput;
import dev.plinth.datasync.model.Json;
import dev.plinth.datasync.model.Records.App;
import dev.plinth.datasync.model.Records.Membership;
import dev.plinth.datasync.model.Records.Project;
import dev.plinth.datasync.model.Records.User;
import dev.plinth.datasync.model.Snapshot;
import dev.plinth.engine.api.PolicyEngine;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Resolves a {@link RequestContext} from what a caller presents ({@link Credentials}) and
 * where it says it acts ({@link Scope}). Java only gathers facts —
 * verified credentials, header values, and the tenant, user and membership records from
 * the current {@link Snapshot} — and the policy {@code plinth/authz/decision} decides.
 * Fails closed: an engine error or an undefined decision is never an allow.
 */
public final class ContextResolver {

    public static final String ENTRYPOINT = AuthzDecisionInput.ENTRYPOINT;

    /** What a caller asked with: on one snapshot, equal asks gather the same facts. */
    private record Ask(TokenFacts credentials, Scope scope) {}

    private final Supplier<Optional<Snapshot>> snapshots;
    private final Supplier<PolicyEngine> engine;
    private final TokenVerifier tokens;

    /**
     * A context resolved from facts gathered on the snapshot of this generation, decided by
     * this bundle with this global data; valid while all three are current. Numbers and
     * the revision, not the snapshot and the engine: entries must not pin old ones.
     */
    private record Gathered(long generation, String bundleRevision, long dataVersion, RequestContext context) {}

    /*
     * Gathering facts is O(1) but costs four look-ups in maps as large as the control plane
     * (identity index, users, memberships, tenants): with a million memberships those are
     * cache misses, ~4 µs a call instead of ~0.5 µs with a hundred. A caller repeats its
     * requests, so the resolved contexts of recent callers are kept per snapshot generation,
     * engine and global-data version; any change to the control plane makes a new snapshot
     * (and a bundle activation a new engine), and entries of older ones are resolved afresh.
     */
    private final Cache<Ask, Gathered> gathered = Caffeine.newBuilder().maximumSize(100_000).build();

    public ContextResolver(Supplier<Optional<Snapshot>> snapshots, Supplier<PolicyEngine> engine, TokenVerifier tokens) {
        this.snapshots = snapshots;
        this.engine = engine;
        this.tokens = tokens;
    }

    /**
     * Whether the credentials verify (signature, issuer, audience, expiry), without the rest
     * of the context: what an X-Min-Revision wait needs first, so an anonymous caller is told
     * 401 at once instead of being held. Verification is cached, so the resolution after it
     * costs nothing more.
     */
    public boolean authenticates(Credentials credentials) {
        return snapshots.get().map(s -> tokens.verify(credentials, s).verified()).orElse(false);
    }

    /**
     * @throws PlinthException with the policy's status, code and reason when it denies;
     *                          503 {@code NOT_READY} before the first complete snapshot
     */
    public RequestContext resolve(Credentials presented, Scope headers) {
        Snapshot snapshot = snapshots.get().orElseThrow(() -> new PlinthException.NotReady("NOT_READY",
                "the control-plane snapshot is not loaded yet; retry shortly"));
        TokenFacts credentials = tokens.verify(presented, snapshot);
        // What facts are gathered from: on one snapshot, equal keys gather the same facts.
        var key = new Ask(credentials, headers);
        PolicyEngine policy = engine.get();
        long dataVersion = policy.dataVersion();
        // Kept only where the engine caches decisions: the same purity assumption, one switch.
        boolean keep = policy.cachesDecisions();
        Gathered known = keep ? gathered.getIfPresent(key) : null;
        if (known != null && known.generation() == snapshot.generation() && known.dataVersion() == dataVersion
                && known.bundleRevision().equals(policy.bundleRevision())) {
            return known.context();
        }
        AuthzDecisionInput facts = facts(headers, credentials, snapshot);
        JsonNode decision = Decisions.enforce(ENTRYPOINT,
                () -> policy.evaluateCached(ENTRYPOINT, facts, () -> Json.MAPPER.valueToTree(facts)));
        JsonNode c = decision.path("context");
        List<String> roles = new ArrayList<>();
        c.path("roles").forEach(r -> roles.add(r.asText()));
        var context = new RequestContext(c.path("tenant_id").asText(), c.path("env").asText(), c.path("user_id").asText(),
                roles, text(c, "mode"), text(c, "surface_id"), text(c, "app_id"), text(c, "project_id"),
                snapshot.revision(), policy.bundleRevision());
        // Denials throw above and are not kept: a refused caller is decided afresh each time.
        if (keep) {
            gathered.put(key, new Gathered(snapshot.generation(), policy.bundleRevision(), dataVersion, context));
        }
        return context;
    }

    private static String text(JsonNode node, String field) {
        return node.path(field).isTextual() ? node.path(field).asText() : null;
    }

    private static AuthzDecisionInput facts(Scope headers, TokenFacts credentials, Snapshot snapshot) {
        String tenantId = headers.tenantId();
        User user = credentials.verified()
                ? snapshot.userForIdentity(credentials.issuer(), credentials.subject()).orElse(null)
                : null;
        Membership membership = user == null ? null : snapshot.membership(tenantId, user.id()).orElse(null);
        // Scope: the named surface, the app (named, else the named project's) with its
        // surface, the tenant's subscription to that app, and the named project.
        Project project = snapshot.project(tenantId, headers.projectId()).orElse(null);
        String appId = headers.appId() != null ? headers.appId() : project == null ? null : project.app();
        App app = snapshot.app(appId).orElse(null);
        return new AuthzDecisionInput(credentials, headers, snapshot.tenant(tenantId).orElse(null), user, membership,
                snapshot.surface(headers.surfaceId()).orElse(null), project, app,
                app == null ? null : snapshot.surface(app.surface()).orElse(null), snapshot.subscription(tenantId, appId).orElse(null));
    }
}
