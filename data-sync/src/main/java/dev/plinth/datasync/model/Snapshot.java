package dev.plinth.datasync.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.plinth.datasync.model.Records.IdentityProvider;
import dev.plinth.datasync.model.Records.Membership;
import dev.plinth.datasync.model.Records.Mode;
import dev.plinth.datasync.model.Records.SecretMapping;
import dev.plinth.datasync.model.Records.Tenant;
import dev.plinth.datasync.model.Records.User;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * One immutable, complete view of the control plane.
 *
 * <p>Per-request facts (tenant, user, membership) are O(1) map look-ups here and go to
 * the policy as {@code input}; only slowly changing global data ({@link #globalData()})
 * is loaded into the wasm instances, so a decision costs the same with any number of
 * tenants.
 *
 * @param revision   the newest Firestore read time (µs since the epoch) this view includes
 * @param readTimes  per listener, the read time (µs) it has reached
 */
public record Snapshot(
        long revision,
        Map<String, Long> readTimes,
        Map<String, Tenant> tenants,
        Map<String, User> users,
        Map<String, Membership> memberships,
        Map<String, Mode> modes,
        Map<String, IdentityProvider> identityProviders,
        Map<String, SecretMapping> secrets,
        Map<String, String> userByIdentity,
        Map<String, IdentityProvider> providerByIssuer,
        JsonNode globalData) {

    public static final String SYSTEM_TENANT = "t_system";

    /** Builds a snapshot, deriving the indexes and the global data from the entity maps. */
    public static Snapshot of(long revision, Map<String, Long> readTimes, Map<String, Tenant> tenants,
                              Map<String, User> users, Map<String, Membership> memberships,
                              Map<String, Mode> modes, Map<String, IdentityProvider> identityProviders,
                              Map<String, SecretMapping> secrets, Map<String, Object> systemDefaults) {
        var byIdentity = new HashMap<String, String>();
        users.values().forEach(u -> u.identities().forEach(i -> byIdentity.put(identityKey(i.issuer(), i.subject()), u.id())));
        var byIssuer = new HashMap<String, IdentityProvider>();
        identityProviders.values().forEach(p -> byIssuer.put(p.issuer(), p));
        return new Snapshot(revision, Map.copyOf(readTimes), tenants, users, memberships, modes, identityProviders,
                secrets, Map.copyOf(byIdentity), Map.copyOf(byIssuer), globalData(modes, systemDefaults));
    }

    private static JsonNode globalData(Map<String, Mode> modes, Map<String, Object> systemDefaults) {
        var json = Json.MAPPER;
        ObjectNode plinth = JsonNodeFactory.instance.objectNode();
        plinth.set("defaults", json.valueToTree(systemDefaults));
        plinth.set("modes", json.valueToTree(modes));
        ObjectNode root = JsonNodeFactory.instance.objectNode();
        root.set("plinth", plinth);
        return root;
    }

    public static String identityKey(String issuer, String subject) {
        return issuer + "\u0000" + subject;
    }

    public static String membershipKey(String tenantId, String userId) {
        return tenantId + "/" + userId;
    }

    public Optional<Tenant> tenant(String id) {
        return Optional.ofNullable(id == null ? null : tenants.get(id));
    }

    public Optional<User> user(String id) {
        return Optional.ofNullable(id == null ? null : users.get(id));
    }

    public Optional<Membership> membership(String tenantId, String userId) {
        if (tenantId == null || userId == null) {
            return Optional.empty();
        }
        return Optional.ofNullable(memberships.get(membershipKey(tenantId, userId)));
    }

    public Optional<User> userForIdentity(String issuer, String subject) {
        return Optional.ofNullable(userByIdentity.get(identityKey(issuer, subject))).map(users::get);
    }

    public Optional<IdentityProvider> providerForIssuer(String issuer) {
        return Optional.ofNullable(issuer == null ? null : providerByIssuer.get(issuer));
    }
}
