package dev.plinth.fuzz;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.plinth.datasync.Seeder;
import dev.plinth.datasync.model.Snapshot;
import dev.plinth.datasync.primitive.DocumentParser;
import dev.plinth.datasync.primitive.Kind;
import dev.plinth.engine.api.Bundle;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A control-plane snapshot for the fuzz targets, built from the shipped seed through the
 * registry's own validation and parsers (the records a listener would produce), plus one
 * ordinary tenant with a viewer. Fuzz targets run millions of inputs in-process: they
 * exercise parsing and decisions, not storage, so no Firestore is involved.
 */
final class Fixture {

    /** The dev identity provider's signing key, as the secrets resolver answers it. */
    static final String KEY = "fuzz-signing-key-0123456789abcdef0123456789abcdef";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Snapshot PLAIN = snapshot(Map.of());
    private static final Snapshot SIGNED = snapshot(Map.of("require_signed_bundles", true, "bundle_signing_key_secret", "bundle_key",
            "bundle_signing_algorithm", "HS256"));

    /** A snapshot and the platform settings it carries. */
    record Platform(Snapshot snapshot) {}

    private Fixture() {}

    static Snapshot snapshot() {
        return PLAIN;
    }

    static Platform signaturesRequired(boolean required) {
        return new Platform(required ? SIGNED : PLAIN);
    }

    static byte[] builtinWasm() {
        return Bundle.builtin().wasm();
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static Snapshot snapshot(Map<String, Object> extraDefaults) {
        Map<String, Map<String, Object>> documents = new LinkedHashMap<>();
        try (InputStream in = Seeder.class.getClassLoader().getResourceAsStream(Seeder.SEED_RESOURCE)) {
            JsonNode seed = JSON.readTree(in);
            seed.path("documents").properties().forEach(e -> documents.put(e.getKey(),
                    JSON.convertValue(e.getValue(), new TypeReference<Map<String, Object>>() {})));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, Object> system = new HashMap<>(documents.get("tenants/t_system"));
        Map<String, Object> defaults = new HashMap<>((Map<String, Object>) system.get("defaults"));
        defaults.putAll(extraDefaults);
        system.put("defaults", defaults);
        documents.put("tenants/t_system", system);
        documents.put("tenants/t_acme", Map.of("allowed_envs", List.of("dev", "prod"), "mode", "saas"));
        documents.put("users/u_ana", Map.of("identities", List.of(Map.of("issuer", "https://plinth.local/dev", "subject", "u_ana"))));
        documents.put("tenants/t_acme/members/u_ana", Map.of("roles", List.of("viewer")));

        var maps = new EnumMap<Kind, Map<String, Object>>(Kind.class);
        for (Kind k : Kind.values()) {
            maps.put(k, new HashMap<>());
        }
        documents.forEach((path, fields) -> {
            String[] parts = path.split("/");
            boolean scoped = parts.length == 4;
            Kind.ofCollection(scoped ? parts[2] : parts[0]).filter(k -> k.tenantScoped() == scoped).ifPresent(kind -> {
                Map<String, Object> stored = Kind.normalize(path, fields);
                String id = parts[parts.length - 1];
                String tenant = scoped ? parts[1] : null;
                Object record = kind.parse(new DocumentParser.Doc(path, id, tenant, stored));
                maps.get(kind).put(scoped ? Snapshot.tenantScopedKey(tenant, id) : id, record);
            });
        });
        Map m = maps;
        var entities = new Snapshot.Entities((Map) m.get(Kind.TENANTS), (Map) m.get(Kind.USERS), (Map) m.get(Kind.MEMBERS),
                (Map) m.get(Kind.MODES), (Map) m.get(Kind.IDENTITY_PROVIDERS), (Map) m.get(Kind.SECRETS),
                (Map) m.get(Kind.SURFACES), (Map) m.get(Kind.APPS), (Map) m.get(Kind.SUBSCRIPTIONS),
                (Map) m.get(Kind.PROJECTS), (Map) m.get(Kind.BACKENDS), (Map) m.get(Kind.ROUTES),
                (Map) m.get(Kind.RESOURCE_KINDS));
        return Snapshot.of(1, Map.of(), entities);
    }
}
